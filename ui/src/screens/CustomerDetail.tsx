import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, api, qs } from '../api';
import { serviceName } from '../catalog';
import { AllergyAlertBanner } from '../components/AllergyAlert';
import { InteractionDialog } from '../components/InteractionDialog';
import { PhoneRevealButton } from '../components/PhoneReveal';
import { PurchaseDialog } from '../components/PurchaseDialog';
import { ReceiptDialog, type ReceiptSource } from '../components/ReceiptDialog';
import { RefundDialog } from '../components/RefundDialog';
import { VisitDialog } from '../components/VisitDialog';
import { canVoidOwn, isPaidVisit, VoidVisitDialog, type VoidMode } from '../components/VoidVisitDialog';
import {
  Card,
  ErrorBox,
  Kbd,
  MembershipBadge,
  PackageStatusBadge,
  RiskBadge,
  Spinner,
  Stars,
  StatusBadge,
  UsageBar,
  Value,
} from '../components/ui';
import { canCancelVisits, canSeeHealth, toast, useApp } from '../context';
import { t, tEnum } from '../i18n';
import { canSeeAnalytics } from '../logic/analytics';
import { rememberCustomerName } from '../logic/audit';
import { describeError } from '../logic/errors';
import { formatDate, formatDateTime, formatNumber, formatPercent, formatRating, formatWon } from '../logic/format';
import { expiryState, expiryText, isCancelled, servicesOf, statusOf } from '../logic/packages';
import { href, navigate } from '../router';
import { SERVICE_TYPES, type Customer, type CustomerDetail, type InteractionList, type PackageUsage, type Session } from '../types';
import { CustomerAnalyticsTab } from './CustomerAnalytics';
import { CustomerRecommendationsTab } from './CustomerRecommendations';
import { CustomerSelfReports } from './CustomerSelfReports';

/** The customer's tabs: the overview for everyone, 분석 and 추천 for managers and administrators. */
export type DetailTab = 'overview' | 'analytics' | 'recommendations';
const TABS: DetailTab[] = ['overview', 'analytics', 'recommendations'];

/** The tab the address names, if this role may see it; else the overview. */
export function tabOf(tab: string | undefined, role: string | undefined): DetailTab {
  if ((tab === 'analytics' || tab === 'recommendations') && canSeeAnalytics(role)) return tab;
  return 'overview';
}

type Dialog =
  | null
  | 'visit'
  | 'purchase'
  | 'interaction'
  | { cancel: Session; mode: VoidMode }
  | { refund: PackageUsage }
  | { receipt: ReceiptSource };

