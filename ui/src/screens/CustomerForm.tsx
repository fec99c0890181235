import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, api } from '../api';
import { serviceName } from '../catalog';
import { Card, Chips, ErrorBox, Field, Spinner } from '../components/ui';
import { canSeeHealth, toast, useApp } from '../context';
import { t, tEnum, type I18nKey } from '../i18n';
import {
  buildCreatePayload,
  buildUpdatePayload,
  formKeyForField,
  toFormState,
  validateLocal,
  type FormKey,
  type LocalProblem,
  type FormState,
} from '../logic/customerForm';
import { describeError, describeFieldError, errorsByInput } from '../logic/errors';
import { formatPhoneInput, isMasked } from '../logic/format';
import { href, navigate } from '../router';
import {
  CHANNELS,
  CUSTOMER_STATUSES,
  GENDERS,
  HEALTH_INTERESTS,
  INTENSITIES,
  MEMBERSHIP_LEVELS,
  SERVICE_TYPES,
  TIME_SLOTS,
  type Customer,
  type UpdateResult,
} from '../types';

type FieldErrors = Partial<Record<FormKey, string>>;

/** Codes whose `field` is an input of this form: shown next to it. */
const FIELD_ERROR_CODES = ['VALIDATION_ERROR', 'FORBIDDEN_ROLE', 'PRIVACY_CONSENT_REQUIRED', 'HEALTH_CONSENT_REQUIRED'];

