import { describe, expect, it } from 'vitest';
import { apiText } from '../src/api';
import { chartPath, chartSize, directionOf, formatGrowth, formatRate, rangeProblem, reasonFor, sanitizeSvg, selectionOf, selectionQuery, topServicesOf, type Dashboard } from '../src/logic/analytics';
import { href, parseRoute } from '../src/router';
import { setupApi } from './helpers';

describe('analytics rules', () => {
  it('growth: arrows by direction, one decimal, flat when it rounds to zero', () => {
    expect(formatGrowth(11.6)).toBe('▲ 11.6%');
    expect(formatGrowth(-4.26)).toBe('▼ 4.3%');
    expect(formatGrowth(0)).toBe('0.0%');
    expect(formatGrowth(0.04)).toBe('0.0%');
    expect(directionOf(0.04)).toBe('flat');
    expect(directionOf(99.4)).toBe('up');
    expect(directionOf(-0.2)).toBe('down');
    expect(formatRate(53.1)).toBe('53.1%');
    expect(formatRate(72)).toBe('72.0%');
  });

  it('the period from the address: a whole range first, then a known period, else 30 days', () => {
    expect(selectionOf({})).toEqual({ kind: 'period', period: 'month' });
    expect(selectionOf({ period: 'week' })).toEqual({ kind: 'period', period: 'week' });
    expect(selectionOf({ period: 'decade' })).toEqual({ kind: 'period', period: 'month' });
    expect(selectionOf({ start: '2026-11-01', end: '2026-11-10', period: 'week' })).toEqual({ kind: 'range', start: '2026-11-01', end: '2026-11-10' });
    expect(selectionOf({ start: '2026-11-01' })).toEqual({ kind: 'period', period: 'month' });
    expect(selectionOf({ start: '2026-02-30', end: '2026-03-01' })).toEqual({ kind: 'period', period: 'month' });
    expect(selectionQuery({ kind: 'period', period: 'year' })).toBe('period=year');
    expect(selectionQuery({ kind: 'range', start: '2026-11-01', end: '2026-11-10' })).toBe('start_date=2026-11-01&end_date=2026-11-10');
  });

  it('a custom range: both dates, in order, at most 1,096 days', () => {
    expect(rangeProblem('2026-11-01', '2026-11-10')).toBeNull();
    expect(rangeProblem('2026-11-01', '2026-11-01')).toBeNull();
    expect(rangeProblem('', '2026-11-10')).toBe('missing');
    expect(rangeProblem('2026-11-11', '2026-11-10')).toBe('order');
    // 2024 is a leap year: 2024-01-01 … 2026-12-31 is exactly 1,096 days.
    expect(rangeProblem('2024-01-01', '2026-12-31')).toBeNull();
    expect(rangeProblem('2024-01-01', '2027-01-01')).toBe('tooLong');
  });

  it('routes keep the period, the range and the metric', () => {
    expect(parseRoute('#/analytics')).toEqual({ name: 'analytics' });
    expect(parseRoute('#/analytics?period=week&metric=visits')).toEqual({ name: 'analytics', period: 'week', metric: 'visits' });
    expect(parseRoute('#/analytics?start_date=2026-11-01&end_date=2026-11-10')).toEqual({ name: 'analytics', start: '2026-11-01', end: '2026-11-10' });
    expect(href({ name: 'analytics' })).toBe('#/analytics');
    expect(href({ name: 'analytics', period: 'year' })).toBe('#/analytics?period=year');
    expect(href({ name: 'analytics', start: '2026-11-01', end: '2026-11-10', period: 'week', metric: 'visits' })).toBe('#/analytics?start_date=2026-11-01&end_date=2026-11-10&metric=visits');
    for (const h of ['#/analytics?period=day', '#/analytics?start_date=2026-01-01&end_date=2026-01-31&metric=visits']) expect(href(parseRoute(h))).toBe(h);
  });

  it('charts are drawn at the width they are shown at, within the server’s limits', () => {
    expect(chartSize('revenue-trend', 903)).toEqual({ width: 900, height: 320 });
    expect(chartSize('revenue-trend', 0)).toEqual({ width: 800, height: 290 });
    expect(chartSize('service-mix', 100)).toEqual({ width: 320, height: 260 });
    expect(chartSize('visit-heatmap', 5000)).toEqual({ width: 1600, height: 440 });
    expect(chartPath('forecast', 'metric=visits&days=30', { width: 640, height: 320 })).toBe('/api/v1/charts/forecast?format=svg&width=640&height=320&metric=visits&days=30');
  });

  it('a chart’s SVG keeps its drawing and text and loses anything that runs, links or loads', () => {
    const dirty = `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="400" height="200" onload="alert(1)">
      <script>alert(2)</script>
      <foreignObject><div>x</div></foreignObject>
      <image href="https://example.com/x.png" />
      <a href="javascript:alert(3)"><text x="1" y="2">링크</text></a>
      <rect x="0" y="0" width="10" height="10" fill="url(https://example.com/#p)" style="fill:red" />
      <polyline points="0,0 1,1" stroke="#123456" onmouseover="alert(4)" />
      <text x="5" y="5" font-family="NanumGothic">매출 추이</text>
    </svg>`;
    const clean = sanitizeSvg(dirty)!;
    expect(clean).toBeTruthy();
    expect(clean).not.toMatch(/script|foreignObject|<image|<a\b|onload|onmouseover|javascript|url\(|style=|example\.com/);
    expect(clean).toContain('매출 추이');
    expect(clean).toContain('points="0,0 1,1"');
    expect(clean).toContain('viewBox="0 0 400 200"');
    expect(clean).not.toMatch(/ width="400"/);
    expect(sanitizeSvg('{"success":false}')).toBeNull();
    expect(sanitizeSvg('<html><body>no</body></html>')).toBeNull();
  });

  it('the reason the server gave for a missing field', () => {
    expect(reasonFor([{ field: 'growth_rate', reason: '없음' }], 'growth_rate')).toBe('없음');
    expect(reasonFor([], 'growth_rate')).toBeNull();
    expect(reasonFor(undefined, 'growth_rate')).toBeNull();
  });

  it('services ranked by the server’s rank, falling back to revenue', () => {
    const d = {
      services: [
        { service: 'a', name: 'A', visits: 1, revenue: 10, visit_share: 10, rank: null },
        { service: 'b', name: 'B', visits: 1, revenue: 30, visit_share: 10, rank: null },
      ],
      top_services: [],
    } as unknown as Dashboard;
    expect(topServicesOf(d).map((s) => s.service)).toEqual(['b', 'a']);
  });
});

describe('apiText', () => {
  it('reads a body that is not an envelope, with the token, and throws the envelope’s error', async () => {
    const api = setupApi({
      'GET /api/v1/charts/revenue-trend': () => ({ raw: '<svg xmlns="http://www.w3.org/2000/svg"/>' }),
      'GET /api/v1/charts/forecast': () => ({ status: 400, error: { code: 'INSUFFICIENT_DATA', message: '예측에는 기록된 날이 16일 이상 필요합니다' } }),
    });
    const ok = await apiText('/api/v1/charts/revenue-trend?format=svg', 'image/svg+xml');
    expect(ok.text).toBe('<svg xmlns="http://www.w3.org/2000/svg"/>');
    expect(api.calls[0].headers.Accept).toBe('image/svg+xml');
    await expect(apiText('/api/v1/charts/forecast?format=svg')).rejects.toMatchObject({ status: 400, code: 'INSUFFICIENT_DATA', message: '예측에는 기록된 날이 16일 이상 필요합니다' });
  });

  it('decodes a body the desktop bridge sent in base64', async () => {
    const { configureApi } = await import('../src/api');
    setupApi({});
    const text = '<svg>한글</svg>';
    const b64 = btoa(String.fromCharCode(...new TextEncoder().encode(text)));
    configureApi({ transport: async () => ({ status: 200, headers: { 'x-clinicdesk-body-encoding': 'base64', 'content-type': 'image/svg+xml' }, body: b64 }) });
    const got = await apiText('/api/v1/charts/x');
    expect(got.text).toBe(text);
    expect(got.contentType).toBe('image/svg+xml');
  });
});