export function CustomerDetailScreen({ id, tab }: { id: string; tab?: string }) {
  const { user } = useApp();
  const active = tabOf(tab, user.role);
  // A tab opened once stays (hidden) while the customer is shown: going back to it asks nothing again.
  const [opened, setOpened] = useState<Set<DetailTab>>(() => new Set([active]));
  if (!opened.has(active)) setOpened(new Set([...opened, active]));
  const [detail, setDetail] = useState<CustomerDetail | null>(null);
  const [interactions, setInteractions] = useState<InteractionList | null>(null);
  const [error, setError] = useState<{ text: string; notFound: boolean } | null>(null);
  const [dialog, setDialog] = useState<Dialog>(null);
  const [showPast, setShowPast] = useState(false);
  const [past, setPast] = useState<PackageUsage[] | null>(null);
  // Counts the self-reports saved here: the 분석 tab, if open, asks for its figures again.
  const [healthVersion, setHealthVersion] = useState(0);

  const base = `/api/v1/customers/${encodeURIComponent(id)}`;

  const loadDetail = useCallback(async (): Promise<CustomerDetail | null> => {
    try {
      const env = await api<CustomerDetail>('GET', `${base}/detail${qs({ history_limit: 50 })}`);
      setDetail(env.data);
      setError(null);
      return env.data;
    } catch (e) {
      setError({
        text: describeError(e),
        notFound: e instanceof ApiError && (e.code === 'CUSTOMER_NOT_FOUND' || e.status === 404),
      });
      return null;
    }
  }, [base]);

  const loadInteractions = useCallback(async () => {
    try {
      const env = await api<InteractionList>('GET', `${base}/interactions${qs({ limit: 20 })}`);
      setInteractions(env.data);
    } catch {
      setInteractions({ customer_id: id, interactions: [] });
    }
  }, [base, id]);

  // Past packages: the expired ones and the cancelled (refunded) ones, newest purchase first.
  // One list failing does not hide the other.
  const loadPast = useCallback(async () => {
    const answers = await Promise.allSettled(
      ['expired', 'cancelled'].map((status) => api<{ packages: PackageUsage[] }>('GET', `${base}/packages${qs({ status })}`)),
    );
    const failed = answers.find((a): a is PromiseRejectedResult => a.status === 'rejected');
    if (failed) toast(describeError(failed.reason), 'error');
    const seen = new Set<string>();
    const all = answers
      .flatMap((a) => (a.status === 'fulfilled' ? (a.value.data?.packages ?? []) : []))
      .filter((p) => !seen.has(p.package_usage_id) && !!seen.add(p.package_usage_id))
      .sort((a, b) => (b.purchase_date ?? '').localeCompare(a.purchase_date ?? ''));
    setPast(all);
  }, [base]);

  useEffect(() => {
    loadDetail();
    loadInteractions();
  }, [loadDetail, loadInteractions]);

  // Single-key shortcuts when no field has focus and no dialog is open. The listener reads the
  // DOM and a ref, not render-time state, so a key pressed right after closing a dialog works.
  const loadedRef = useRef(false);
  loadedRef.current = detail !== null;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const tag = (e.target as HTMLElement)?.tagName;
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT') return;
      if (document.querySelector('.modal') || !loadedRef.current) return;
      const k = e.key.toLowerCase();
      if (k === 'v') setDialog('visit');
      else if (k === 'p') setDialog('purchase');
      else if (k === 'i') setDialog('interaction');
      else if (k === 'e') navigate({ name: 'edit', id });
      else if (e.key === 'Escape') navigate({ name: 'search' });
      else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [id]);

  if (error && !detail) {
    return (
      <div class="screen">
        <BackLink />
        <ErrorBox testid="detail-error">
          {error.notFound ? t('detail.notFound') : error.text}{' '}
          {!error.notFound ? (
            <button type="button" class="btn btn-sm btn-outline" onClick={loadDetail}>
              {t('common.retry')}
            </button>
          ) : null}
        </ErrorBox>
      </div>
    );
  }
  if (!detail) {
    return (
      <div class="screen">
        <BackLink />
        <Spinner />
      </div>
    );
  }

  const c = detail.customer;
  const packages = detail.activePackages ?? [];
  // Newest first whatever order the server used (the new visit lands on top).
  const history = [...(detail.serviceHistory ?? [])].sort(
    (a, b) => (b.service_date ?? '').localeCompare(a.service_date ?? '') || (b.created_at ?? '').localeCompare(a.created_at ?? ''),
  );
  const lastService = history.find((s) => !s.cancelled)?.service_type ?? c.preferred_services?.[0] ?? null;
  const closeDialog = () => setDialog(null);
  const managesMoney = canCancelVisits(user.role);
  const packageActions = (p: PackageUsage) => ({
    onReceipt: () => setDialog({ receipt: { kind: 'purchase', id: p.package_usage_id } }),
    onRefund: managesMoney && !isCancelled(p) ? () => setDialog({ refund: p }) : undefined,
  });

  return (
    <div class={`screen detail-screen${active !== 'overview' ? ' print-target' : ''}`} data-testid="customer-detail" data-customer-id={c.id ?? id} data-tab={active}>
      <BackLink />
      <div class="detail-head">
        <div class="detail-title">
          <div class="avatar-lg" aria-hidden="true">
            {c.name?.slice(0, 1)}
          </div>
          <div>
            <div class="title-line">
              <h1 data-testid="customer-name">{c.name}</h1>
              <MembershipBadge level={c.membership_level} />
              <StatusBadge status={c.customer_status} />
              <RiskBadge level={c.risk_level} />
            </div>
            <div class="sub-line muted">
              <span class="mono">
                <Value v={c.phone} />
              </span>
              {user.role === 'staff' && c.phone ? <PhoneRevealButton customerId={c.id} customerName={c.name} compact /> : null}
              {c.birth_year ? <span>{c.birth_year}</span> : null}
              {c.gender ? <span>{tEnum('gender', c.gender)}</span> : null}
              {c.assigned_staff ? <span>{t('detail.by', { name: c.assigned_staff })}</span> : null}
            </div>
          </div>
        </div>
        <div class="detail-actions no-print">
          <button type="button" class="btn btn-primary" data-testid="record-visit-button" onClick={() => setDialog('visit')}>
            {t('detail.recordVisit')} <Kbd>V</Kbd>
          </button>
          <button type="button" class="btn btn-outline" data-testid="purchase-button" onClick={() => setDialog('purchase')}>
            {t('detail.purchase')} <Kbd>P</Kbd>
          </button>
          <button type="button" class="btn btn-outline" data-testid="interaction-button" onClick={() => setDialog('interaction')}>
            {t('detail.logInteraction')} <Kbd>I</Kbd>
          </button>
          <button type="button" class="btn btn-outline" data-testid="edit-button" onClick={() => navigate({ name: 'edit', id })}>
            {t('detail.edit')} <Kbd>E</Kbd>
          </button>
          {user.role === 'admin' ? (
            <a
              class="btn btn-ghost"
              href={href({ name: 'audit', customerId: c.id ?? id })}
              data-testid="audit-link"
              title={t('detail.auditLinkTitle')}
              onClick={() => rememberCustomerName(c.id ?? id, c.name)}
            >
              {t('detail.auditLink')}
            </a>
          ) : null}
        </div>
      </div>

      <AllergyAlertBanner customerId={c.id ?? id} role={user.role} />

      <StatsStrip c={c} />

      {canSeeAnalytics(user.role) ? (
        <div class="detail-tabs no-print" role="tablist" aria-label={t('detail.tabs')} data-testid="detail-tabs">
          {TABS.map((x) => (
            <a
              key={x}
              role="tab"
              id={`detail-tab-${x}`}
              class={`detail-tab${active === x ? ' on' : ''}`}
              aria-selected={active === x}
              aria-controls={`detail-panel-${x}`}
              href={href({ name: 'detail', id, tab: x === 'overview' ? undefined : x })}
              data-testid={`detail-tab-${x}`}
              onClick={(e) => {
                e.preventDefault();
                navigate({ name: 'detail', id, tab: x === 'overview' ? undefined : x }, true);
              }}
            >
              {t(`detail.tab.${x}`)}
            </a>
          ))}
        </div>
      ) : null}

      {opened.has('analytics') ? (
        <div id="detail-panel-analytics" role="tabpanel" aria-labelledby="detail-tab-analytics" hidden={active !== 'analytics'} data-testid="detail-panel-analytics">
          <CustomerAnalyticsTab customerId={c.id ?? id} healthVersion={healthVersion} />
        </div>
      ) : null}
      {opened.has('recommendations') ? (
        <div id="detail-panel-recommendations" role="tabpanel" aria-labelledby="detail-tab-recommendations" hidden={active !== 'recommendations'} data-testid="detail-panel-recommendations">
          <CustomerRecommendationsTab customerId={c.id ?? id} />
        </div>
      ) : null}

      <div class="detail-overview" id="detail-panel-overview" role={canSeeAnalytics(user.role) ? 'tabpanel' : undefined} hidden={active !== 'overview'}>
        <div class="detail-grid">
          <div class="col-side">
            <ProfileCard c={c} />
            <HealthCard c={c} />
            <PreferencesCard detail={detail} />
          </div>
          <div class="col-main">
            <Card
              heading={
                <>
                  {t('detail.packages')} <span class="count">{packages.length}</span>
                </>
              }
              actions={
                <button
                  type="button"
                  class="btn btn-ghost btn-sm"
                  data-testid="toggle-past-packages"
                  onClick={() => {
                    const next = !showPast;
                    setShowPast(next);
                    if (next) loadPast();
                  }}
                >
                  {showPast ? t('detail.hidePast') : t('detail.showPast')}
                </button>
              }
              data-testid="packages-section"
            >
              {packages.length === 0 ? <div class="empty" data-testid="no-packages">{t('detail.noPackages')}</div> : null}
              <div class="pkg-grid">
                {packages.map((p) => (
                  <PackageCard key={p.package_usage_id} p={p} {...packageActions(p)} />
                ))}
              </div>
              {showPast ? (
                <div class="past-packages" data-testid="past-packages">
                  {past === null ? <Spinner /> : null}
                  {past && past.length === 0 ? <div class="empty">{t('detail.noPastPackages')}</div> : null}
                  <div class="pkg-grid">
                    {(past ?? [])
                      .filter((p) => !packages.some((a) => a.package_usage_id === p.package_usage_id))
                      .map((p) => (
                        <PackageCard key={p.package_usage_id} p={p} past {...packageActions(p)} />
                      ))}
                  </div>
                </div>
              ) : null}
            </Card>

            {canSeeHealth(user.role) ? (
              <CustomerSelfReports customerId={c.id ?? id} consent={c.consent?.health_data} onSaved={() => setHealthVersion((n) => n + 1)} />
            ) : null}

            <HistoryCard
              history={history}
              userId={user.id}
              canCancelAny={managesMoney}
              onCancel={(s, mode) => setDialog({ cancel: s, mode })}
              onReceipt={(s) => setDialog({ receipt: { kind: 'visit', id: s.session_id } })}
            />

            <InteractionsCard list={interactions} />
          </div>
        </div>
      </div>

      {dialog === 'visit' ? (
        <VisitDialog
          customerId={c.id ?? id}
          customerName={c.name}
          packages={packages}
          initialService={lastService}
          onClose={closeDialog}
          onDone={(s) => {
            closeDialog();
            toast(t('visit.success', { service: serviceName(s?.service_type, s?.service_name) }));
            loadDetail();
          }}
        />
      ) : null}
      {dialog === 'purchase' ? (
        <PurchaseDialog
          customerId={c.id ?? id}
          customerName={c.name}
          onClose={closeDialog}
          onDone={(p) => {
            closeDialog();
            toast(t('purchase.success', { name: p?.package_name ?? '' }));
            loadDetail();
          }}
        />
      ) : null}
      {dialog === 'interaction' ? (
        <InteractionDialog
          customerId={c.id ?? id}
          customerName={c.name}
          onClose={closeDialog}
          onDone={() => {
            closeDialog();
            toast(t('interactionForm.success'));
            loadInteractions();
          }}
        />
      ) : null}
      {dialog && typeof dialog === 'object' && 'cancel' in dialog ? (
        <VoidVisitDialog
          session={dialog.cancel}
          mode={dialog.mode}
          onClose={closeDialog}
          onDone={(r) => {
            closeDialog();
            toast(r && r.refunded_amount > 0 ? t('void.doneRefund', { amount: formatWon(r.refunded_amount) }) : t('void.done'));
            loadDetail();
          }}
        />
      ) : null}
      {dialog && typeof dialog === 'object' && 'refund' in dialog ? (
        <RefundDialog
          pkg={dialog.refund}
          customerName={c.name}
          onClose={closeDialog}
          onDone={async (updated, refunded) => {
            closeDialog();
            const name = updated?.package_name ?? dialog.refund.package_name;
            toast(refunded > 0 ? t('refund.done', { name, amount: formatWon(refunded) }) : t('refund.doneNoRefund', { name }));
            const fresh = await loadDetail();
            // A cancelled package may leave the active list: then show it among the past ones,
            // so that the person sees the cancellation they just made.
            const stillListed = fresh?.activePackages?.some((p) => p.package_usage_id === dialog.refund.package_usage_id);
            if (showPast || !stillListed) {
              setShowPast(true);
              loadPast();
            }
          }}
        />
      ) : null}
      {dialog && typeof dialog === 'object' && 'receipt' in dialog ? <ReceiptDialog source={dialog.receipt} onClose={closeDialog} /> : null}
    </div>
  );
}

