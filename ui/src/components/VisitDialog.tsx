import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ApiError, api } from '../api';
import { cachedServices, loadServices, serviceName } from '../catalog';
import { useApp } from '../context';
import { t } from '../i18n';
import { describeError, describeFieldError, fieldErrorsOf } from '../logic/errors';
import { daysBetween, formatDate, formatDateTime, formatWon, todayISO } from '../logic/format';
import { breakdownFor, choosePackage, packagesCovering, remainingFor, usability, usabilityText } from '../logic/packages';
import type { ExistingVisit, PackageUsage, PaymentMethod, ServiceInfo, Session } from '../types';
import { DateInput } from './DateInput';
import { Modal } from './Modal';
import { PaymentMethodPicker } from './PurchaseDialog';
import { ErrorBox, FieldMessage, Kbd } from './ui';

const STAFF_KEY = 'clinicdesk.last_staff_name';
/** Nothing chosen yet: neither a package nor a paid visit. */
const NONE = '';
/** The person chose to record a paid single visit (at the service's list price). */
export const SINGLE = 'single';

/** The package option's text: the package, then what is true of it for this service and date. */
export function packageOptionLabel(pkg: PackageUsage, service: string, date: string): string {
  const parts = [pkg.package_name, usabilityText(pkg, service, serviceName(service), date) ?? ''];
  if (usability(pkg, service, date) === 'ok' && pkg.expiry_date) {
    const left = date ? daysBetween(date, pkg.expiry_date) : (pkg.days_remaining ?? 0);
    parts.push(`${left === 0 ? t('detail.dDay') : t('detail.daysLeft', { n: left })} · ${t('visit.expiresOn', { date: pkg.expiry_date })}`);
  }
  return parts.filter(Boolean).join(' · ');
}

/**
 * A package the server has just refused (PACKAGE_CANCELLED / PACKAGE_EXHAUSTED): the copy the
 * dialog holds is made to say so, so that it is shown as unusable and cannot be chosen again.
 */
function markRefused(pkg: PackageUsage, code: string, service: string): PackageUsage {
  if (code === 'PACKAGE_CANCELLED') return { ...pkg, package_status: 'cancelled' };
  const b = pkg.service_breakdown?.[service];
  if (!b) return pkg;
  return { ...pkg, service_breakdown: { ...pkg.service_breakdown, [service]: { ...b, used: Math.max(b.used, b.total), remaining: 0 } } };
}

/** The 409 DUPLICATE_VISIT warning: which visits already exist, and the body to re-send. */
interface Duplicate {
  existing: ExistingVisit[];
  body: Record<string, unknown>;
}