/** Create (no id) or edit (id) a customer. */
export function CustomerForm({ id }: { id?: string }) {
  const { user } = useApp();
  const mode: 'create' | 'edit' = id ? 'edit' : 'create';
  const health = canSeeHealth(user.role);
  const [original, setOriginal] = useState<Customer | null>(null);
  const [state, setState] = useState<FormState>(() => toFormState(null));
  const [loadError, setLoadError] = useState<string | null>(null);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [duplicateId, setDuplicateId] = useState<string | null>(null);
  const [info, setInfo] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);
  const pendingFocus = useRef<FormKey | null>(null);

  useEffect(() => {
    if (!id) {
      document.getElementById('f-name')?.focus();
      return;
    }
    api<Customer>('GET', `/api/v1/customers/${encodeURIComponent(id)}`)
      .then((env) => {
        setOriginal(env.data);
        setState(toFormState(env.data));
        setTimeout(() => document.getElementById('f-name')?.focus(), 0);
      })
      .catch((e) => setLoadError(describeError(e)));
  }, [id]);

  // Focus the first field with an error once it has rendered.
  useEffect(() => {
    const key = pendingFocus.current;
    if (!key) return;
    pendingFocus.current = null;
    const el = document.getElementById(`f-${key}`);
    el?.focus();
    el?.scrollIntoView?.({ block: 'center' });
  }, [errors]);

  const set = <K extends FormKey>(key: K, value: FormState[K]) => {
    setState((s) => ({ ...s, [key]: value }));
    if (errors[key]) setErrors((e) => ({ ...e, [key]: undefined }));
    setInfo(null);
  };

  const showFieldErrors = (fe: FieldErrors) => {
    const first = (Object.keys(fe) as FormKey[]).find((k) => fe[k]);
    pendingFocus.current = first ?? null;
    setErrors(fe);
  };

  const submit = async (e?: Event) => {
    e?.preventDefault();
    if (busy) return;
    setFormError(null);
    setDuplicateId(null);
    setInfo(null);
    const local = validateLocal(state, mode, original, health);
    if (Object.keys(local).length) {
      const fe: FieldErrors = {};
      const say: Record<LocalProblem, string> = {
        required: t('form.requiredField'),
        birth_year: t('form.birthYearHint'),
        privacy_consent: t('form.privacyConsentRequired'),
        health_consent: t('form.healthConsentRequired'),
      };
      for (const [k, why] of Object.entries(local)) fe[k as FormKey] = say[why];
      showFieldErrors(fe);
      setFormError(t('form.fixErrors'));
      return;
    }
    setErrors({});
    let body: Record<string, unknown>;
    if (mode === 'edit' && original) {
      body = buildUpdatePayload(original, state, health);
      if (Object.keys(body).length === 0) {
        setInfo(t('form.noChanges'));
        return;
      }
    } else {
      body = buildCreatePayload(state, health);
    }
    setBusy(true);
    try {
      if (mode === 'edit' && original) {
        const env = await api<UpdateResult>('PUT', `/api/v1/customers/${encodeURIComponent(id!)}`, body);
        toast(t('form.saved', { n: env.data?.updated_fields?.length ?? Object.keys(body).length }));
        navigate({ name: 'detail', id: id! });
      } else {
        const env = await api<Customer>('POST', '/api/v1/customers', body);
        toast(t('form.created'));
        navigate({ name: 'detail', id: env.data.id ?? env.data.customer_id ?? '' }, true);
      }
    } catch (err) {
      setBusy(false);
      if (err instanceof ApiError) {
        if (err.code === 'DUPLICATE_CUSTOMER') {
          const existing = err.details?.existing_customer_id;
          setDuplicateId(typeof existing === 'string' ? existing : existing !== undefined && existing !== null ? String(existing) : '');
          showFieldErrors({ phone: t('form.duplicate') });
          return;
        }
        if (FIELD_ERROR_CODES.includes(err.code)) {
          const { byInput, rest } = errorsByInput(err, formKeyForField);
          if (Object.keys(byInput).length) {
            showFieldErrors(byInput);
            // Errors about something the form has no input for are listed above it.
            setFormError([t('form.fixErrors'), ...rest.map(describeFieldError)].join(' '));
            return;
          }
        }
      }
      setFormError(describeError(err));
    }
  };

  if (loadError) {
    return (
      <div class="screen">
        <ErrorBox testid="form-load-error">{loadError}</ErrorBox>
      </div>
    );
  }
  if (mode === 'edit' && !original) {
    return (
      <div class="screen">
        <Spinner />
      </div>
    );
  }

  const err = (k: FormKey) => errors[k] ?? null;
  const maskedHint = (k: FormKey) => (mode === 'edit' && isMasked((original as Record<string, unknown> | null)?.[k]) ? t('form.maskedHint') : null);

  const text = (
    k: FormKey,
    opts: { required?: boolean; wide?: boolean; hint?: string | null; type?: string; inputMode?: string; onBlur?: () => void; placeholder?: string; after?: ComponentChildren } = {},
  ) => (
    <Field label={t(`field.${k}` as I18nKey)} htmlFor={`f-${k}`} error={err(k)} hint={opts.hint ?? maskedHint(k)} required={opts.required} wide={opts.wide}>
      <input
        id={`f-${k}`}
        name={k}
        class="input"
        type={opts.type ?? 'text'}
        inputMode={opts.inputMode as never}
        data-testid={`form-${k}`}
        aria-invalid={err(k) ? true : undefined}
        aria-describedby={err(k) ? `f-${k}-error` : undefined}
        placeholder={opts.placeholder}
        value={state[k] as string}
        onInput={(e) => set(k, e.currentTarget.value as never)}
        onBlur={opts.onBlur}
      />
      {opts.after}
    </Field>
  );

  const select = (k: FormKey, group: string, values: readonly string[], allowEmpty = true) => (
    <Field label={t(`field.${k}` as I18nKey)} htmlFor={`f-${k}`} error={err(k)}>
      <select
        id={`f-${k}`}
        name={k}
        class="input"
        data-testid={`form-${k}`}
        aria-invalid={err(k) ? true : undefined}
        value={state[k] as string}
        onChange={(e) => set(k, e.currentTarget.value as never)}
      >
        {allowEmpty ? <option value="">{t('common.unselected')}</option> : null}
        {values.map((v) => (
          <option key={v} value={v}>
            {tEnum(group, v)}
          </option>
        ))}
        {state[k] && !values.includes(state[k] as string) ? <option value={state[k] as string}>{state[k] as string}</option> : null}
      </select>
    </Field>
  );

  const chips = (k: 'preferred_time_slots' | 'preferred_services' | 'preferred_channels' | 'health_interests', group: string, values: readonly string[]) => (
    <Field label={t(`field.${k}` as I18nKey)} htmlFor={`f-${k}`} error={err(k)} wide>
      <Chips
        id={`f-${k}`}
        label={t(`field.${k}` as I18nKey)}
        testid={`form-${k}`}
        invalid={!!err(k)}
        options={values.map((v) => ({ value: v, label: group === 'service' ? serviceName(v) : tEnum(group, v) }))}
        value={state[k]}
        onChange={(v) => set(k, v)}
      />
    </Field>
  );

  const check = (k: 'consent_privacy' | 'consent_marketing' | 'consent_health_data', required = false) => (
    <div class={`field check-field${err(k) ? ' has-error' : ''}`}>
      <label class="check">
        <input
          id={`f-${k}`}
          type="checkbox"
          data-testid={`form-${k}`}
          checked={state[k]}
          aria-required={required ? true : undefined}
          aria-invalid={err(k) ? true : undefined}
          aria-describedby={err(k) ? `f-${k}-error` : undefined}
          onChange={(e) => set(k, e.currentTarget.checked)}
        />
        {t(`field.${k}` as I18nKey)} <span class={required ? 'consent-required' : 'muted'}>{required ? t('consent.required') : t('consent.optional')}</span>
      </label>
      {err(k) ? (
        <div class="field-error" role="alert" id={`f-${k}-error`} data-testid={`error-${k}`}>
          {err(k)}
        </div>
      ) : null}
    </div>
  );

  const cancelHref = mode === 'edit' ? href({ name: 'detail', id: id! }) : href({ name: 'search' });

  return (
    <div class="screen form-screen">
      <a class="back-link" href={cancelHref}>
        ← {mode === 'edit' ? original?.name : t('common.back')}
      </a>
      <div class="screen-head">
        <h1>{mode === 'edit' ? `${t('form.editTitle')} — ${original?.name ?? ''}` : t('form.createTitle')}</h1>
      </div>
      <form
        ref={formRef}
        class="customer-form"
        data-testid="customer-form"
        data-mode={mode}
        noValidate
        onSubmit={submit}
        onKeyDown={(e) => {
          if ((e.ctrlKey || e.metaKey) && (e.key === 's' || e.key === 'Enter')) {
            e.preventDefault();
            submit();
          }
        }}
      >
        {formError ? <ErrorBox testid="form-error">{formError}</ErrorBox> : null}
        {duplicateId !== null ? (
          <div class="error-box" role="alert" data-testid="duplicate-error">
            {t('form.duplicate')}{' '}
            {duplicateId ? (
              <a href={href({ name: 'detail', id: duplicateId })} data-testid="duplicate-link">
                {t('form.openExisting')} →
              </a>
            ) : null}
          </div>
        ) : null}
        {info ? (
          <div class="notice" data-testid="form-info">
            {info}
          </div>
        ) : null}

        <Section title={t('form.section.basic')}>
          {text('name', { required: true })}
          {text('birth_year', { inputMode: 'numeric', hint: t('form.birthYearHint') })}
          {select('gender', 'gender', GENDERS)}
          {text('occupation')}
        </Section>

        <Section title={t('form.section.contact')}>
          {text('phone', {
            required: true,
            type: 'tel',
            hint: maskedHint('phone') ?? t('form.phoneHint'),
            onBlur: () => set('phone', formatPhoneInput(state.phone)),
            after: duplicateId ? (
              <a class="field-link" href={href({ name: 'detail', id: duplicateId })} data-testid="duplicate-field-link">
                {t('form.openExisting')} →
              </a>
            ) : null,
          })}
          {text('email', { type: 'email' })}
          {text('emergency_contact', { type: 'tel', hint: maskedHint('emergency_contact') ?? t('form.phoneHint'), onBlur: () => set('emergency_contact', formatPhoneInput(state.emergency_contact)) })}
          {text('address', { wide: true })}
        </Section>

        <Section title={t('form.section.membership')}>
          {select('membership_level', 'membership', MEMBERSHIP_LEVELS, false)}
          {select('customer_status', 'status', CUSTOMER_STATUSES, false)}
          {text('assigned_staff')}
        </Section>

        <Section title={t('form.section.preferences')}>
          {chips('preferred_services', 'service', SERVICE_TYPES)}
          {chips('preferred_time_slots', 'timeSlot', TIME_SLOTS)}
        </Section>

        <Section title={t('form.section.communication')}>
          {chips('preferred_channels', 'channel', CHANNELS)}
          {select('contact_time', 'timeSlot', TIME_SLOTS)}
        </Section>

        <Section title={t('form.section.consent')} testid="form-consent-section">
          <dl class="field wide consent-notice" data-testid="consent-notice">
            <dt>{t('consent.items.label')}</dt>
            <dd>{t('consent.items')}</dd>
            <dt>{t('consent.purpose.label')}</dt>
            <dd>{t('consent.purpose')}</dd>
            <dt>{t('consent.retention.label')}</dt>
            <dd>{t('consent.retention')}</dd>
            <dt>{t('consent.refuse.label')}</dt>
            <dd>{t('consent.refuse')}</dd>
          </dl>
          <div class="field wide consent-row">
            {check('consent_privacy', true)}
            {check('consent_marketing')}
          </div>
          <div class="field wide consent-row">
            {check('consent_health_data')}
            <p class="muted small consent-health-note">{t('consent.healthNote')}</p>
          </div>
          {mode === 'edit' && original?.consent?.health_data === true && !state.consent_health_data ? (
            <div class="field wide notice warn" role="alert" data-testid="health-withdrawal-warning">
              {t('consent.withdrawalWarning')}
            </div>
          ) : null}
        </Section>

        {health ? (
          <Section title={t('form.section.health')} note={t('form.section.healthNote')} testid="form-health-section">
            <Field label={t('field.health_goals')} htmlFor="f-health_goals" error={err('health_goals')} wide>
              <textarea
                id="f-health_goals"
                class="input"
                rows={2}
                data-testid="form-health_goals"
                value={state.health_goals}
                onInput={(e) => set('health_goals', e.currentTarget.value)}
              />
            </Field>
            {chips('health_interests', 'interest', HEALTH_INTERESTS)}
            {select('preferred_intensity', 'intensity', INTENSITIES)}
          </Section>
        ) : null}

        <Section title={t('field.memo')}>
          <Field label={t('field.memo')} htmlFor="f-memo" error={err('memo')} wide>
            <textarea id="f-memo" class="input" rows={3} data-testid="form-memo" value={state.memo} onInput={(e) => set('memo', e.currentTarget.value)} />
          </Field>
        </Section>

        <div class="form-actions">
          <span class="muted small">Ctrl+S</span>
          <span class="grow" />
          <a class="btn btn-outline" href={cancelHref} data-testid="form-cancel">
            {t('form.cancel')}
          </a>
          <button type="submit" class="btn btn-primary" data-testid="form-submit" disabled={busy}>
            {busy ? t('common.saving') : mode === 'edit' ? t('form.save') : t('form.create')}
          </button>
        </div>
      </form>
    </div>
  );
}

function Section({ title, note, children, testid }: { title: string; note?: string; children: ComponentChildren; testid?: string }) {
  return (
    <Card
      heading={
        <>
          {title}
          {note ? <span class="section-note">{note}</span> : null}
        </>
      }
      class="form-section"
      data-testid={testid}
    >
      <div class="form-grid cols-3">{children}</div>
    </Card>
  );
}
