import type { ComponentChildren, JSX } from 'preact';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { serviceName } from '../catalog';
import { dismissToast, onToasts, type Toast } from '../context';
import { getLang, setLang, t, tEnum } from '../i18n';
import { isMasked } from '../logic/format';
import { clickableBoxes, pickToastSpot, TOAST_SPOTS, type ToastSpot } from '../logic/toastPlacement';
import { usagePercent } from '../logic/packages';
import { DateInput } from './DateInput';

// ---------------------------------------------------------------------------------------------
// Badges

export function RiskBadge({ level }: { level: string | null | undefined }) {
  if (!level) return <span class="muted">{t('common.empty')}</span>;
  const v = level.toLowerCase();
  return (
    <span class={`badge risk-${v}`} data-testid="risk-badge" data-value={v}>
      <span class="dot" aria-hidden="true" />
      {tEnum('risk', v)}
    </span>
  );
}

export function PackageStatusBadge({ status }: { status: string | null | undefined }) {
  const v = String(status ?? 'active').toLowerCase();
  return (
    <span class={`badge pkg-${v}`} data-testid="package-status" data-value={v}>
      {tEnum('pkgStatus', v)}
    </span>
  );
}

export function MembershipBadge({ level }: { level: string | null | undefined }) {
  if (!level) return <span class="muted">{t('common.empty')}</span>;
  const v = level.toLowerCase();
  return (
    <span class={`badge level-${v}`} data-testid="membership-badge" data-value={v}>
      {tEnum('membership', v)}
    </span>
  );
}

export function StatusBadge({ status }: { status: string | null | undefined }) {
  if (!status) return null;
  const v = status.toLowerCase();
  return <span class={`badge status-${v}`}>{tEnum('status', v)}</span>;
}

/** A value the server masked for this role: shown as given, with a hint. */
export function Value({ v }: { v: unknown }) {
  if (v === null || v === undefined || v === '') return <span class="muted">{t('common.empty')}</span>;
  if (isMasked(v)) {
    return (
      <span class="masked" title={t('common.masked')}>
        {String(v)}
        <LockIcon />
      </span>
    );
  }
  return <>{String(v)}</>;
}

export function LockIcon() {
  return (
    <svg class="lock" viewBox="0 0 16 16" width="11" height="11" aria-hidden="true">
      <path fill="currentColor" d="M5 7V5a3 3 0 1 1 6 0v2h.5A1.5 1.5 0 0 1 13 8.5v5a1.5 1.5 0 0 1-1.5 1.5h-7A1.5 1.5 0 0 1 3 13.5v-5A1.5 1.5 0 0 1 4.5 7H5Zm1.5 0h3V5a1.5 1.5 0 0 0-3 0v2Z" />
    </svg>
  );
}

// ---------------------------------------------------------------------------------------------
// Usage bar: one per service of a package

export function UsageBar({ service, used, total }: { service: string; used: number; total: number }) {
  const pct = usagePercent(used, total);
  const remaining = Math.max(0, total - used);
  const over = used > total;
  const level = over ? 'over' : remaining === 0 ? 'done' : remaining / total <= 0.2 ? 'low' : 'ok';
  return (
    <div
      class={`usage-bar usage-${level}`}
      data-testid={`usage-bar-${service}`}
      data-service={service}
      data-used={used}
      data-total={total}
      data-remaining={remaining}
    >
      <span class="usage-label">{serviceName(service)}</span>
      <span
        class="usage-track"
        role="progressbar"
        aria-label={serviceName(service)}
        aria-valuemin={0}
        aria-valuemax={total}
        aria-valuenow={used}
      >
        <span class="usage-fill" style={{ width: `${pct}%` }} />
      </span>
      <span class="usage-count">
        <b data-testid="usage-used">{used}</b>/{total}
      </span>
    </div>
  );
}

// ---------------------------------------------------------------------------------------------
// Chips: a multi- (or single-) select group of toggle buttons

export interface ChipOption {
  value: string;
  label: string;
}

export function Chips(props: {
  id?: string;
  options: ChipOption[];
  value: string[];
  onChange: (v: string[]) => void;
  label: string;
  testid?: string;
  invalid?: boolean;
  describedBy?: string;
}) {
  const { options, value, onChange } = props;
  const toggle = (v: string) => onChange(value.includes(v) ? value.filter((x) => x !== v) : [...value, v]);
  return (
    <div
      class={`chips${props.invalid ? ' invalid' : ''}`}
      role="group"
      aria-label={props.label}
      aria-describedby={props.describedBy}
      data-testid={props.testid}
      id={props.id}
      tabIndex={-1}
    >
      {options.map((o) => (
        <button
          type="button"
          key={o.value}
          class={`chip${value.includes(o.value) ? ' on' : ''}`}
          aria-pressed={value.includes(o.value)}
          data-value={o.value}
          data-testid={props.testid ? `${props.testid}-${o.value}` : undefined}
          onClick={() => toggle(o.value)}
        >
          {o.label}
        </button>
      ))}
    </div>
  );
}

// ---------------------------------------------------------------------------------------------
// Form field wrapper with label, hint and error

export function Field(props: {
  label: string;
  htmlFor?: string;
  error?: string | null;
  hint?: string | null;
  required?: boolean;
  wide?: boolean;
  children: ComponentChildren;
  testid?: string;
}) {
  return (
    <div class={`field${props.error ? ' has-error' : ''}${props.wide ? ' wide' : ''}`} data-testid={props.testid}>
      <label class="field-label" for={props.htmlFor}>
        {props.label}
        {props.required ? <span class="req" aria-label={t('common.required')}>*</span> : null}
      </label>
      {props.children}
      {props.error ? (
        <div class="field-error" id={props.htmlFor ? `${props.htmlFor}-error` : undefined} role="alert" data-testid={props.htmlFor ? `error-${props.htmlFor.replace(/^f-/, '')}` : 'field-error'}>
          {props.error}
        </div>
      ) : props.hint ? (
        <div class="field-hint">{props.hint}</div>
      ) : null}
    </div>
  );
}

