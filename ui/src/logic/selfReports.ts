// Self-reported health (issue 11): what a customer says of their stress, sleep, focus, pain and
// fatigue on 1–10, recorded by a doctor or an administrator with the customer's health-data
// consent (`GET`/`POST /api/v1/customers/{id}/self-reports`).

/** The five metrics, in the order the API and the table list them. */
export const SELF_REPORT_METRICS = ['stress_level', 'sleep_quality', 'focus_level', 'pain_level', 'fatigue_level'] as const;
export type SelfReportMetric = (typeof SELF_REPORT_METRICS)[number];

/** Stress, pain and fatigue improve when they fall; sleep quality and focus when they rise. */
export function lowerIsBetter(metric: SelfReportMetric): boolean {
  return metric === 'stress_level' || metric === 'pain_level' || metric === 'fatigue_level';
}

export interface SelfReportItem {
  id: string;
  reported_on: string;
  metric: string;
  /** The metric's Korean name (null for one this build does not know). */
  label: string | null;
  value: number;
  recorded_by: string | null;
  created_at: string;
}

/** `GET /customers/{id}/self-reports`: oldest first. */
export interface SelfReportList {
  customer_id: string;
  items: SelfReportItem[];
}

/** `POST /customers/{id}/self-reports` (201). */
export interface SelfReportAnswer {
  customer_id: string;
  reported_on: string;
  items: SelfReportItem[];
}

/** One day's reports: each metric's value that day. */
export interface SelfReportDay {
  date: string;
  values: Partial<Record<SelfReportMetric, SelfReportItem>>;
  /** Reports of that day that a later one of the same metric replaced. */
  replaced: number;
}

function isMetric(m: string): m is SelfReportMetric {
  return (SELF_REPORT_METRICS as readonly string[]).includes(m);
}

/**
 * The reports by day, newest day first. A metric recorded twice on one day counts with its
 * later value (as the server's analytics read it); metrics this build does not know are left out.
 */
export function reportsByDay(items: SelfReportItem[]): SelfReportDay[] {
  const days = new Map<string, SelfReportDay>();
  // The API lists them oldest first; recorded order within a day is kept by created_at.
  const ordered = [...items].sort((a, b) => a.reported_on.localeCompare(b.reported_on) || a.created_at.localeCompare(b.created_at));
  for (const item of ordered) {
    if (!isMetric(item.metric)) continue;
    let day = days.get(item.reported_on);
    if (!day) {
      day = { date: item.reported_on, values: {}, replaced: 0 };
      days.set(item.reported_on, day);
    }
    if (day.values[item.metric]) day.replaced += 1;
    day.values[item.metric] = item;
  }
  return [...days.values()].sort((a, b) => b.date.localeCompare(a.date));
}

export type Direction = 'improved' | 'worsened' | 'unchanged';

export interface MetricTrend {
  before: number;
  after: number;
  firstDate: string;
  latestDate: string;
  direction: Direction;
}

/**
 * Per metric, the first day's value against the latest day's — only for a metric reported on
 * two days or more (one day has nothing to compare).
 */
export function trends(days: SelfReportDay[]): Partial<Record<SelfReportMetric, MetricTrend>> {
  const out: Partial<Record<SelfReportMetric, MetricTrend>> = {};
  for (const metric of SELF_REPORT_METRICS) {
    const have = days.filter((d) => d.values[metric]).sort((a, b) => a.date.localeCompare(b.date));
    if (have.length < 2) continue;
    const before = have[0].values[metric]!.value;
    const after = have[have.length - 1].values[metric]!.value;
    const better = lowerIsBetter(metric) ? after < before : after > before;
    out[metric] = {
      before,
      after,
      firstDate: have[0].date,
      latestDate: have[have.length - 1].date,
      direction: after === before ? 'unchanged' : better ? 'improved' : 'worsened',
    };
  }
  return out;
}

/** The clinic's day (KST, UTC+9, no daylight saving) as YYYY-MM-DD: the server's "today". */
export function kstToday(now: number = Date.now()): string {
  return new Date(now + 9 * 3600_000).toISOString().slice(0, 10);
}

/**
 * The request body from what the form holds: the date when one is given, and each metric
 * that has a value. A number is sent as a number (the server says what is wrong with 0, 11 or
 * 7.5); text that is no number at all comes back in `notNumbers`, for the form to say so.
 */
export function selfReportBody(date: string, typed: Partial<Record<SelfReportMetric, string>>): { body: { reported_on?: string; values: Partial<Record<SelfReportMetric, number>> }; notNumbers: SelfReportMetric[] } {
  const values: Partial<Record<SelfReportMetric, number>> = {};
  const notNumbers: SelfReportMetric[] = [];
  for (const metric of SELF_REPORT_METRICS) {
    const raw = (typed[metric] ?? '').trim();
    if (raw === '') continue;
    if (/^[+-]?\d+(\.\d+)?$/.test(raw)) values[metric] = Number(raw);
    else notNumbers.push(metric);
  }
  const body: { reported_on?: string; values: Partial<Record<SelfReportMetric, number>> } = date ? { reported_on: date, values } : { values };
  return { body, notNumbers };
}