function BackLink() {
  return (
    <a class="back-link no-print" href={href({ name: 'search' })} data-testid="back-to-search">
      ← {t('common.back')}
    </a>
  );
}

function StatsStrip({ c }: { c: Customer }) {
  const items: [string, string, string][] = [
    ['first-visit', t('detail.firstVisit'), formatDate(c.first_visit_date)],
    ['last-visit', t('detail.lastVisit'), formatDate(c.last_visit_date)],
    ['total-visits', t('detail.totalVisits'), c.total_visits === null || c.total_visits === undefined ? '—' : t('common.times', { n: formatNumber(c.total_visits) })],
    ['avg-interval', t('detail.avgInterval'), c.average_visit_interval === null || c.average_visit_interval === undefined ? '—' : t('common.days', { n: formatNumber(c.average_visit_interval) })],
    ['total-revenue', t('detail.totalRevenue'), formatWon(c.total_revenue ?? 0)],
    ['avg-satisfaction', t('detail.avgSatisfaction'), formatRating(c.average_satisfaction)],
  ];
  return (
    <div class="stats-strip" data-testid="customer-stats">
      {items.map(([key, label, value]) => (
        <div class="stat" key={key} data-testid={`stat-${key}`}>
          <div class="stat-label">{label}</div>
          <div class="stat-value">
            {value}
            {key === 'avg-satisfaction' && c.average_satisfaction ? <span class="stat-unit"> / 5</span> : null}
          </div>
        </div>
      ))}
      <div class="stat" data-testid="stat-risk">
        <div class="stat-label">{t('detail.risk')}</div>
        <div class="stat-value">
          <RiskBadge level={c.risk_level} />
        </div>
      </div>
    </div>
  );
}

