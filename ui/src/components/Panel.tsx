import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, api } from '../api';
import { t } from '../i18n';
import type { Unavailable } from '../logic/analytics';
import { describeError } from '../logic/errors';
import { ErrorBox } from './ui';

// The pieces every analytics panel of a customer (issue 11) is built of: its own request with
// its own loading and error state (one failing panel leaves the others alone), a card with a
// skeleton while it loads, and a figure the server could not compute shown with its reason.

export interface PanelState<T> {
  data: T | null;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

/**
 * One GET for a panel: asked whenever `path` changes (null: not yet), again on `reload()`.
 * A path answered before is shown at once from `cache` (figures that do not change while the
 * screen is open, and each request counts against the hourly analytics budget).
 */
export function usePanel<T>(path: string | null, cache?: Map<string, T>): PanelState<T> {
  const [state, setState] = useState<{ data: T | null; error: unknown; loading: boolean; path: string | null }>({ data: null, error: null, loading: path !== null, path: null });
  const [tick, setTick] = useState(0);
  // A retry asks the server again, whatever was kept.
  const force = useRef(false);
  useEffect(() => {
    if (path === null) return;
    const cached = force.current ? undefined : cache?.get(path);
    force.current = false;
    if (cached !== undefined) {
      setState({ data: cached, error: null, loading: false, path });
      return;
    }
    let live = true;
    setState((s) => ({ ...s, loading: true, error: null }));
    api<T>('GET', path)
      .then((r) => {
        if (!live) return;
        cache?.set(path, r.data);
        setState({ data: r.data, error: null, loading: false, path });
      })
      .catch((e) => live && setState({ data: null, error: e, loading: false, path }));
    return () => {
      live = false;
    };
  }, [path, tick]);
  const reload = () => {
    force.current = true;
    setTick((n) => n + 1);
  };
  return { data: state.data, error: state.error, loading: state.loading, reload };
}

/** A card of an analytics tab: its heading, an optional note and actions, its own state. */
export function PanelCard(props: {
  testid: string;
  title: ComponentChildren;
  note?: ComponentChildren;
  actions?: ComponentChildren;
  state: 'loading' | 'ready' | 'error' | 'empty';
  wide?: boolean;
  class?: string;
  children: ComponentChildren;
}) {
  return (
    <section
      class={`card panel-card${props.wide ? ' wide' : ''}${props.class ? ` ${props.class}` : ''}`}
      data-testid={props.testid}
      data-state={props.state}
      aria-busy={props.state === 'loading'}
    >
      <header class="card-head">
        <h2>
          {props.title} {props.note ? <span class="section-note">{props.note}</span> : null}
        </h2>
        {props.actions ? <div class="card-actions">{props.actions}</div> : null}
      </header>
      <div class="card-body">{props.children}</div>
    </section>
  );
}

export function PanelSkeleton({ lines = 4 }: { lines?: number }) {
  return (
    <div class="panel-skeleton" aria-busy="true" data-testid="panel-loading">
      <span class="sr-only">{t('common.loading')}</span>
      {Array.from({ length: lines }, (_, i) => (
        <span key={i} class={`skeleton-line${i === 0 ? ' tall' : i % 3 === 2 ? ' short' : ''}`} />
      ))}
    </div>
  );
}

/** A panel's failure: the message in place, with a retry unless retrying cannot help. */
export function PanelError({ error, testid, onRetry, message }: { error: unknown; testid: string; onRetry?: () => void; message?: string }) {
  const code = error instanceof ApiError ? error.code : undefined;
  return (
    <ErrorBox testid={testid}>
      <span data-code={code}>{message ?? describeError(error)}</span>
      {onRetry ? (
        <button type="button" class="btn btn-outline btn-sm no-print" onClick={onRetry}>
          {t('common.retry')}
        </button>
      ) : null}
    </ErrorBox>
  );
}

/** The server's reason for a field it could not compute (the first that names it). */
export function reasonOf(unavailable: Unavailable[] | null | undefined, ...fields: string[]): string | null {
  for (const f of fields) {
    const hit = unavailable?.find((u) => u.field === f);
    if (hit) return hit.reason;
  }
  return null;
}

/**
 * A reason as people read it: the API's field names it quotes in brackets — "누적
 * 매출(lifetime_revenue)만" — left out (the Korean words before them say the same).
 */
export function readableReason(reason: string): string {
  return reason.replace(/\s?\((?:[a-z]+_)+[a-z]+\)/g, '');
}

/** A missing figure: never a made-up 0, the server's reason instead. */
export function NoValue({ reason, testid }: { reason: string | null; testid?: string }) {
  return (
    <span class="no-value" data-testid={testid} data-state="unavailable">
      {reason ? readableReason(reason) : t('common.empty')}
    </span>
  );
}

/** One label and value of a panel's list of figures. */
export function Figure({ label, testid, value, children }: { label: ComponentChildren; testid?: string; value?: number | string | null; children: ComponentChildren }) {
  return (
    <>
      <dt>{label}</dt>
      <dd data-testid={testid} data-value={value ?? undefined}>
        {children}
      </dd>
    </>
  );
}

/** Small columns (visits per weekday or month, revenue per month), each with its value. */
export function MiniColumns({ items, testid, format }: { items: { key: string; label: string; value: number; title?: string }[]; testid: string; format?: (v: number) => string }) {
  const max = Math.max(1, ...items.map((i) => i.value));
  return (
    <div class="mini-cols" data-testid={testid} role="list">
      {items.map((i) => (
        <div class="mini-col" key={i.key} role="listitem" title={i.title ?? `${i.label} ${format ? format(i.value) : i.value}`} data-key={i.key} data-value={i.value}>
          <span class="mini-col-value">{format ? format(i.value) : i.value}</span>
          <span class="mini-col-track" aria-hidden="true">
            <span class="mini-col-fill" style={{ height: `${(i.value / max) * 100}%` }} />
          </span>
          <span class="mini-col-label">{i.label}</span>
        </div>
      ))}
    </div>
  );
}

/** A 0–1 part as a bar with its percentage. */
export function PartBar({ label, value, testid }: { label: string; value: number | null; testid?: string }) {
  const pct = value === null || value === undefined ? null : Math.round(Math.max(0, Math.min(1, value)) * 100);
  return (
    <div class="part-bar" data-testid={testid} data-value={value ?? undefined}>
      <span class="part-label">{label}</span>
      <span class="part-track" aria-hidden="true">
        <span class="part-fill" style={{ width: `${pct ?? 0}%` }} />
      </span>
      <span class="part-value mono">{pct === null ? t('common.empty') : `${pct}%`}</span>
    </div>
  );
}
