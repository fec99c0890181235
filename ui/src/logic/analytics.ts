// 경영 분석 (managers' dashboard): the API's shapes, the period in the address, and the pure
// rules the screen shows them by — growth arrows, the reasons a figure is missing, chart sizes
// and the clean-up of a chart's SVG before it goes into the page.

import { isIsoDate } from './dates';
import { daysBetween } from './format';
import type { Role } from '../types';

// ---------------------------------------------------------------------------------------------
// `GET /api/v1/analytics/dashboard`

/** A figure the server could not compute, and why (in the language asked for). */
export interface Unavailable {
  field: string;
  reason: string;
}

export interface DateRange {
  start: string;
  end: string;
  days: number;
}

export interface DashboardRevenue {
  total: number;
  currency: string;
  visit_revenue: number;
  purchase_revenue: number;
  previous_total: number;
  growth_rate: number | null;
  daily_average: number;
  trend: string;
  trend_label: string;
  unavailable: Unavailable[];
}

export interface DashboardPurchases {
  total: number;
  revenue: number;
  previous_total: number;
  growth_rate: number | null;
  average_value: number | null;
  unavailable: Unavailable[];
}

export interface DashboardVisits {
  total: number;
  paid_revenue: number;
  previous_total: number;
  growth_rate: number | null;
  daily_average: number;
  unavailable: Unavailable[];
}

export interface DashboardCustomers {
  total_active: number;
  new_customers: number;
  returning_customers: number;
  retention_rate: number | null;
  previous_active: number;
  unavailable: Unavailable[];
}

export interface ServiceFigures {
  service: string;
  name: string;
  visits: number;
  revenue: number;
  visit_share: number;
  rank: number | null;
}

export interface DailyPoint {
  date: string;
  revenue: number;
  visits: number;
  purchases: number;
  new_customers: number;
}

export interface Dashboard {
  period: string;
  date_range: DateRange;
  previous_range: DateRange;
  revenue: DashboardRevenue;
  purchases: DashboardPurchases;
  visits: DashboardVisits;
  customers: DashboardCustomers;
  services: ServiceFigures[];
  daily_trend: DailyPoint[];
  top_services?: ServiceFigures[];
}

// ---------------------------------------------------------------------------------------------
// `GET /api/v1/analytics/forecast`

export type ForecastMetric = 'revenue' | 'visits';
export const FORECAST_METRICS: ForecastMetric[] = ['revenue', 'visits'];
/** Days ahead the panel forecasts. */
export const FORECAST_DAYS = 30;

export interface ForecastPoint {
  date: string;
  value: number;
  lower80?: number;
  upper80?: number;
  lower95?: number;
  upper95?: number;
}

export interface ForecastInsight {
  type: string;
  message: string;
}

export interface ErrorMeasures {
  mae: number;
  mape?: number | null;
  smape?: number | null;
}

export interface ForecastAccuracy {
  train_days: number;
  holdout_days: number;
  train_end?: string;
  model: ErrorMeasures;
  baseline: ErrorMeasures;
  beats_baseline: boolean;
}

export interface ForecastAnswer {
  metric: ForecastMetric;
  unit: string;
  scope: string;
  history_start: string;
  history_end: string;
  forecast: {
    start_date: string;
    end_date: string;
    days: number;
    points: ForecastPoint[];
    total: number;
  };
  insights: ForecastInsight[];
  accuracy: ForecastAccuracy | null;
  accuracy_unavailable: string | null;
}

// ---------------------------------------------------------------------------------------------
// Who, and which period

/** Analytics, segments, forecasts: managers and administrators (PRODUCT.md's matrix). */
export function canSeeAnalytics(role: Role | string | undefined): boolean {
  return role === 'manager' || role === 'admin';
}

export type Period = 'day' | 'week' | 'month' | 'year';
export const PERIODS: Period[] = ['day', 'week', 'month', 'year'];
/** What the server answers for no period: the last 30 days. */
export const DEFAULT_PERIOD: Period = 'month';
/** The longest custom range the server takes (days, both ends counted). */
export const MAX_RANGE_DAYS = 1096;

export type Selection = { kind: 'period'; period: Period } | { kind: 'range'; start: string; end: string };

/** The period the address names: a whole range, else a known period, else the default. */
export function selectionOf(route: { period?: string; start?: string; end?: string }): Selection {
  if (route.start && route.end && isIsoDate(route.start) && isIsoDate(route.end)) return { kind: 'range', start: route.start, end: route.end };
  if (route.period && (PERIODS as string[]).includes(route.period)) return { kind: 'period', period: route.period as Period };
  return { kind: 'period', period: DEFAULT_PERIOD };
}

/** The query string the dashboard and the period's charts take for a selection. */
export function selectionQuery(s: Selection): string {
  return s.kind === 'range' ? `start_date=${s.start}&end_date=${s.end}` : `period=${s.period}`;
}

export function metricOf(v: string | undefined): ForecastMetric {
  return v === 'visits' ? 'visits' : 'revenue';
}

/**
 * Why a custom range cannot be asked for (a key of the screen's strings), or null when it can:
 * both dates, in order, no longer than the server takes.
 */
export function rangeProblem(start: string, end: string): 'missing' | 'order' | 'tooLong' | null {
  if (!isIsoDate(start) || !isIsoDate(end)) return 'missing';
  if (start > end) return 'order';
  if (daysBetween(start, end) + 1 > MAX_RANGE_DAYS) return 'tooLong';
  return null;
}