function Row({ label, children, testid }: { label: string; children: ComponentChildren; testid?: string }) {
  return (
    <>
      <dt>{label}</dt>
      <dd data-testid={testid}>{children}</dd>
    </>
  );
}

function listLabel(group: string, values: string[] | null | undefined) {
  if (!values || values.length === 0) return <span class="muted">{t('common.empty')}</span>;
  return (
    <span class="tag-list">
      {values.map((v) => (
        <span class="tag" key={v}>
          {group === 'service' ? serviceName(v) : tEnum(group, v)}
        </span>
      ))}
    </span>
  );
}

function consentMark(v: boolean | null | undefined) {
  if (v === true) return <span class="yes">✓ {t('common.yes')}</span>;
  if (v === false) return <span class="no">✕ {t('common.no')}</span>;
  return <span class="muted">{t('common.empty')}</span>;
}

function ProfileCard({ c }: { c: Customer }) {
  const cp = c.communication_preferences;
  return (
    <Card heading={t('detail.profile')} data-testid="profile-card">
      <dl class="kv">
        <Row label={t('field.phone')} testid="profile-phone">
          <Value v={c.phone} />
        </Row>
        <Row label={t('field.email')} testid="profile-email">
          <Value v={c.email} />
        </Row>
        <Row label={t('field.birth_year')} testid="profile-birth-year">
          <Value v={c.birth_year} />
        </Row>
        <Row label={t('field.gender')}>{c.gender ? tEnum('gender', c.gender) : <span class="muted">—</span>}</Row>
        <Row label={t('field.address')} testid="profile-address">
          <Value v={c.address} />
        </Row>
        <Row label={t('field.emergency_contact')} testid="profile-emergency-contact">
          <Value v={c.emergency_contact} />
        </Row>
        <Row label={t('field.occupation')}>
          <Value v={c.occupation} />
        </Row>
        <Row label={t('field.membership_level')}>
          <MembershipBadge level={c.membership_level} />
        </Row>
        <Row label={t('field.customer_status')}>{c.customer_status ? tEnum('status', c.customer_status) : '—'}</Row>
        <Row label={t('field.assigned_staff')}>
          <Value v={c.assigned_staff} />
        </Row>
        <Row label={t('field.preferred_time_slots')}>{listLabel('timeSlot', c.preferred_time_slots)}</Row>
        <Row label={t('field.preferred_services')}>{listLabel('service', c.preferred_services)}</Row>
        <Row label={t('field.preferred_channels')}>{listLabel('channel', cp?.preferred_channels)}</Row>
        <Row label={t('field.contact_time')}>{cp?.contact_time ? tEnum('timeSlot', cp.contact_time) : <span class="muted">—</span>}</Row>
        <Row label={t('field.consent_privacy')}>{consentMark(c.consent?.privacy)}</Row>
        <Row label={t('field.consent_marketing')}>{consentMark(c.consent?.marketing)}</Row>
        <Row label={t('field.consent_health_data')}>{consentMark(c.consent?.health_data)}</Row>
        <Row label={t('field.memo')} testid="profile-memo">
          {c.memo ? <span class="pre">{c.memo}</span> : <span class="muted">—</span>}
        </Row>
        <Row label={t('field.profile_completeness')}>
          {c.profile_completeness === null || c.profile_completeness === undefined ? (
            <span class="muted">—</span>
          ) : (
            <span class="completeness">
              <span class="mini-track">
                <span class="mini-fill" style={{ width: formatPercent(c.profile_completeness) }} />
              </span>
              {formatPercent(c.profile_completeness)}
            </span>
          )}
        </Row>
        <Row label={t('field.created_at')}>{formatDate(c.created_at)}</Row>
        <Row label={t('field.updated_at')}>{formatDateTime(c.updated_at)}</Row>
      </dl>
    </Card>
  );
}