/**
 * A filter's from–to dates (YYYY-MM-DD) with its label: each end bounds the other. Test ids
 * are `<testid>-from` and `<testid>-to`.
 */
export function DateRangeFilter(props: {
  label: string;
  fromLabel: string;
  toLabel: string;
  from: string;
  to: string;
  onChange: (range: { from?: string; to?: string }) => void;
  testid: string;
}) {
  return (
    <div class="filter-item">
      <span class="filter-label">{props.label}</span>
      <span class="range">
        <DateInput
          testid={`${props.testid}-from`}
          ariaLabel={props.fromLabel}
          value={props.from}
          max={props.to || undefined}
          onChange={(from) => props.onChange({ from })}
        />
        <span class="muted">~</span>
        <DateInput
          testid={`${props.testid}-to`}
          ariaLabel={props.toLabel}
          value={props.to}
          min={props.from || undefined}
          onChange={(to) => props.onChange({ to })}
        />
      </span>
    </div>
  );
}

/** A field's error message under its input, when it has one (`error-<field>` for tests). */
export function FieldMessage({ errors, field }: { errors: Partial<Record<string, string>>; field: string }) {
  const message = errors[field];
  if (!message) return null;
  return (
    <div class="field-error" role="alert" data-testid={`error-${field}`}>
      {message}
    </div>
  );
}

export function ErrorBox({ children, testid = 'error' }: { children: ComponentChildren; testid?: string }) {
  return (
    <div class="error-box" role="alert" data-testid={testid}>
      {children}
    </div>
  );
}

export function Spinner({ label }: { label?: string }) {
  return (
    <div class="spinner-wrap" aria-live="polite">
      <span class="spinner" aria-hidden="true" />
      <span>{label ?? t('common.loading')}</span>
    </div>
  );
}

export function Kbd({ children }: { children: ComponentChildren }) {
  return <kbd>{children}</kbd>;
}

export function Card(props: { heading?: ComponentChildren; actions?: ComponentChildren; class?: string; children: ComponentChildren } & JSX.HTMLAttributes<HTMLElement>) {
  const { heading, actions, children, class: cls, ...rest } = props;
  return (
    <section class={`card${cls ? ` ${cls}` : ''}`} {...rest}>
      {heading || actions ? (
        <header class="card-head">
          <h2>{heading}</h2>
          {actions ? <div class="card-actions">{actions}</div> : null}
        </header>
      ) : null}
      <div class="card-body">{children}</div>
    </section>
  );
}

export function Stars({ value }: { value: number | null | undefined }) {
  if (value === null || value === undefined) return <span class="muted">{t('common.empty')}</span>;
  const n = Math.max(0, Math.min(5, Math.round(value)));
  return (
    <span class="stars" aria-label={`${value}/5`} title={`${value}/5`}>
      {'★'.repeat(n)}
      <span class="stars-off">{'★'.repeat(5 - n)}</span>
    </span>
  );
}

export function Toasts() {
  const [items, setItems] = useState<Toast[]>([]);
  const [spot, setSpot] = useState<ToastSpot>(TOAST_SPOTS[0]);
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => onToasts(setItems), []);

  // While toasts are shown, keep them off whatever can be clicked: the page under them changes
  // (a dialog opens, a list loads, the window is resized or scrolled), so look again each time.
  const visible = items.length > 0;
  useLayoutEffect(() => {
    if (!visible) return;
    let frame = 0;
    const place = () => {
      frame = 0;
      const el = ref.current;
      if (!el) return;
      const r = el.getBoundingClientRect();
      const viewport = { width: document.documentElement.clientWidth, height: document.documentElement.clientHeight };
      setSpot(pickToastSpot({ width: r.width, height: r.height }, viewport, clickableBoxes(document, el)));
    };
    const schedule = () => {
      if (!frame) frame = requestAnimationFrame(place);
    };
    place();
    const observer = new MutationObserver(schedule);
    observer.observe(document.body, { childList: true, subtree: true, attributes: true, attributeFilter: ['class', 'style', 'hidden'] });
    window.addEventListener('resize', schedule);
    window.addEventListener('scroll', schedule, true);
    return () => {
      observer.disconnect();
      window.removeEventListener('resize', schedule);
      window.removeEventListener('scroll', schedule, true);
      if (frame) cancelAnimationFrame(frame);
    };
  }, [visible, items.length]);

  return (
    <div class={`toasts at-${spot}`} aria-live="polite" ref={ref} data-testid="toasts" data-spot={spot}>
      {items.map((x) => (
        <div key={x.id} class={`toast toast-${x.kind}`} data-testid="toast" role={x.kind === 'error' ? 'alert' : 'status'}>
          <span>{x.text}</span>
          <button type="button" class="toast-x" aria-label={t('common.dismiss')} onClick={() => dismissToast(x.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}

/** Switches between Korean and English. */
export function LangToggle() {
  return (
    <button
      type="button"
      class="btn btn-ghost btn-sm"
      data-testid="lang-toggle"
      title={t('header.langSwitchTitle')}
      onClick={() => setLang(getLang() === 'ko' ? 'en' : 'ko')}
    >
      {t('header.langSwitch')}
    </button>
  );
}
