import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ApiError, api } from '../api';
import { cachedServices, loadServices, serviceName } from '../catalog';
import { useApp } from '../context';
import { t } from '../i18n';
import { describeError, describeFieldError, fieldErrorsOf } from '../logic/errors';
import { daysBetween, formatWon, todayISO } from '../logic/format';
import { breakdownFor, choosePackage, packagesCovering, remainingFor, usability } from '../logic/packages';
import type { PackageUsage, ServiceInfo, Session } from '../types';
import { DateInput } from './DateInput';
import { Modal } from './Modal';
import { ErrorBox, Kbd } from './ui';

const STAFF_KEY = 'clinicdesk.last_staff_name';
const NONE = '';

export function packageOptionLabel(pkg: PackageUsage, service: string, date: string): string {
  const u = usability(pkg, service, date);
  const parts = [pkg.package_name];
  if (u === 'exhausted') parts.push(t('visit.exhausted'));
  else parts.push(t('visit.remaining', { n: remainingFor(pkg, service) }));
  if (pkg.expiry_date) {
    const left = date ? daysBetween(date, pkg.expiry_date) : (pkg.days_remaining ?? 0);
    parts.push(left < 0 ? `${t('pkgStatus.expired')} (${pkg.expiry_date})` : `${left === 0 ? t('detail.dDay') : t('detail.daysLeft', { n: left })} · ${t('visit.expiresOn', { date: pkg.expiry_date })}`);
  }
  return parts.join(' · ');
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
  const [packageId, setPackageId] = useState<string>(() => choosePackage(props.packages, service, todayISO())?.package_usage_id ?? NONE);
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
  // Every field the last answer found wrong (all of them at once: details.errors).
  const [errorFields, setErrorFields] = useState<string[]>([]);
  const serviceRef = useRef<HTMLSelectElement>(null);
  const packageRef = useRef<HTMLSelectElement>(null);

  useEffect(() => {
    loadServices().then(setServices);
  }, []);

  const info = services.find((s) => s.service_type === service);

  // Default duration follows the service unless the user typed one.
  const durationTouched = useRef(false);
  useEffect(() => {
    if (!durationTouched.current) setDuration(info?.duration_minutes ? String(info.duration_minutes) : '');
  }, [service, info?.duration_minutes]);

  // Re-pick the best package whenever the service or the date changes.
  const pick = (svc: string, d: string) => {
    const best = choosePackage(props.packages, svc, d);
    setPackageId(best?.package_usage_id ?? NONE);
  };

  const chooseService = (svc: string) => {
    setService(svc);
    pick(svc, date);
    setError(null);
    setErrorFields([]);
  };

  const covering = useMemo(() => packagesCovering(props.packages, service), [props.packages, service]);
  const chosen = props.packages.find((p) => p.package_usage_id === packageId) ?? null;
  const chosenBreakdown = chosen ? breakdownFor(chosen, service) : null;

  const submit = async () => {
    if (busy) return;
    setBusy(true);
    setError(null);
    setErrorFields([]);
    const body: Record<string, unknown> = { service_type: service, service_date: date || todayISO() };
    if (packageId) body.package_usage_id = packageId;
    const dur = duration.trim();
    if (dur !== '') body.duration_minutes = Number(dur);
    if (satisfaction) body.satisfaction_rating = Number(satisfaction);
    if (notes.trim()) body.session_notes = notes.trim();
    if (staff.trim()) body.staff_name = staff.trim();
    try {
      const env = await api<Session>('POST', `/api/v1/customers/${encodeURIComponent(props.customerId)}/sessions`, body);
      try {
        if (staff.trim()) localStorage.setItem(STAFF_KEY, staff.trim());
      } catch {
        /* ignore */
      }
      props.onDone(env.data);
    } catch (e) {
      setBusy(false);
      const listed = fieldErrorsOf(e);
      setError(listed.length > 1 ? listed.map(describeFieldError).join(' · ') : describeError(e));
      const field =
        e instanceof ApiError
          ? e.field ??
            (['PACKAGE_EXHAUSTED', 'SERVICE_NOT_IN_PACKAGE', 'PACKAGE_EXPIRED', 'PACKAGE_NOT_FOUND'].includes(e.code) ? 'package_usage_id' : null)
          : null;
      setErrorFields(listed.length ? listed.map((f) => f.field) : field ? [field] : []);
      const target = field ? document.querySelector<HTMLElement>(`[data-field="${field}"]`) : null;
      (target ?? serviceRef.current)?.focus();
    }
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
      submit();
    }
  };

  return (
    <Modal title={`${t('visit.title')} — ${props.customerName}`} onClose={props.onClose} testid="visit-dialog" width={620} busy={busy}>
      <form
        class="form-grid"
        onSubmit={(e) => {
          e.preventDefault();
          submit();
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
              const best = choosePackage(props.packages, s.service_type, date);
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
                  <span class={`sk-left${best ? '' : ' none'}`}>{best ? t('visit.remaining', { n: remainingFor(best, s.service_type) }) : '—'}</span>
                </button>
              );
            })}
          </div>
        </div>

        <div class={`field wide${errorFields.includes('package_usage_id') ? ' has-error' : ''}`}>
          <label class="field-label" for="visit-package">
            {t('visit.package')}
          </label>
          <select
            id="visit-package"
            ref={packageRef}
            class="input"
            data-testid="visit-package"
            data-field="package_usage_id"
            value={packageId}
            onChange={(e) => {
              setPackageId(e.currentTarget.value);
              setError(null);
              setErrorFields([]);
            }}
          >
            {covering.map((p) => (
              <option value={p.package_usage_id} key={p.package_usage_id} disabled={usability(p, service, date) !== 'ok'}>
                {packageOptionLabel(p, service, date)}
              </option>
            ))}
            <option value={NONE}>{info?.price ? t('visit.noPackagePrice', { price: formatWon(info.price) }) : t('visit.noPackage')}</option>
          </select>
          {chosen && chosenBreakdown ? (
            <div class="field-hint" data-testid="visit-package-usage">
              {serviceName(service)} {chosenBreakdown.used}/{chosenBreakdown.total} → <b>{chosenBreakdown.used + 1}/{chosenBreakdown.total}</b>
            </div>
          ) : covering.filter((p) => usability(p, service, date) === 'ok').length === 0 ? (
            <div class="field-hint">{t('visit.notCovering')}</div>
          ) : null}
        </div>

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
              pick(service, d);
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

        <div class="modal-foot wide">
          <span class="muted small">{t('visit.hint')}</span>
          <span class="grow" />
          <button type="button" class="btn btn-outline" onClick={props.onClose} disabled={busy} data-testid="visit-cancel">
            {t('common.cancel')}
          </button>
          <button type="submit" class="btn btn-primary" data-testid="visit-submit" disabled={busy}>
            {busy ? t('visit.submitting') : t('visit.submit')}
          </button>
        </div>
      </form>
    </Modal>
  );
}