/** Health fields, shown only when the server sent them (doctor/admin); null means hidden. */
function HealthCard({ c }: { c: Customer }) {
  const has =
    (c.health_goals !== null && c.health_goals !== undefined) ||
    (c.health_interests !== null && c.health_interests !== undefined) ||
    (c.preferred_intensity !== null && c.preferred_intensity !== undefined);
  if (!has) return null;
  return (
    <Card heading={t('detail.health')} data-testid="health-section" class="health-card">
      <dl class="kv">
        {c.health_goals !== null && c.health_goals !== undefined ? (
          <Row label={t('field.health_goals')} testid="health-goals">
            <span class="pre">{c.health_goals || '—'}</span>
          </Row>
        ) : null}
        {c.health_interests !== null && c.health_interests !== undefined ? (
          <Row label={t('field.health_interests')} testid="health-interests">
            {listLabel('interest', c.health_interests)}
          </Row>
        ) : null}
        {c.preferred_intensity !== null && c.preferred_intensity !== undefined ? (
          <Row label={t('field.preferred_intensity')} testid="health-intensity">
            {tEnum('intensity', c.preferred_intensity)}
          </Row>
        ) : null}
      </dl>
    </Card>
  );
}

function asList(v: string | string[] | null | undefined): string[] | null {
  if (v === null || v === undefined || v === '') return null;
  return Array.isArray(v) ? v : [v];
}

