import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import { Modal } from '../components/Modal';
import { PhoneRevealButton } from '../components/PhoneReveal';
import { Card, ErrorBox, MembershipBadge, Spinner } from '../components/ui';
import { toast, useApp } from '../context';
import { t, tEnum } from '../i18n';
import { describeError } from '../logic/errors';
import { addDays, formatDate, formatNumber } from '../logic/format';
import { markOnce } from '../perf';
import { href, navigate } from '../router';

export interface FollowUpItem {
  follow_up_id: string;
  customer_id: string;
  customer_name: string;
  assigned_staff: string | null;
  state: 'open' | 'done' | 'cancelled';
  due_date: string;
  due: 'overdue' | 'today' | 'upcoming' | null;
  asked_date: string | null;
  type: string | null;
  notes: string | null;
  interaction_type: string;
  interaction_date: string;
  recorded_by: string | null;
  closed_at: string | null;
}

export interface TodayData {
  date: string;
  follow_ups: { overdue_count: number; today_count: number; items: FollowUpItem[] };
  visits: {
    count: number;
    items: { session_id: string; customer_id: string; customer_name: string; service_type: string; staff_name: string | null; package_name: string | null; recorded_at: string }[];
  };
  expiring_packages: {
    within_days: number;
    items: {
      purchase_id: string;
      customer_id: string;
      customer_name: string;
      package_name: string;
      expiry_date: string;
      days_left: number;
      total_sessions: number;
      used_sessions: number;
      remaining_sessions: number;
    }[];
  };
  newly_at_risk: {
    from: string;
    to: string;
    threshold_days: number;
    window_days: number;
    items: {
      customer_id: string;
      customer_name: string;
      membership_level: string;
      assigned_staff: string | null;
      last_visit_date: string | null;
      last_activity_date: string;
      days_since: number;
      total_visits: number;
    }[];
  };
}

/** The clinic day (KST) of an instant: what a due date means at the front desk. */
export function kstDay(instant: string): string {
  const d = new Date(instant);
  if (Number.isNaN(d.getTime())) return instant.slice(0, 10);
  return new Date(d.getTime() + 9 * 3600_000).toISOString().slice(0, 10);
}

function openCustomer(id: string) {
  navigate({ name: 'detail', id });
}

/** Rows open their customer, by click or Enter, unless a button inside was used. */
function rowProps(customerId: string, testid: string) {
  return {
    'data-testid': testid,
    'data-customer-id': customerId,
    tabIndex: 0,
    class: 'clickable',
    onClick: (e: MouseEvent) => {
      if ((e.target as HTMLElement).closest('button, a, input')) return;
      openCustomer(customerId);
    },
    onKeyDown: (e: KeyboardEvent) => {
      if (e.key === 'Enter' && e.target === e.currentTarget) openCustomer(customerId);
    },
  };
}

function CustomerLink({ id, name }: { id: string; name: string }) {
  return (
    <a href={href({ name: 'detail', id })} class="strong" data-testid="today-customer-link">
      {name}
    </a>
  );
}

/**
 * The screen after login: what the front desk has to do today — follow-ups due and overdue
 * (completed or moved from here), today's visits, the renewal call list of packages ending
 * within 14 days, and customers who newly crossed the at-risk threshold (`GET /api/v1/today`).
 */
