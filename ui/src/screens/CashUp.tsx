import type { ComponentChildren } from 'preact';
import { useEffect, useLayoutEffect, useState } from 'preact/hooks';
import { ApiError, api } from '../api';
import { DateInput } from '../components/DateInput';
import { Card, ErrorBox, Spinner } from '../components/ui';
import { useApp } from '../context';
import { t, tEnum } from '../i18n';
import { kstDateTime, kstToday } from '../logic/audit';
import { isIsoDate } from '../logic/dates';
import { describeError } from '../logic/errors';
import { addDays, formatNumber, formatWon } from '../logic/format';
import { href, navigate } from '../router';
import type { Role } from '../types';
import { loadClinicSettings } from './ClinicSettings';

// `GET /api/v1/cash-up?date=YYYY-MM-DD` (money-api.md § Daily cash-up).

export type CashUpMethod = 'card' | 'cash' | 'transfer' | 'unrecorded';

export interface CashUpAmounts {
  sales_count: number;
  sales_amount: number;
  refund_count: number;
  refund_amount: number;
  net_amount: number;
}

export interface CashUpMethodLine extends CashUpAmounts {
  payment_method: CashUpMethod;
}

export interface CashUpSale {
  kind: 'purchase' | 'visit';
  id: string;
  customer_id: string;
  customer_name: string;
  description: string;
  amount: number;
  payment_method: string | null;
  recorded_at: string;
  staff_name: string | null;
  cancelled: boolean;
}

export interface CashUpRefund {
  kind: 'purchase' | 'visit';
  id: string;
  customer_id: string;
  customer_name: string;
  description: string;
  amount: number;
  payment_method: string | null;
  cancelled_at: string;
  reason: string | null;
  cancelled_by: string | null;
}

export interface CashUpData {
  date: string;
  methods: CashUpMethodLine[];
  totals: CashUpAmounts;
  sales: CashUpSale[];
  refunds: CashUpRefund[];
}

/** Who sees the day's money: the same roles the server lets read it. */
export function canSeeCashUp(role: Role | string | undefined): boolean {
  return role === 'admin' || role === 'manager';
}

/** A payment method's label; sales from before methods were taken have none ("unrecorded"). */
export function methodLabel(method: string | null | undefined): string {
  return !method || method === 'unrecorded' ? t('cashup.unrecorded') : tEnum('payment', method);
}

/**
 * When something happened, for a list of one clinic day: the KST time alone on that day, the
 * date too otherwise (a purchase entered later with an earlier purchase date).
 */
export function clinicTime(instant: string, day: string): string {
  const full = kstDateTime(instant);
  if (full.length < 16) return full;
  return full.slice(0, 10) === day ? full.slice(11, 16) : full.slice(0, 16);
}

function dayOf(routeDate: string | undefined): string {
  return routeDate && isIsoDate(routeDate) ? routeDate : kstToday();
}

/** 일일 정산 (`#/cash-up[?date=]`): admins and managers; anyone else is told so. */
export function CashUpScreen({ date }: { date?: string }) {
  const { user } = useApp();
  if (!canSeeCashUp(user.role)) return <Forbidden />;
  return <CashUp routeDate={date} />;
}

function Forbidden() {
  return (
    <div class="screen cashup-screen">
      <ErrorBox testid="cashup-forbidden">{t('cashup.forbidden')}</ErrorBox>
    </div>
  );
}

/** The clinic's name for the printed header; a cash-up without it is still a cash-up. */
function useClinicName(): string | null {
  const [name, setName] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    loadClinicSettings()
      .then((s) => live && setName(s.name))
      .catch(() => {
        /* printed without the clinic's name */
      });
    return () => {
      live = false;
    };
  }, []);
  return name;
}

/**
 * Printing. The printed header carries the time of printing, so it is set just before the
 * page is printed: by the print button (window.print() in a layout effect, once the new time
 * is in the page) and by the browser's own print command (`beforeprint`).
 */
function usePrint(): { printedAt: Date; print: () => void } {
  const [printedAt, setPrintedAt] = useState(() => new Date());
  const [requests, setRequests] = useState(0);
  useLayoutEffect(() => {
    if (requests > 0) window.print();
  }, [requests]);
  useEffect(() => {
    const on = () => setPrintedAt(new Date());
    window.addEventListener('beforeprint', on);
    return () => window.removeEventListener('beforeprint', on);
  }, []);
  return {
    printedAt,
    print: () => {
      setPrintedAt(new Date());
      setRequests((n) => n + 1);
    },
  };
}