function PreferencesCard({ detail }: { detail: CustomerDetail }) {
  const p = detail.preferences;
  if (!p) return null;
  return (
    <Card heading={t('detail.preferences')} data-testid="preferences-card">
      <dl class="kv">
        <Row label={t('field.preferred_services')}>{listLabel('service', p.preferred_services)}</Row>
        <Row label={t('detail.preferredTime')}>{listLabel('timeSlot', asList(p.preferred_time))}</Row>
        {p.preferred_intensity !== null && p.preferred_intensity !== undefined ? (
          <Row label={t('field.preferred_intensity')}>{tEnum('intensity', p.preferred_intensity)}</Row>
        ) : null}
        {p.health_interests !== null && p.health_interests !== undefined ? (
          <Row label={t('field.health_interests')}>{listLabel('interest', p.health_interests)}</Row>
        ) : null}
        <Row label={t('detail.communication')}>{listLabel('channel', asList(p.communication_preference))}</Row>
        <Row label={t('detail.marketingConsent')}>{consentMark(p.marketing_consent)}</Row>
      </dl>
    </Card>
  );
}

/**
 * One package purchase. Its buttons come from the screen (the card is also shown on its own, in
 * tests and the search): a receipt for every purchase, 취소·환불 for managers on one not yet
 * cancelled. A cancelled purchase says so, with its refund, and shows what was used as plain
 * text instead of usage bars: its sessions left are gone, none of them can be chosen.
 */
export function PackageCard({ p, past = false, onReceipt, onRefund }: { p: PackageUsage; past?: boolean; onReceipt?: () => void; onRefund?: () => void }) {
  const status = statusOf(p);
  const cancelled = status === 'cancelled';
  const services = servicesOf(p, SERVICE_TYPES);
  const days = p.days_remaining;
  const expiry = expiryState(p);
  const used = p.used_sessions ?? 0;
  const total = p.total_sessions ?? 0;
  const remaining = cancelled ? 0 : (p.remaining_sessions ?? Math.max(0, total - used));
  return (
    <article
      class={`pkg-card pkg-${status}${past ? ' past' : ''}`}
      data-testid={past ? 'past-package-card' : 'package-card'}
      data-package-usage-id={p.package_usage_id}
      data-status={status}
    >
      <header class="pkg-head">
        <h3 class="pkg-title" data-testid="package-name">
          {p.package_name}
        </h3>
        <PackageStatusBadge status={status} />
      </header>
      <div class="pkg-dates">
        <span>
          {t('detail.purchaseDate')} <b class="mono">{formatDate(p.purchase_date)}</b>
        </span>
        <span>
          {t('detail.expiryDate')} <b class="mono">{formatDate(p.expiry_date)}</b>
        </span>
        {!cancelled && days !== null && days !== undefined ? (
          <span class={`dday dday-${expiry}`} data-testid="package-days-remaining" data-value={days} data-state={expiry}>
            {expiryText(p)}
          </span>
        ) : null}
      </div>
      <div class="pkg-total">
        <span data-testid="package-total-usage">{t('detail.sessionsUsed', { used, total })}</span>
        <span class="muted">{t('detail.remainingTotal', { n: remaining })}</span>
      </div>
      {cancelled ? (
        <div class="tpl-sessions" data-testid="package-cancelled-usage">
          {services.map((s) => (
            <span class="mini-chip" key={s}>
              {serviceName(s)} {Number(p.service_breakdown![s].used)}/{Number(p.service_breakdown![s].total)}
            </span>
          ))}
        </div>
      ) : (
        <div class="usage-list">
          {services.map((s) => {
            const b = p.service_breakdown![s];
            return <UsageBar key={s} service={s} used={Number(b.used)} total={Number(b.total)} />;
          })}
        </div>
      )}
      {p.overdrawn_sessions && p.overdrawn_sessions > 0 ? (
        <div class="warn" role="alert" data-testid="package-overdrawn">
          ⚠ {t('detail.overdrawn', { n: p.overdrawn_sessions })}
        </div>
      ) : null}
      {p.cancellation ? <CancellationNote c={p.cancellation} /> : null}
      {p.price_paid !== null && p.price_paid !== undefined ? (
        <footer class="pkg-foot">
          <span class="muted">{t('detail.pricePaid')}</span> <b class="mono">{formatWon(p.price_paid)}</b>
          {p.payment_method ? <span class="muted"> · {tEnum('payment', p.payment_method)}</span> : null}
        </footer>
      ) : null}
      {onReceipt || onRefund ? (
        <div class="pkg-actions">
          {onReceipt ? (
            <button type="button" class="btn btn-ghost btn-xs" data-testid="package-receipt-button" onClick={onReceipt}>
              {t('receipt.button')}
            </button>
          ) : null}
          {onRefund ? (
            <button type="button" class="btn btn-ghost btn-xs danger" data-testid="package-refund-button" onClick={onRefund}>
              {t('refund.button')}
            </button>
          ) : null}
        </div>
      ) : null}
    </article>
  );
}