// ---------------------------------------------------------------------------------------------
// Figures

export type Direction = 'up' | 'down' | 'flat';

/** The way a growth rate (a percentage, 11.6 = +11.6 %) points; rounding to 0.1 decides "flat". */
export function directionOf(rate: number): Direction {
  const r = Math.round(rate * 10) / 10;
  return r > 0 ? 'up' : r < 0 ? 'down' : 'flat';
}

/** 11.6 → "▲ 11.6%", -3 → "▼ 3.0%", 0 → "0.0%". */
export function formatGrowth(rate: number): string {
  const dir = directionOf(rate);
  const abs = Math.abs(Math.round(rate * 10) / 10).toFixed(1);
  return dir === 'up' ? `▲ ${abs}%` : dir === 'down' ? `▼ ${abs}%` : `${abs}%`;
}

/** 53.1 → "53.1%" (a percentage already). */
export function formatRate(rate: number): string {
  return `${(Math.round(rate * 10) / 10).toFixed(1)}%`;
}

/** The server's reason for a missing field of a section, if it gave one. */
export function reasonFor(unavailable: Unavailable[] | null | undefined, field: string): string | null {
  return unavailable?.find((u) => u.field === field)?.reason ?? null;
}

/** The top services table: `top_services` (ranked by revenue) when given, else `services`. */
export function topServicesOf(d: Dashboard): ServiceFigures[] {
  const list = d.top_services && d.top_services.length ? d.top_services : d.services;
  return [...list].sort((a, b) => (a.rank ?? Number.MAX_SAFE_INTEGER) - (b.rank ?? Number.MAX_SAFE_INTEGER) || b.revenue - a.revenue);
}

// ---------------------------------------------------------------------------------------------
// Charts

export type ChartName = 'revenue-trend' | 'service-mix' | 'visit-heatmap' | 'forecast' | 'segment-scatter' | 'churn-risk';

/** Height per width of each chart, and the tallest it is asked for. */
const SHAPES: Record<ChartName, { ratio: number; maxHeight: number; minHeight: number }> = {
  'revenue-trend': { ratio: 0.36, maxHeight: 420, minHeight: 260 },
  'service-mix': { ratio: 0.62, maxHeight: 420, minHeight: 260 },
  'visit-heatmap': { ratio: 0.4, maxHeight: 440, minHeight: 280 },
  forecast: { ratio: 0.5, maxHeight: 420, minHeight: 260 },
  // The customer model's (issue 11): segments on two axes, customers by churn risk.
  'segment-scatter': { ratio: 0.62, maxHeight: 460, minHeight: 260 },
  'churn-risk': { ratio: 0.62, maxHeight: 460, minHeight: 260 },
};

/**
 * The size a chart is drawn at for a box `boxWidth` pixels wide: the box's own width (so the
 * chart's text is drawn at the size it is read at), in steps of 20 px, within what the server
 * takes (200–4000); 800 wide when the box has no width yet.
 */
export function chartSize(name: ChartName, boxWidth: number): { width: number; height: number } {
  const shape = SHAPES[name];
  const w = boxWidth > 0 ? Math.round(boxWidth / 20) * 20 : 800;
  const width = Math.min(1600, Math.max(320, w));
  const height = Math.min(shape.maxHeight, Math.max(shape.minHeight, Math.round((width * shape.ratio) / 10) * 10));
  return { width, height };
}

export function chartPath(name: ChartName, query: string, size: { width: number; height: number }): string {
  return `/api/v1/charts/${name}?format=svg&width=${size.width}&height=${size.height}${query ? `&${query}` : ''}`;
}

/** What a chart's SVG may hold: drawing and text, nothing that runs, links or loads. */
const SVG_ELEMENTS = new Set(['svg', 'g', 'rect', 'circle', 'ellipse', 'line', 'polyline', 'polygon', 'path', 'text', 'tspan', 'title', 'desc']);

/**
 * A chart's SVG made safe to put into the page: only drawing elements, no scripts, event
 * handlers, links, styles or external references, and sized by its box (the viewBox keeps its
 * proportions). Null when the text is not an SVG document.
 */
export function sanitizeSvg(text: string): string | null {
  if (typeof DOMParser === 'undefined') return null;
  const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
  const root = doc.documentElement;
  if (!root || root.nodeName.toLowerCase() !== 'svg' || doc.getElementsByTagName('parsererror').length > 0) return null;
  const clean = (el: Element) => {
    for (const child of [...el.children]) {
      if (!SVG_ELEMENTS.has(child.nodeName.toLowerCase())) child.remove();
      else clean(child);
    }
    for (const attr of [...el.attributes]) {
      const name = attr.name.toLowerCase();
      const value = attr.value.toLowerCase();
      if (name.startsWith('on') || name.includes('href') || name === 'style' || name === 'class' || name === 'id' || value.includes('url(') || value.includes('javascript:')) {
        el.removeAttribute(attr.name);
      }
    }
  };
  clean(root);
  const width = Number.parseFloat(root.getAttribute('width') ?? '');
  const height = Number.parseFloat(root.getAttribute('height') ?? '');
  if (!root.getAttribute('viewBox') && width > 0 && height > 0) root.setAttribute('viewBox', `0 0 ${width} ${height}`);
  root.removeAttribute('width');
  root.removeAttribute('height');
  root.setAttribute('preserveAspectRatio', 'xMidYMid meet');
  root.setAttribute('aria-hidden', 'true');
  root.setAttribute('focusable', 'false');
  return new XMLSerializer().serializeToString(root);
}