function CashUp({ routeDate }: { routeDate?: string }) {
  const [date, setDate] = useState(() => dayOf(routeDate));
  const [data, setData] = useState<CashUpData | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [forbidden, setForbidden] = useState(false);
  const [reload, setReload] = useState(0);
  const clinicName = useClinicName();
  const { printedAt, print } = usePrint();
  const today = kstToday();

  // The address changed (the sidebar entry: today again; back/forward: the day it names).
  useEffect(() => setDate(dayOf(routeDate)), [routeDate]);

  useEffect(() => {
    let live = true;
    setLoading(true);
    setError(null);
    api<CashUpData>('GET', `/api/v1/cash-up?date=${encodeURIComponent(date)}`)
      .then((r) => live && setData(r.data))
      .catch((e) => {
        if (!live) return;
        if (e instanceof ApiError && e.status === 403) setForbidden(true);
        else setError(describeError(e));
      })
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
  }, [date, reload]);

  // The day goes into the address too (replacing it: the day picker adds no history).
  const choose = (day: string) => {
    if (!isIsoDate(day) || day === date) return;
    setDate(day);
    navigate({ name: 'cashUp', date: day }, true);
  };

  if (forbidden) return <Forbidden />;

  return (
    <div class="screen cashup-screen print-target" data-testid="cashup-screen" data-date={data?.date}>
      <div class="screen-head no-print">
        <h1>{t('cashup.title')}</h1>
        <div class="cashup-controls">
          <DayPicker date={date} today={today} onChange={choose} />
          <button type="button" class="btn btn-primary btn-sm" data-testid="cashup-print" disabled={!data || loading} onClick={print}>
            {t('cashup.print')}
          </button>
        </div>
      </div>
      <p class="muted small cashup-explain no-print">{t('cashup.explain')}</p>
      {data ? <PrintHead clinicName={clinicName} date={data.date} printedAt={printedAt} /> : null}
      {error ? (
        <ErrorBox testid="cashup-error">
          {error}{' '}
          <button type="button" class="btn btn-outline btn-sm no-print" onClick={() => setReload((n) => n + 1)}>
            {t('common.retry')}
          </button>
        </ErrorBox>
      ) : null}
      {data ? (
        // The last day shown stays, dimmed, while the next one loads.
        <div class={`cashup-body${loading ? ' is-loading' : ''}`} aria-busy={loading}>
          <MethodsCard data={data} />
          {data.sales.length === 0 && data.refunds.length === 0 ? (
            <div class="card empty" data-testid="cashup-empty">
              {t('cashup.empty', { date: data.date })}
            </div>
          ) : (
            <>
              <SalesCard sales={data.sales} day={data.date} />
              <RefundsCard refunds={data.refunds} day={data.date} />
            </>
          )}
        </div>
      ) : error ? null : (
        <Spinner />
      )}
    </div>
  );
}

function DayPicker({ date, today, onChange }: { date: string; today: string; onChange: (day: string) => void }) {
  return (
    <div class="cashup-day" role="group" aria-label={t('cashup.date')}>
      <button type="button" class="btn btn-outline btn-sm btn-icon" data-testid="cashup-prev-day" aria-label={t('cashup.prevDay')} title={t('cashup.prevDay')} onClick={() => onChange(addDays(date, -1))}>
        ‹
      </button>
      <DateInput testid="cashup-date" ariaLabel={t('cashup.date')} value={date} max={today} onChange={onChange} />
      <button
        type="button"
        class="btn btn-outline btn-sm btn-icon"
        data-testid="cashup-next-day"
        aria-label={t('cashup.nextDay')}
        title={t('cashup.nextDay')}
        disabled={date >= today}
        onClick={() => onChange(addDays(date, 1))}
      >
        ›
      </button>
      {date !== today ? (
        <button type="button" class="btn btn-ghost btn-sm" data-testid="cashup-today" onClick={() => onChange(today)}>
          {t('cashup.today')}
        </button>
      ) : null}
    </div>
  );
}

/** Only printed (styles.css): whose cash-up, which day, when it was printed. */
function PrintHead({ clinicName, date, printedAt }: { clinicName: string | null; date: string; printedAt: Date }) {
  return (
    <header class="cashup-print-head" data-testid="cashup-print-head">
      {clinicName ? (
        <div class="cashup-clinic-name" data-testid="cashup-clinic-name">
          {clinicName}
        </div>
      ) : null}
      <h1>{t('cashup.printTitle', { date })}</h1>
      <div class="small" data-testid="cashup-printed-at">
        {t('cashup.printedAt', { time: kstDateTime(printedAt.toISOString()).slice(0, 16) })}
      </div>
    </header>
  );
}

function AmountCells({ a }: { a: CashUpAmounts }) {
  return (
    <>
      <td class="num mono">{formatNumber(a.sales_count)}</td>
      <td class="num mono">{formatWon(a.sales_amount)}</td>
      <td class="num mono">{formatNumber(a.refund_count)}</td>
      <td class="num mono">{formatWon(a.refund_amount)}</td>
      <td class="num mono strong">{formatWon(a.net_amount)}</td>
    </>
  );
}