/** How a purchase was cancelled: the refund (amount, method), the reason, when and by whom. */
function CancellationNote({ c }: { c: NonNullable<PackageUsage['cancellation']> }) {
  return (
    <div class="pkg-cancellation" data-testid="package-cancellation" data-refund-amount={c.refund_amount}>
      <div>
        <b>{c.refund_amount > 0 ? t('refund.refunded', { amount: formatWon(c.refund_amount) }) : t('refund.noRefund')}</b>
        {c.refund_amount > 0 && c.refund_method ? <span> · {tEnum('payment', c.refund_method)}</span> : null}
      </div>
      <div class="pre">{t('refund.reasonShown', { reason: c.reason })}</div>
      <div class="muted small">
        <span class="mono">{formatDateTime(c.cancelled_at)}</span>
        {c.cancelled_by ? ` · ${t('refund.by', { name: c.cancelled_by })}` : ''}
      </div>
    </div>
  );
}

/**
 * Re-render when the first of `times` (RFC 3339) passes, so that a 기록 취소 button goes away
 * when its ten minutes are over without waiting for something else to redraw the page.
 */
function useRerenderAt(times: (string | null | undefined)[]) {
  const [, setTick] = useState(0);
  const now = Date.now();
  const next = Math.min(...times.map((x) => (x ? Date.parse(x) : NaN)).filter((ms) => Number.isFinite(ms) && ms > now));
  useEffect(() => {
    if (!Number.isFinite(next)) return;
    // Capped: a timer far ahead is of no use (and setTimeout overflows past ~24 days).
    const id = setTimeout(() => setTick((n) => n + 1), Math.min(next - Date.now() + 50, 3_600_000));
    return () => clearTimeout(id);
  }, [next]);
}

