import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, api } from '../api';
import { ta } from '../allergyText';
import type { DuplicateCandidate, PatientCreated } from '../allergyTypes';
import { DateInput } from '../components/DateInput';
import { Card, ErrorBox, Field, MembershipBadge, Spinner, Value } from '../components/ui';
import { toast, useApp } from '../context';
import { canDoAllergyCare } from '../logic/allergy';
import { describeError, errorsByInput } from '../logic/errors';
import { formatDate, formatPhoneInput, todayISO } from '../logic/format';
import { href, navigate } from '../router';
import type { Customer } from '../types';
import { AllergyForbidden } from './AllergyPatients';

type Input = 'name' | 'phone' | 'birth_date' | 'consent';

/**
 * 환자 등록: a new person (name, phone, birth date) or, with `customerId`, an existing
 * customer. Either way the health-data consent must be ticked, with its wording shown. A
 * possible duplicate customer (409 DUPLICATE_CUSTOMER) lists the candidates: register that
 * customer instead, or confirm that this is a different person.
 */
export function AllergyRegisterScreen({ customerId }: { customerId?: string }) {
  const { user } = useApp();
  const [customer, setCustomer] = useState<Customer | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [phone, setPhone] = useState('');
  const [birth, setBirth] = useState('');
  const [consent, setConsent] = useState(false);
  const [errors, setErrors] = useState<Partial<Record<Input, string>>>({});
  const [general, setGeneral] = useState<string | null>(null);
  const [dups, setDups] = useState<DuplicateCandidate[] | null>(null);
  const [already, setAlready] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const nameRef = useRef<HTMLInputElement>(null);
  const allowed = canDoAllergyCare(user.role);

  useEffect(() => {
    if (!customerId || !allowed) return;
    let live = true;
    api<Customer>('GET', `/api/v1/customers/${encodeURIComponent(customerId)}`)
      .then((r) => live && setCustomer(r.data))
      .catch((e) => live && setLoadError(describeError(e)));
    return () => {
      live = false;
    };
  }, [customerId, allowed]);

  useEffect(() => {
    nameRef.current?.focus();
  }, []);

  if (!allowed) return <AllergyForbidden />;

  const focusFirst = (errs: Partial<Record<Input, string>>) => {
    const first = (['name', 'phone', 'birth_date', 'consent'] as Input[]).find((k) => errs[k]);
    if (first) setTimeout(() => document.getElementById(`reg-${first}`)?.focus(), 0);
  };

  const send = async (body: Record<string, unknown>, confirmDistinct = false) => {
    setBusy(true);
    setGeneral(null);
    setAlready(null);
    try {
      const r = await api<PatientCreated>('POST', `/api/v1/pro/patients/new${confirmDistinct ? '?confirm_distinct=true' : ''}`, body);
      const who = customer?.name ?? (body.customer_id ? (dups?.find((d) => d.customer_id === body.customer_id)?.name ?? '') : name.trim());
      toast(ta('register.done', { name: who, number: r.data.patient_number }));
      navigate({ name: 'allergyPatient', id: r.data.patient_id });
    } catch (e) {
      if (e instanceof ApiError && e.code === 'DUPLICATE_CUSTOMER') {
        const list = Array.isArray(e.details?.candidates) ? (e.details!.candidates as DuplicateCandidate[]) : [];
        setDups(list);
      } else if (e instanceof ApiError && e.code === 'PATIENT_ALREADY_REGISTERED') {
        setAlready(typeof body.customer_id === 'string' ? body.customer_id : '');
      } else if (e instanceof ApiError && e.code === 'HEALTH_CONSENT_REQUIRED') {
        setErrors({ consent: ta('register.consentRequired') });
        focusFirst({ consent: 'x' });
      } else {
        const { byInput, rest } = errorsByInput<Input>(e, (f) => (f === 'name' || f === 'phone' || f === 'birth_date' || f === 'consent' ? f : null));
        setErrors(byInput);
        focusFirst(byInput);
        if (rest.length || Object.keys(byInput).length === 0) setGeneral(rest.length ? rest.map((x) => x.message).join(' ') : describeError(e));
      }
    } finally {
      setBusy(false);
    }
  };

  const submit = (e?: Event, confirmDistinct = false) => {
    e?.preventDefault();
    if (busy) return;
    const errs: Partial<Record<Input, string>> = {};
    if (!customerId) {
      if (!name.trim()) errs.name = ta('register.nameRequired');
      if (!phone.trim()) errs.phone = ta('register.phoneRequired');
    }
    if (!consent) errs.consent = ta('register.consentRequired');
    setErrors(errs);
    if (Object.keys(errs).length) {
      focusFirst(errs);
      return;
    }
    if (customerId) void send({ customer_id: customerId, consent: true });
    else void send({ name: name.trim(), phone: phone.trim(), birth_date: birth || null, consent: true }, confirmDistinct);
  };

  const registerCandidate = (c: DuplicateCandidate) => {
    if (!consent) {
      setErrors({ consent: ta('register.consentRequired') });
      focusFirst({ consent: 'x' });
      return;
    }
    void send({ customer_id: c.customer_id, consent: true });
  };

  return (
    <div class="screen allergy-screen register-screen" data-testid="allergy-register-screen">
      {customerId ? (
        <a class="back-link" href={href({ name: 'detail', id: customerId })} data-testid="register-back">
          {ta('register.customerBack')}
        </a>
      ) : (
        <a class="back-link" href={href({ name: 'allergyPatients' })} data-testid="register-back">
          {ta('register.back')}
        </a>
      )}
      <div class="screen-head">
        <h1>{ta('register.title')}</h1>
      </div>
      <p class="muted section-lead">{customerId ? ta('register.explainExisting') : ta('register.explainNew')}</p>

      <form class="customer-form" onSubmit={(e) => submit(e)} noValidate data-testid="register-form">
        <Card heading={ta('register.person')} class="form-section">
          {customerId ? (
            loadError ? (
              <ErrorBox testid="register-customer-error">{loadError}</ErrorBox>
            ) : customer ? (
              <dl class="kv" data-testid="register-customer">
                <dt>{ta('register.name')}</dt>
                <dd class="strong">{customer.name}</dd>
                <dt>{ta('register.phone')}</dt>
                <dd class="mono">
                  <Value v={customer.phone} />
                </dd>
              </dl>
            ) : (
              <Spinner />
            )
          ) : (
            <div class="form-grid cols-3">
              <Field label={ta('register.name')} htmlFor="reg-name" required error={errors.name}>
                <input
                  id="reg-name"
                  ref={nameRef}
                  class="input"
                  data-testid="register-name"
                  value={name}
                  autoFocus
                  autoComplete="off"
                  aria-invalid={errors.name ? true : undefined}
                  onInput={(e) => setName(e.currentTarget.value)}
                />
              </Field>
              <Field label={ta('register.phone')} htmlFor="reg-phone" required error={errors.phone} hint={ta('register.phoneHint')}>
                <input
                  id="reg-phone"
                  class="input mono"
                  type="tel"
                  inputMode="tel"
                  data-testid="register-phone"
                  value={phone}
                  autoComplete="off"
                  aria-invalid={errors.phone ? true : undefined}
                  onInput={(e) => setPhone(formatPhoneInput(e.currentTarget.value))}
                />
              </Field>
              <Field label={ta('register.birthDate')} htmlFor="reg-birth_date" error={errors.birth_date} hint={ta('register.birthHint')}>
                <DateInput id="reg-birth_date" testid="register-birth" value={birth} onChange={setBirth} max={todayISO()} invalid={!!errors.birth_date} />
              </Field>
            </div>
          )}
        </Card>

        <Card heading={ta('register.consentTitle')} class="form-section" data-testid="register-consent-section">
          <dl class="consent-notice" data-testid="register-consent-notice">
            <dt>{ta('register.consent.itemsLabel')}</dt>
            <dd>{ta('register.consent.items')}</dd>
            <dt>{ta('register.consent.purposeLabel')}</dt>
            <dd>{ta('register.consent.purpose')}</dd>
            <dt>{ta('register.consent.retentionLabel')}</dt>
            <dd>{ta('register.consent.retention')}</dd>
            <dt>{ta('register.consent.refuseLabel')}</dt>
            <dd>{ta('register.consent.refuse')}</dd>
          </dl>
          <div class={`field register-consent${errors.consent ? ' has-error' : ''}`}>
            <label class="check">
              <input
                id="reg-consent"
                type="checkbox"
                data-testid="register-consent"
                checked={consent}
                aria-required="true"
                aria-invalid={errors.consent ? true : undefined}
                onChange={(e) => {
                  setConsent(e.currentTarget.checked);
                  if (e.currentTarget.checked) setErrors((x) => ({ ...x, consent: undefined }));
                }}
              />
              <span>
                {ta('register.consentCheck')} <span class="consent-required">*</span>
              </span>
            </label>
            {errors.consent ? (
              <div class="field-error" role="alert" data-testid="error-consent">
                {errors.consent}
              </div>
            ) : null}
          </div>
        </Card>

        {dups ? (
          <div class="dup-box" role="alert" data-testid="register-duplicates">
            <h2>{ta('register.dupTitle')}</h2>
            <p>{ta('register.dupExplain')}</p>
            <ul class="dup-list">
              {dups.map((c) => (
                <li key={c.customer_id} data-testid="register-duplicate" data-customer-id={c.customer_id}>
                  <span class="strong">{c.name}</span>
                  <span class="mono">
                    <Value v={c.phone} />
                  </span>
                  <MembershipBadge level={c.membership_level} />
                  <span class="muted small">{c.last_visit_date ? ta('register.dupLastVisit', { date: formatDate(c.last_visit_date) }) : ta('register.dupNoVisit')}</span>
                  <button type="button" class="btn btn-sm btn-primary" data-testid="register-duplicate-use" disabled={busy} onClick={() => registerCandidate(c)}>
                    {ta('register.dupUse')}
                  </button>
                </li>
              ))}
            </ul>
            <button type="button" class="btn btn-sm btn-outline" data-testid="register-distinct" disabled={busy} onClick={() => submit(undefined, true)}>
              {ta('register.dupDistinct')}
            </button>
          </div>
        ) : null}

        {already !== null ? (
          <ErrorBox testid="register-already">
            {ta('register.alreadyPatient')}{' '}
            {already ? (
              <a href={href({ name: 'allergyPatient', id: already })} data-testid="register-already-link">
                {ta('register.openPatient')} →
              </a>
            ) : null}
          </ErrorBox>
        ) : null}
        {general ? <ErrorBox testid="register-error">{general}</ErrorBox> : null}

        <div class="form-actions">
          <button type="submit" class="btn btn-primary" data-testid="register-submit" disabled={busy || (!!customerId && !customer)}>
            {busy ? ta('register.submitting') : ta('register.submit')}
          </button>
        </div>
      </form>
    </div>
  );
}