export function TodayScreen() {
  const { user } = useApp();
  const [data, setData] = useState<TodayData | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [reload, setReload] = useState(0);
  const [acting, setActing] = useState<{ kind: 'complete' | 'reschedule'; item: FollowUpItem } | null>(null);
  const masked = user.role === 'staff';

  // The first screen after a login (or a remembered one): the desktop benchmark's milestone.
  useEffect(() => markOnce('today-screen'), []);

  useEffect(() => {
    let live = true;
    setError(null);
    api<TodayData>('GET', '/api/v1/today')
      .then((r) => live && setData(r.data))
      .catch((e) => live && setError(describeError(e)));
    return () => {
      live = false;
    };
  }, [reload]);

  if (!data) {
    return (
      <div class="screen today-screen" data-testid="today-screen">
        <h1 class="screen-title">{t('today.title')}</h1>
        {error ? (
          <ErrorBox testid="today-error">
            {error}{' '}
            <button type="button" class="btn btn-outline btn-sm" onClick={() => setReload((n) => n + 1)}>
              {t('common.retry')}
            </button>
          </ErrorBox>
        ) : (
          <Spinner label={t('common.loading')} />
        )}
      </div>
    );
  }

  const fu = data.follow_ups;
  return (
    <div class="screen today-screen" data-testid="today-screen">
      <div class="screen-head">
        <h1 class="screen-title">
          {t('today.title')} <span class="muted today-date" data-testid="today-date">{data.date}</span>
        </h1>
        <button type="button" class="btn btn-outline btn-sm" data-testid="today-refresh" onClick={() => setReload((n) => n + 1)}>
          {t('today.refresh')}
        </button>
      </div>
      {error ? <ErrorBox testid="today-error">{error}</ErrorBox> : null}
      <div class="today-grid">
        <Card
          class="today-card today-followups"
          data-testid="today-followups"
          heading={
            <>
              {t('today.followUps')}
              <span class="count count-alert" data-testid="today-overdue-count" title={t('today.overdue')}>
                {t('today.overdueN', { n: fu.overdue_count })}
              </span>
              <span class="count" data-testid="today-due-count">
                {t('today.todayN', { n: fu.today_count })}
              </span>
            </>
          }
        >
          {fu.items.length === 0 ? (
            <div class="empty" data-testid="today-followups-empty">{t('today.noFollowUps')}</div>
          ) : (
            <div class="table-scroll">
              <table class="table today-table">
                <thead>
                  <tr>
                    <th>{t('today.due')}</th>
                    <th>{t('today.customer')}</th>
                    <th>{t('today.what')}</th>
                    <th class="actions-col">{t('today.actions')}</th>
                  </tr>
                </thead>
                <tbody>
                  {fu.items.map((f) => (
                    <tr key={f.follow_up_id} {...rowProps(f.customer_id, 'today-followup-row')} data-follow-up-id={f.follow_up_id}>
                      <td class="nowrap">
                        <span class={`badge ${f.due === 'overdue' ? 'due-overdue' : 'due-today'}`}>{tEnum('due', f.due)}</span>{' '}
                        <span class="mono small">{kstDay(f.due_date)}</span>
                      </td>
                      <td>
                        <CustomerLink id={f.customer_id} name={f.customer_name} />
                        {f.assigned_staff ? <div class="muted small">{t('today.assigned', { name: f.assigned_staff })}</div> : null}
                      </td>
                      <td class="notes-cell">
                        {f.type ? <span class="tag">{tEnum('interaction', f.type)}</span> : null} {f.notes ?? ''}
                      </td>
                      <td class="actions-col">
                        <div class="row-actions">
                          {masked ? <PhoneRevealButton customerId={f.customer_id} customerName={f.customer_name} reason="follow_up_call" compact /> : null}
                          <button type="button" class="btn btn-outline btn-xs" data-testid="followup-reschedule" onClick={() => setActing({ kind: 'reschedule', item: f })}>
                            {t('today.reschedule')}
                          </button>
                          <button type="button" class="btn btn-primary btn-xs" data-testid="followup-complete" onClick={() => setActing({ kind: 'complete', item: f })}>
                            {t('today.complete')}
                          </button>
                        </div>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </Card>

        <Card
          class="today-card today-expiring"
          data-testid="today-expiring"
          heading={
            <>
              {t('today.expiring', { n: data.expiring_packages.within_days })}
              <span class="count">{formatNumber(data.expiring_packages.items.length)}</span>
            </>
          }
        >
          {data.expiring_packages.items.length === 0 ? (
            <div class="empty">{t('today.noExpiring')}</div>
          ) : (
            <div class="table-scroll">
              <table class="table today-table">
                <thead>
                  <tr>
                    <th>{t('today.customer')}</th>
                    <th>{t('today.package')}</th>
                    <th>{t('today.expiry')}</th>
                    <th>{t('today.remaining')}</th>
                    {masked ? <th class="actions-col" /> : null}
                  </tr>
                </thead>
                <tbody>
                  {data.expiring_packages.items.map((p) => (
                    <tr key={p.purchase_id} {...rowProps(p.customer_id, 'today-expiring-row')}>
                      <td>
                        <CustomerLink id={p.customer_id} name={p.customer_name} />
                      </td>
                      <td class="wrap">{p.package_name}</td>
                      <td class="nowrap">
                        <span class="mono">{formatDate(p.expiry_date)}</span>{' '}
                        <span class="badge warn-badge">{p.days_left === 0 ? t('today.endsToday') : t('today.daysLeft', { n: p.days_left })}</span>
                      </td>
                      <td class="nowrap">{t('today.sessionsLeft', { left: p.remaining_sessions, total: p.total_sessions })}</td>
                      {masked ? (
                        <td class="actions-col">
                          <PhoneRevealButton customerId={p.customer_id} customerName={p.customer_name} reason="booking" compact />
                        </td>
                      ) : null}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </Card>

        <Card
          class="today-card"
          data-testid="today-visits"
          heading={
            <>
              {t('today.visits')}
              <span class="count">{formatNumber(data.visits.count)}</span>
            </>
          }
        >
          {data.visits.items.length === 0 ? (
            <div class="empty">{t('today.noVisits')}</div>
          ) : (
            <div class="table-scroll">
              <table class="table today-table">
                <tbody>
                  {data.visits.items.map((v) => (
                    <tr key={v.session_id} {...rowProps(v.customer_id, 'today-visit-row')}>
                      <td>
                        <CustomerLink id={v.customer_id} name={v.customer_name} />
                      </td>
                      <td>{tEnum('service', v.service_type)}</td>
                      <td class="muted small wrap">{v.package_name ?? t('today.paidVisit')}</td>
                      <td class="muted small">{v.staff_name ?? ''}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </Card>

        <Card
          class="today-card"
          data-testid="today-at-risk"
          heading={
            <>
              {t('today.atRisk')}
              <span class="count">{formatNumber(data.newly_at_risk.items.length)}</span>
            </>
          }
        >
          <p class="muted small today-note">{t('today.atRiskNote', { days: data.newly_at_risk.threshold_days, window: data.newly_at_risk.window_days })}</p>
          {data.newly_at_risk.items.length === 0 ? (
            <div class="empty">{t('today.noAtRisk')}</div>
          ) : (
            <div class="table-scroll">
              <table class="table today-table">
                <tbody>
                  {data.newly_at_risk.items.map((c) => (
                    <tr key={c.customer_id} {...rowProps(c.customer_id, 'today-at-risk-row')}>
                      <td>
                        <CustomerLink id={c.customer_id} name={c.customer_name} /> <MembershipBadge level={c.membership_level} />
                      </td>
                      <td class="nowrap">
                        {c.last_visit_date ? t('today.lastVisit', { date: formatDate(c.last_visit_date) }) : t('today.neverVisited')}
                      </td>
                      <td class="nowrap">
                        <span class="badge risk-warning">{t('today.daysSince', { n: c.days_since })}</span>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </Card>
      </div>

      {acting?.kind === 'complete' ? (
        <CompleteDialog
          item={acting.item}
          onClose={() => setActing(null)}
          onDone={() => {
            setActing(null);
            toast(t('today.completed', { name: acting.item.customer_name }));
            setReload((n) => n + 1);
          }}
        />
      ) : null}
      {acting?.kind === 'reschedule' ? (
        <RescheduleDialog
          item={acting.item}
          today={data.date}
          onClose={() => setActing(null)}
          onDone={(day) => {
            setActing(null);
            toast(t('today.rescheduled', { name: acting.item.customer_name, date: day }));
            setReload((n) => n + 1);
          }}
        />
      ) : null}
    </div>
  );
}

function FollowUpSummary({ item }: { item: FollowUpItem }) {
  return (
    <dl class="kv">
      <dt>{t('today.due')}</dt>
      <dd class="mono">{kstDay(item.due_date)}</dd>
      <dt>{t('today.what')}</dt>
      <dd>
        {item.type ? tEnum('interaction', item.type) : ''} {item.notes ?? ''}
      </dd>
    </dl>
  );
}

export function CompleteDialog(props: { item: FollowUpItem; onClose: () => void; onDone: () => void }) {
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async () => {
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      await api('POST', `/api/v1/follow-ups/${encodeURIComponent(props.item.follow_up_id)}/complete`, note.trim() ? { note: note.trim() } : {});
      props.onDone();
    } catch (e) {
      setError(describeError(e));
      setBusy(false);
    }
  };
  return (
    <Modal title={`${t('today.completeTitle')} — ${props.item.customer_name}`} onClose={props.onClose} testid="followup-complete-dialog" width={460} busy={busy}>
      <form
        class="form-grid"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <div class="field wide">
          <FollowUpSummary item={props.item} />
        </div>
        <div class="field wide">
          <label class="field-label" for="fu-note">
            {t('today.completeNote')}
          </label>
          <textarea id="fu-note" rows={2} class="input" maxLength={500} data-autofocus data-testid="followup-note" value={note} onInput={(e) => setNote(e.currentTarget.value)} />
        </div>
        {error ? (
          <div class="wide">
            <ErrorBox testid="followup-error">{error}</ErrorBox>
          </div>
        ) : null}
        <div class="modal-foot wide">
          <button type="button" class="btn btn-outline" onClick={props.onClose} disabled={busy}>
            {t('common.cancel')}
          </button>
          <button type="submit" class="btn btn-primary" data-testid="followup-complete-confirm" disabled={busy}>
            {busy ? t('common.saving') : t('today.completeConfirm')}
          </button>
        </div>
      </form>
    </Modal>
  );
}

export function RescheduleDialog(props: { item: FollowUpItem; today: string; onClose: () => void; onDone: (day: string) => void }) {
  const [day, setDay] = useState(addDays(props.today, 1));
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async () => {
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      const body: Record<string, string> = { date: day };
      if (note.trim()) body.note = note.trim();
      await api('POST', `/api/v1/follow-ups/${encodeURIComponent(props.item.follow_up_id)}/reschedule`, body);
      props.onDone(day);
    } catch (e) {
      setError(describeError(e));
      setBusy(false);
    }
  };
  return (
    <Modal title={`${t('today.rescheduleTitle')} — ${props.item.customer_name}`} onClose={props.onClose} testid="followup-reschedule-dialog" width={460} busy={busy}>
      <form
        class="form-grid"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <div class="field wide">
          <FollowUpSummary item={props.item} />
        </div>
        <div class="field">
          <label class="field-label" for="fu-date">
            {t('today.newDate')}
          </label>
          <input id="fu-date" type="date" class="input" min={props.today} data-autofocus data-testid="followup-date" value={day} onChange={(e) => setDay(e.currentTarget.value)} />
        </div>
        <div class="field wide">
          <label class="field-label" for="fu-rnote">
            {t('today.rescheduleNote')}
          </label>
          <input id="fu-rnote" class="input" maxLength={500} data-testid="followup-reschedule-note" value={note} onInput={(e) => setNote(e.currentTarget.value)} />
        </div>
        {error ? (
          <div class="wide">
            <ErrorBox testid="followup-error">{error}</ErrorBox>
          </div>
        ) : null}
        <div class="modal-foot wide">
          <button type="button" class="btn btn-outline" onClick={props.onClose} disabled={busy}>
            {t('common.cancel')}
          </button>
          <button type="submit" class="btn btn-primary" data-testid="followup-reschedule-confirm" disabled={busy || !day}>
            {busy ? t('common.saving') : t('today.rescheduleConfirm')}
          </button>
        </div>
      </form>
    </Modal>
  );
}