function MethodsCard({ data }: { data: CashUpData }) {
  const unrecorded = data.methods.some((m) => m.payment_method === 'unrecorded');
  return (
    <Card class="cashup-card" heading={t('cashup.byMethod')} data-testid="cashup-methods">
      <div class="table-wrap flat">
        <table class="table cashup-table">
          <thead>
            <tr>
              <th>{t('cashup.method')}</th>
              <th class="num">{t('cashup.salesCount')}</th>
              <th class="num">{t('cashup.salesAmount')}</th>
              <th class="num">{t('cashup.refundCount')}</th>
              <th class="num">{t('cashup.refundAmount')}</th>
              <th class="num">{t('cashup.net')}</th>
            </tr>
          </thead>
          <tbody>
            {data.methods.map((m) => (
              <tr key={m.payment_method} data-testid="cashup-method-row" data-method={m.payment_method}>
                <td>{methodLabel(m.payment_method)}</td>
                <AmountCells a={m} />
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr class="cashup-total-row" data-testid="cashup-totals">
              <td>{t('cashup.total')}</td>
              <AmountCells a={data.totals} />
            </tr>
          </tfoot>
        </table>
      </div>
      {unrecorded ? <p class="muted small cashup-note">{t('cashup.unrecordedNote')}</p> : null}
    </Card>
  );
}

function CustomerLink({ id, name }: { id: string | null; name: string | null }) {
  if (!id) return <>{name ?? t('common.empty')}</>;
  return (
    <a href={href({ name: 'detail', id })} class="strong" data-testid="cashup-customer-link">
      {name ?? t('common.empty')}
    </a>
  );
}

function What({ kind, description }: { kind: string; description: string }) {
  return (
    <>
      <span class="tag">{tEnum('cashup.kind', kind)}</span> {description}
    </>
  );
}

function ListCard(props: { title: string; count: number; testid: string; emptyText: string; emptyTestid: string; children: ComponentChildren }) {
  return (
    <Card
      class="cashup-card"
      data-testid={props.testid}
      heading={
        <>
          {props.title}
          <span class="count">{t('cashup.countN', { n: formatNumber(props.count) })}</span>
        </>
      }
    >
      {props.count === 0 ? (
        <div class="empty" data-testid={props.emptyTestid}>
          {props.emptyText}
        </div>
      ) : (
        <div class="table-wrap flat">{props.children}</div>
      )}
    </Card>
  );
}

function SalesCard({ sales, day }: { sales: CashUpSale[]; day: string }) {
  return (
    <ListCard title={t('cashup.sales')} count={sales.length} testid="cashup-sales" emptyText={t('cashup.noSales')} emptyTestid="cashup-sales-empty">
      <table class="table cashup-table">
        <thead>
          <tr>
            <th>{t('cashup.time')}</th>
            <th>{t('cashup.customer')}</th>
            <th>{t('cashup.what')}</th>
            <th>{t('cashup.method')}</th>
            <th class="num">{t('cashup.amount')}</th>
            <th>{t('cashup.staff')}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {sales.map((s) => (
            <tr key={`${s.kind}-${s.id}`} data-testid="cashup-sale-row" data-kind={s.kind} data-id={s.id} data-cancelled={String(s.cancelled)} class={s.cancelled ? 'cancelled' : ''}>
              <td class="mono">{clinicTime(s.recorded_at, day)}</td>
              <td>
                <CustomerLink id={s.customer_id} name={s.customer_name} />
              </td>
              <td class="wrap">
                <What kind={s.kind} description={s.description} />
              </td>
              <td>{methodLabel(s.payment_method)}</td>
              <td class="num mono">{formatWon(s.amount)}</td>
              <td>{s.staff_name ?? t('common.empty')}</td>
              <td>
                {s.cancelled ? (
                  <span class="badge cancelled-badge" data-testid="cashup-cancelled" title={t('cashup.cancelledTitle')}>
                    {t('cashup.cancelled')}
                  </span>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </ListCard>
  );
}

function RefundsCard({ refunds, day }: { refunds: CashUpRefund[]; day: string }) {
  return (
    <ListCard title={t('cashup.refunds')} count={refunds.length} testid="cashup-refunds" emptyText={t('cashup.noRefunds')} emptyTestid="cashup-refunds-empty">
      <table class="table cashup-table">
        <thead>
          <tr>
            <th>{t('cashup.time')}</th>
            <th>{t('cashup.customer')}</th>
            <th>{t('cashup.what')}</th>
            <th>{t('cashup.method')}</th>
            <th class="num">{t('cashup.amount')}</th>
            <th>{t('cashup.reason')}</th>
            <th>{t('cashup.by')}</th>
          </tr>
        </thead>
        <tbody>
          {refunds.map((r) => (
            <tr key={`${r.kind}-${r.id}`} data-testid="cashup-refund-row" data-kind={r.kind} data-id={r.id}>
              <td class="mono">{clinicTime(r.cancelled_at, day)}</td>
              <td>
                <CustomerLink id={r.customer_id} name={r.customer_name} />
              </td>
              <td class="wrap">
                <What kind={r.kind} description={r.description} />
              </td>
              <td>{methodLabel(r.payment_method)}</td>
              <td class="num mono">{formatWon(r.amount)}</td>
              <td class="wrap">{r.reason ?? t('common.empty')}</td>
              <td>{r.cancelled_by ?? t('common.empty')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </ListCard>
  );
}