export function VisitDialog(props: {
  customerId: string;
  customerName: string;
  packages: PackageUsage[];
  initialService?: string | null;
  onClose: () => void;
  onDone: (session: Session) => void;
}) {
  const { user } = useApp();
  const [services, setServices] = useState<ServiceInfo[]>(cachedServices());
  const [service, setService] = useState<string>(props.initialService || cachedServices()[0]?.service_type || 'brain');
  const [date, setDate] = useState(todayISO());
  // The dialog's own copy: packages the server refuses while it is open are marked in it.
  const [packages, setPackages] = useState<PackageUsage[]>(props.packages);
  // A usable package may be proposed (no money moves); a paid visit never is.
  const [choice, setChoice] = useState<string>(() => choosePackage(props.packages, service, todayISO())?.package_usage_id ?? NONE);
  const [method, setMethod] = useState<PaymentMethod | ''>('');
  const [satisfaction, setSatisfaction] = useState<string>('');
  const [duration, setDuration] = useState<string>('');
  const [notes, setNotes] = useState('');
  const [staff, setStaff] = useState(() => {
    try {
      return localStorage.getItem(STAFF_KEY) || user.display_name || '';
    } catch {
      return user.display_name || '';
    }
  });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // Every field the last check or answer found wrong (all of them at once: details.errors).
  const [errorFields, setErrorFields] = useState<string[]>([]);
  const [duplicate, setDuplicate] = useState<Duplicate | null>(null);
  // What is still to choose, said under its field (package_usage_id, payment_method).
  const [missing, setMissing] = useState<Partial<Record<string, string>>>({});
  const serviceRef = useRef<HTMLSelectElement>(null);
  const packageRef = useRef<HTMLSelectElement>(null);

  useEffect(() => {
    loadServices().then(setServices);
  }, []);

  // The duplicate warning sits right above the buttons it replaces: the body scrolls to its end
  // so that it is read, and the keyboard goes to the safe button (기록하지 않음), so that a
  // second Enter records nothing twice.
  useEffect(() => {
    if (!duplicate) return;
    const body = document.querySelector<HTMLElement>('[data-testid="visit-dialog"] .modal-body');
    if (body) body.scrollTop = body.scrollHeight;
    document.querySelector<HTMLElement>('[data-testid="visit-duplicate-back"]')?.focus({ preventScroll: true });
  }, [duplicate]);

  const info = services.find((s) => s.service_type === service);

  // Default duration follows the service unless the user typed one.
  const durationTouched = useRef(false);
  useEffect(() => {
    if (!durationTouched.current) setDuration(info?.duration_minutes ? String(info.duration_minutes) : '');
  }, [service, info?.duration_minutes]);

  const clearMessages = () => {
    setError(null);
    setErrorFields([]);
    setDuplicate(null);
    setMissing({});
  };

  // A new service or date: propose the best usable package again, or nothing. A paid visit the
  // person chose stays chosen when only the date changes (the price does not depend on it).
  const repick = (svc: string, d: string, keepSingle: boolean) => {
    if (keepSingle && choice === SINGLE) return;
    setChoice(choosePackage(packages, svc, d)?.package_usage_id ?? NONE);
  };

  const chooseService = (svc: string) => {
    setService(svc);
    repick(svc, date, false);
    clearMessages();
  };

  const covering = useMemo(() => packagesCovering(packages, service), [packages, service]);
  const usable = covering.filter((p) => usability(p, service, date) === 'ok');
  const chosen = packages.find((p) => p.package_usage_id === choice) ?? null;
  const chosenBreakdown = chosen ? breakdownFor(chosen, service) : null;
  const price = info?.price ?? null;
  const singleLabel = price ? t('visit.single', { price: formatWon(price) }) : t('visit.singleNoPrice');

  /** The request body for what is on the form, or null (and the fields marked) when something is missing. */
  const bodyOf = (): Record<string, unknown> | null => {
    const todo: Partial<Record<string, string>> = {};
    if (choice === NONE) todo.package_usage_id = t('visit.chooseHowPaid');
    else if (choice === SINGLE && !method) todo.payment_method = t('visit.chooseMethod');
    const field = Object.keys(todo)[0];
    if (field) {
      setError(null);
      setErrorFields([field]);
      setMissing(todo);
      const target = field === 'payment_method' ? '[data-testid^="visit-method-"]' : `[data-field="${field}"]`;
      document.querySelector<HTMLElement>(`[data-testid="visit-dialog"] ${target}`)?.focus();
      return null;
    }
    const body: Record<string, unknown> = { service_type: service, service_date: date || todayISO() };
    // A package visit carries no payment method; a paid one must (the API checks both).
    if (choice === SINGLE) body.payment_method = method;
    else body.package_usage_id = choice;
    const dur = duration.trim();
    if (dur !== '') body.duration_minutes = Number(dur);
    if (satisfaction) body.satisfaction_rating = Number(satisfaction);
    if (notes.trim()) body.session_notes = notes.trim();
    if (staff.trim()) body.staff_name = staff.trim();
    return body;
  };

  const send = async (body: Record<string, unknown>, confirmDuplicate: boolean) => {
    if (busy) return;
    setBusy(true);
    clearMessages();
    const path = `/api/v1/customers/${encodeURIComponent(props.customerId)}/sessions${confirmDuplicate ? '?confirm_duplicate=true' : ''}`;
    try {
      const env = await api<Session>('POST', path, body);
      try {
        if (staff.trim()) localStorage.setItem(STAFF_KEY, staff.trim());
      } catch {
        /* ignore */
      }
      props.onDone(env.data);
    } catch (e) {
      setBusy(false);
      onError(e, body);
    }
  };

  const onError = (e: unknown, body: Record<string, unknown>) => {
    if (e instanceof ApiError && e.code === 'DUPLICATE_VISIT') {
      const existing = Array.isArray(e.details?.existing) ? (e.details!.existing as ExistingVisit[]) : [];
      setDuplicate({ existing, body });
      return;
    }
    if (e instanceof ApiError && (e.code === 'PACKAGE_CANCELLED' || e.code === 'PACKAGE_EXHAUSTED') && typeof body.package_usage_id === 'string') {
      // The package cannot pay: say so and leave the choice to the person (never a paid visit by itself).
      const refused = body.package_usage_id;
      setPackages((list) => list.map((p) => (p.package_usage_id === refused ? markRefused(p, e.code, service) : p)));
      setChoice(NONE);
    }
    const listed = fieldErrorsOf(e);
    setError(listed.length > 1 ? listed.map(describeFieldError).join(' · ') : describeError(e));
    const field =
      e instanceof ApiError
        ? e.field ??
          (['PACKAGE_EXHAUSTED', 'PACKAGE_CANCELLED', 'SERVICE_NOT_IN_PACKAGE', 'PACKAGE_EXPIRED', 'PACKAGE_NOT_FOUND'].includes(e.code) ? 'package_usage_id' : null)
        : null;
    const fields = listed.length ? listed.map((f) => f.field) : field ? [field] : [];
    setErrorFields(fields);
    const target = fields[0] ? document.querySelector<HTMLElement>(`[data-testid="visit-dialog"] [data-field="${fields[0]}"]`) : null;
    (target ?? serviceRef.current)?.focus();
  };

  const submit = () => {
    if (busy) return;
    const body = bodyOf();
    if (body) void send(body, false);
  };

  const onKeyDown = (e: KeyboardEvent) => {
    const target = e.target as HTMLElement;
    const tag = target.tagName;
    const typing = (tag === 'INPUT' && (target as HTMLInputElement).type !== 'radio') || tag === 'TEXTAREA';
    if (!e.ctrlKey && !e.metaKey && !e.altKey && target.getAttribute('name') === 'visit-satisfaction' && /^[0-5]$/.test(e.key)) {
      // On the satisfaction stars, digits rate (0 = not rated).
      e.preventDefault();
      const v = e.key === '0' ? '' : e.key;
      setSatisfaction(v);
      document.querySelector<HTMLInputElement>(`input[name="visit-satisfaction"][value="${v}"]`)?.focus();
      return;
    }
    if (!typing && !e.ctrlKey && !e.metaKey && !e.altKey && /^[1-9]$/.test(e.key)) {
      const idx = Number(e.key) - 1;
      if (idx < services.length) {
        e.preventDefault();
        chooseService(services[idx].service_type);
        return;
      }
    }
    if (e.key === 'Enter' && !e.isComposing) {
      if (tag === 'TEXTAREA' && e.shiftKey) return; // new line
      if (tag === 'BUTTON') return; // the button's own action
      e.preventDefault();
      // While the duplicate warning is up, only its own button records the visit.
      if (!duplicate) submit();
    }
  };

  return (
    <Modal title={`${t('visit.title')} — ${props.customerName}`} onClose={props.onClose} testid="visit-dialog" width={620} busy={busy}>
      <form
        class="form-grid"
        onSubmit={(e) => {
          e.preventDefault();
          if (!duplicate) submit();
        }}
        onKeyDown={onKeyDown}
        noValidate
      >
        <div class={`field wide${errorFields.includes('service_type') ? ' has-error' : ''}`}>
          <label class="field-label" for="visit-service">
            {t('visit.service')}
          </label>
          <select
            id="visit-service"
            ref={serviceRef}
            class="input input-lg"
            data-testid="visit-service"
            data-field="service_type"
            data-autofocus
            value={service}
            onChange={(e) => chooseService(e.currentTarget.value)}
          >
            {services.map((s, i) => (
              <option value={s.service_type} key={s.service_type}>
                {i + 1}. {serviceName(s.service_type, s.name)}
              </option>
            ))}
          </select>
          <div class="service-keys" role="group" aria-label={t('visit.service')}>
            {services.map((s, i) => {
              const best = choosePackage(packages, s.service_type, date);
              // A package that covers the service but has none of it left says so ("0회 남음").
              const usedUp = !best && packagesCovering(packages, s.service_type).some((p) => usability(p, s.service_type, date) === 'exhausted');
              return (
                <button
                  type="button"
                  tabIndex={-1}
                  key={s.service_type}
                  class={`service-key${s.service_type === service ? ' on' : ''}`}
                  data-testid={`visit-service-key-${s.service_type}`}
                  onClick={() => {
                    chooseService(s.service_type);
                    serviceRef.current?.focus();
                  }}
                >
                  <Kbd>{i + 1}</Kbd>
                  <span class="sk-name">{serviceName(s.service_type, s.name)}</span>
                  <span class={`sk-left${best ? '' : ' none'}`}>
                    {best ? t('visit.remaining', { n: remainingFor(best, s.service_type) }) : usedUp ? t('visit.remaining', { n: 0 }) : '—'}
                  </span>
                </button>
              );
            })}
          </div>
        </div>

        <div class={`field wide${errorFields.includes('package_usage_id') ? ' has-error' : ''}`}>
          <label class="field-label" for="visit-package">
            {t('visit.package')}
            <span class="req">*</span>
          </label>
          <select
            id="visit-package"
            ref={packageRef}
            class="input"
            data-testid="visit-package"
            data-field="package_usage_id"
            value={choice}
            onChange={(e) => {
              setChoice(e.currentTarget.value);
              clearMessages();
            }}
          >
            {/* Shown only while nothing is chosen; it cannot be chosen back. */}
            {choice === NONE ? (
              <option value={NONE} disabled>
                {t('visit.choosePlaceholder')}
              </option>
            ) : null}
            {covering.map((p) => (
              <option value={p.package_usage_id} key={p.package_usage_id} disabled={usability(p, service, date) !== 'ok'}>
                {packageOptionLabel(p, service, date)}
              </option>
            ))}
            <option value={SINGLE}>{singleLabel}</option>
          </select>
          {chosen && chosenBreakdown ? (
            <div class="field-hint" data-testid="visit-package-usage">
              {serviceName(service)} {chosenBreakdown.used}/{chosenBreakdown.total} → <b>{chosenBreakdown.used + 1}/{chosenBreakdown.total}</b>
            </div>
          ) : choice === NONE && usable.length === 0 ? (
            <div class="field-hint visit-no-package" data-testid="visit-no-usable-package">
              {covering.length ? (
                <ul class="unusable-list">
                  {covering.map((p) => (
                    <li key={p.package_usage_id} data-package-usage-id={p.package_usage_id} data-usability={usability(p, service, date)}>
                      {packageOptionLabel(p, service, date)}
                    </li>
                  ))}
                </ul>
              ) : null}
              {t('visit.noUsable')}
            </div>
          ) : null}
          <FieldMessage errors={missing} field="package_usage_id" />
        </div>

        {choice === SINGLE ? (
          <div class={`field wide${errorFields.includes('payment_method') ? ' has-error' : ''}`}>
            <span class="field-label" id="visit-method-label">
              {t('visit.paymentMethod')}
              <span class="req">*</span>
            </span>
            <PaymentMethodPicker
              value={method}
              onChange={(m) => {
                setMethod(m);
                clearMessages();
              }}
              testid="visit-method"
              labelledBy="visit-method-label"
              field="payment_method"
            />
            <div class="field-hint">{price ? t('visit.paidNote', { price: formatWon(price) }) : t('visit.paidNoteNoPrice')}</div>
            <FieldMessage errors={missing} field="payment_method" />
          </div>
        ) : null}

        <div class={`field${errorFields.includes('service_date') ? ' has-error' : ''}`}>
          <label class="field-label" for="visit-date">
            {t('visit.date')}
          </label>
          <DateInput
            id="visit-date"
            testid="visit-date"
            field="service_date"
            value={date}
            max={todayISO()}
            onChange={(d) => {
              setDate(d);
              repick(service, d, true);
              setDuplicate(null);
            }}
          />
        </div>

        <div class={`field${errorFields.includes('duration_minutes') ? ' has-error' : ''}`}>
          <label class="field-label" for="visit-duration">
            {t('visit.duration')}
          </label>
          <input
            id="visit-duration"
            type="number"
            min={1}
            max={600}
            class="input"
            data-testid="visit-duration"
            data-field="duration_minutes"
            value={duration}
            onInput={(e) => {
              durationTouched.current = true;
              setDuration(e.currentTarget.value);
            }}
          />
        </div>

        <div class={`field wide${errorFields.includes('satisfaction_rating') ? ' has-error' : ''}`}>
          <span class="field-label" id="visit-satisfaction-label">
            {t('visit.satisfaction')}
          </span>
          <div class="segmented" role="radiogroup" aria-labelledby="visit-satisfaction-label" data-testid="visit-satisfaction" data-field="satisfaction_rating">
            {['', '1', '2', '3', '4', '5'].map((v) => (
              <label class={`seg${satisfaction === v ? ' on' : ''}`} key={v || 'none'}>
                <input
                  type="radio"
                  name="visit-satisfaction"
                  value={v}
                  checked={satisfaction === v}
                  data-testid={`visit-satisfaction-${v || 'none'}`}
                  onChange={() => setSatisfaction(v)}
                />
                {v ? `${'★'.repeat(Number(v))}` : t('visit.satisfactionNone')}
              </label>
            ))}
          </div>
        </div>

        <div class={`field wide${errorFields.includes('session_notes') ? ' has-error' : ''}`}>
          <label class="field-label" for="visit-notes">
            {t('visit.notes')}
          </label>
          <textarea id="visit-notes" rows={2} class="input" data-testid="visit-notes" data-field="session_notes" value={notes} onInput={(e) => setNotes(e.currentTarget.value)} />
        </div>

        <div class={`field${errorFields.includes('staff_name') ? ' has-error' : ''}`}>
          <label class="field-label" for="visit-staff">
            {t('visit.staff')}
          </label>
          <input id="visit-staff" class="input" data-testid="visit-staff" data-field="staff_name" value={staff} onInput={(e) => setStaff(e.currentTarget.value)} />
        </div>

        {error ? (
          <div class="wide">
            <ErrorBox testid="visit-error">{error}</ErrorBox>
          </div>
        ) : null}

        {duplicate ? <DuplicateWarning existing={duplicate.existing} /> : null}

        <div class="modal-foot wide">
          {duplicate ? (
            <>
              <span class="grow" />
              <button
                type="button"
                class="btn btn-outline"
                disabled={busy}
                data-testid="visit-duplicate-back"
                onClick={() => {
                  setDuplicate(null);
                  serviceRef.current?.focus();
                }}
              >
                {t('visit.duplicateBack')}
              </button>
              <button type="button" class="btn btn-primary" data-testid="visit-duplicate-confirm" disabled={busy} onClick={() => send(duplicate.body, true)}>
                {busy ? t('visit.submitting') : t('visit.duplicateConfirm')}
              </button>
            </>
          ) : (
            <>
              <span class="muted small">{t('visit.hint')}</span>
              <span class="grow" />
              <button type="button" class="btn btn-outline" onClick={props.onClose} disabled={busy} data-testid="visit-cancel">
                {t('common.cancel')}
              </button>
              <button type="submit" class="btn btn-primary" data-testid="visit-submit" disabled={busy}>
                {busy ? t('visit.submitting') : choice === SINGLE && price ? t('visit.submitPaid', { price: formatWon(price) }) : t('visit.submit')}
              </button>
            </>
          )}
        </div>
      </form>
    </Modal>
  );
}

/** The visits of the same service on the same day that the server found (409 DUPLICATE_VISIT). */
function DuplicateWarning({ existing }: { existing: ExistingVisit[] }) {
  return (
    <div class="wide notice" role="alert" data-testid="visit-duplicate">
      <b>{t('visit.duplicateTitle')}</b>
      <ul class="duplicate-list">
        {existing.map((v) => (
          <li key={v.session_id} data-testid="visit-duplicate-item" data-session-id={v.session_id}>
            {t('visit.duplicateItem', {
              date: formatDate(v.service_date),
              service: serviceName(v.service_type),
              staff: v.staff_name || t('common.empty'),
              time: v.created_at ? formatDateTime(v.created_at) : t('common.empty'),
            })}
          </li>
        ))}
      </ul>
      <div>{t('visit.duplicateAsk')}</div>
    </div>
  );
}