function HistoryCard(props: {
  history: Session[];
  userId: string;
  canCancelAny: boolean;
  onCancel: (s: Session, mode: VoidMode) => void;
  onReceipt: (s: Session) => void;
}) {
  const { history } = props;
  useRerenderAt(history.filter((s) => !s.cancelled && s.created_by === props.userId).map((s) => s.void_until));
  return (
    <Card
      heading={
        <>
          {t('detail.history')} <span class="count">{history.length}</span>
        </>
      }
      data-testid="history-section"
    >
      {history.length === 0 ? (
        <div class="empty" data-testid="history-empty">
          {t('detail.historyEmpty')}
        </div>
      ) : (
        <div class="table-wrap flat">
          <table class="table history" data-testid="history-table">
            <thead>
              <tr>
                <th>{t('detail.col.date')}</th>
                <th>{t('detail.col.service')}</th>
                <th>{t('detail.col.package')}</th>
                <th class="col-optional">{t('detail.col.satisfaction')}</th>
                <th>{t('detail.col.staff')}</th>
                <th>{t('detail.col.notes')}</th>
                <th class="num">{t('detail.col.amount')}</th>
                <th>{t('detail.col.status')}</th>
              </tr>
            </thead>
            <tbody>
              {history.map((s) => (
                <tr
                  key={s.session_id}
                  class={s.cancelled ? 'cancelled' : undefined}
                  data-testid="history-row"
                  data-session-id={s.session_id}
                  data-service={s.service_type}
                  data-cancelled={s.cancelled ? 'true' : 'false'}
                  data-package-usage-id={s.package_usage_id ?? ''}
                >
                  <td class="mono strike">{formatDate(s.service_date)}</td>
                  <td class="strike">
                    {serviceName(s.service_type, s.service_name)}
                    {s.duration_minutes ? <span class="sub">{t('common.minutes', { n: s.duration_minutes })}</span> : null}
                  </td>
                  <td class="strike wraps">{s.package_name ? s.package_name : <span class="muted">{t('detail.singlePay')}</span>}</td>
                  <td class="col-optional">
                    <Stars value={s.satisfaction_rating} />
                  </td>
                  <td class="strike">{s.staff_name || <span class="muted">—</span>}</td>
                  <td class="notes-cell strike" title={s.session_notes ?? undefined}>
                    {s.session_notes || <span class="muted">—</span>}
                  </td>
                  <td class="num mono strike">
                    {s.amount !== null && s.amount !== undefined ? formatWon(s.amount) : '—'}
                    {isPaidVisit(s) && s.payment_method ? <span class="sub">{tEnum('payment', s.payment_method)}</span> : null}
                  </td>
                  <td class="status-cell">
                    <VisitActions s={s} {...props} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Card>
  );
}

/**
 * A visit's status and buttons: 취소됨 with why and by whom; a receipt for a paid visit; 방문 취소
 * for managers, or 기록 취소 for the person who recorded it while its ten minutes last.
 */
function VisitActions({ s, userId, canCancelAny, onCancel, onReceipt }: { s: Session; userId: string; canCancelAny: boolean; onCancel: (s: Session, mode: VoidMode) => void; onReceipt: (s: Session) => void }) {
  const receipt = isPaidVisit(s) ? (
    <button type="button" class="btn btn-ghost btn-xs" data-testid="visit-receipt-button" onClick={() => onReceipt(s)}>
      {t('receipt.button')}
    </button>
  ) : null;
  if (s.cancelled) {
    const info = [s.cancel_reason, s.cancelled_by ? t('void.cancelledBy', { name: s.cancelled_by }) : null].filter(Boolean).join(' · ');
    return (
      <>
        <div class="visit-actions">
          <span class="badge cancelled-badge" data-testid="cancelled-badge">
            {t('detail.cancelled')}
          </span>
          {receipt}
        </div>
        {info ? (
          <div class="cancel-info" data-testid="cancel-info" title={info}>
            {info}
          </div>
        ) : null}
      </>
    );
  }
  return (
    <div class="visit-actions">
      {receipt}
      {canCancelAny ? (
        <button type="button" class="btn btn-ghost btn-xs danger" data-testid="cancel-visit-button" onClick={() => onCancel(s, 'manager')}>
          {t('void.managerButton')}
        </button>
      ) : canVoidOwn(s, userId) ? (
        <button type="button" class="btn btn-ghost btn-xs danger" data-testid="void-visit-button" title={t('void.ownButtonTitle')} onClick={() => onCancel(s, 'own')}>
          {t('void.ownButton')}
        </button>
      ) : null}
    </div>
  );
}

function InteractionsCard({ list }: { list: InteractionList | null }) {
  const items = list?.interactions ?? [];
  const summary = list?.interaction_summary;
  return (
    <Card
      heading={
        <>
          {t('detail.interactions')} <span class="count">{summary?.total_interactions ?? items.length}</span>
        </>
      }
      actions={
        summary?.open_follow_ups ? (
          <span class="badge warn-badge" data-testid="open-follow-ups">
            {t('detail.openFollowUps', { n: summary.open_follow_ups })}
            {summary.overdue_follow_ups ? ` · ${t('today.overdueN', { n: summary.overdue_follow_ups })}` : ''}
          </span>
        ) : null
      }
      data-testid="interactions-section"
    >
      {list === null ? <Spinner /> : null}
      {list && items.length === 0 ? <div class="empty">{t('detail.interactionsEmpty')}</div> : null}
      <ul class="timeline">
        {items.map((x) => (
          <li key={x.id} class="tl-item" data-testid="interaction-item" data-type={x.type}>
            <div class="tl-dot" aria-hidden="true" />
            <div class="tl-body">
              <div class="tl-head">
                <span class={`badge ix-${x.type}`}>{tEnum('interaction', x.type)}</span>
                <span class="mono">{formatDateTime(x.date)}</span>
                {x.duration_minutes ? <span class="muted">{t('common.minutes', { n: x.duration_minutes })}</span> : null}
                {x.staff_name ? <span class="muted">{t('detail.by', { name: x.staff_name })}</span> : null}
              </div>
              {x.notes ? <div class="tl-notes pre">{x.notes}</div> : null}
              {x.outcome ? (
                <div class="tl-outcome">
                  <span class="muted">{t('detail.outcome')}:</span> {x.outcome}
                </div>
              ) : null}
              {x.follow_up && (x.follow_up.required || x.follow_up.date) ? (
                <div class="tl-follow" data-testid="interaction-follow-up">
                  <b>{t('detail.followUp')}</b> <span class="mono">{formatDateTime(x.follow_up.date)}</span>
                  {x.follow_up.type ? <span class="tag">{tEnum('interaction', x.follow_up.type)}</span> : null}
                  {x.follow_up.notes ? <span>{x.follow_up.notes}</span> : null}
                </div>
              ) : null}
            </div>
          </li>
        ))}
      </ul>
    </Card>
  );
}
