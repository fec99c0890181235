// 경영 분석 (managers, administrators): the manager opens the dashboard from the sidebar, switches
// the period (오늘 / 7일 / 30일 / 1년 / 기간 지정) and sees the figures the API answers for it, the
// four charts drawn (inline SVG fetched with the token), the forecast for 매출 and 방문 with its
// accuracy check; a reload keeps the period; the page is shot at 1024×700 and 1920×1080
// (e2e/screenshots/analytics-*.png) and checked for overlaps; staff get no entry and the address
// tells them it is not for them, asking the server nothing.
//
// Each analytics request counts against the user's hourly analytics budget (100): this file
// spends about 50 of the manager's (layout.mjs a few more).

import { apiAs, kstDay } from './api.mjs';
import { layoutProblems } from './layout.mjs';

const FORBIDDEN = '매니저와 관리자만 볼 수 있는 화면입니다.';
const CHARTS = ['revenue-trend', 'service-mix', 'visit-heatmap', 'forecast'];

const won = (n) => `${n < 0 ? '-₩' : '₩'}${Math.abs(Math.round(n)).toLocaleString('ko-KR')}`;
const count = (n) => Math.round(n).toLocaleString('ko-KR');

/** Every chart drawn (or, for the forecast, told why not), none half-loaded. */
async function chartsSettled(page) {
  await page.waitForFunction(() => {
    const boxes = [...document.querySelectorAll('.chart-box[data-state]')];
    const noForecast = document.querySelector('[data-testid="forecast-error"]');
    return boxes.length >= (noForecast ? 3 : 4) && boxes.every((b) => b.dataset.state !== 'loading') && !document.querySelector('.chart-svg.is-loading');
  });
}

/** Requests the page sends to the analytics and chart endpoints, as "METHOD path?query". */
function watchAnalytics(page) {
  const sent = [];
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (u.pathname.startsWith('/api/v1/analytics/') || u.pathname.startsWith('/api/v1/charts/')) sent.push(`${r.method()} ${u.pathname}${u.search}`);
  });
  return sent;
}

export async function run(t) {
  const { browser, BASE, PASSWORD, test, assert, shot, newSession, assertClean } = t;
  const manager = await newSession(browser);
  const staff = await newSession(browser);
  const page = manager.page;
  // The whole walk at the laptop's size: a window resized much wider or narrower has its charts
  // drawn again, and each drawing counts against the budget.
  await page.setViewportSize({ width: 1024, height: 700 });
  const sent = watchAnalytics(page);
  let api = null;

  /** The KPI cards show what the API answers for `query`, growth rates or their reasons too. */
  async function assertKpisMatch(query) {
    const screen = page.getByTestId('analytics-screen');
    await page.locator(`[data-testid="analytics-screen"][data-query="${query}"]`).waitFor();
    await page.waitForFunction(() => {
      const k = document.querySelector('[data-testid="analytics-kpis"]');
      return k && k.getAttribute('aria-busy') === 'false';
    });
    const d = await api('GET', `/api/v1/analytics/dashboard?${query}`);
    const range = page.getByTestId('analytics-range');
    assert((await range.getAttribute('data-start')) === d.date_range.start && (await range.getAttribute('data-end')) === d.date_range.end, `range ${await range.textContent()} vs ${JSON.stringify(d.date_range)}`);
    const cards = [
      ['kpi-revenue', d.revenue.total, won(d.revenue.total), d.revenue],
      ['kpi-visits', d.visits.total, `${count(d.visits.total)}회`, d.visits],
      ['kpi-purchases', d.purchases.total, `${count(d.purchases.total)}건`, d.purchases],
      ['kpi-customers', d.customers.total_active, `${count(d.customers.total_active)}명`, null],
    ];
    for (const [id, value, text, section] of cards) {
      const el = page.getByTestId(`${id}-value`);
      assert(Number(await el.getAttribute('data-value')) === value, `${id}: ${await el.getAttribute('data-value')} vs the API's ${value} (${query})`);
      assert(((await el.textContent()) ?? '').trim() === text, `${id} reads "${await el.textContent()}", expected "${text}"`);
      if (!section) continue;
      const growth = page.getByTestId(`${id}-growth`);
      const shown = ((await growth.textContent()) ?? '').trim();
      if (section.growth_rate === null) {
        const reason = section.unavailable.find((u) => u.field === 'growth_rate')?.reason;
        assert(reason && shown === reason, `${id}: no growth rate, the reason "${reason}" is shown: "${shown}"`);
        assert(!/[▲▼]/.test(shown), `${id}: no arrow without a rate`);
      } else {
        assert(Number(await growth.getAttribute('data-value')) === section.growth_rate, `${id}: growth ${await growth.getAttribute('data-value')} vs ${section.growth_rate}`);
        const abs = Math.abs(section.growth_rate).toFixed(1);
        const arrow = section.growth_rate >= 0.05 ? '▲' : section.growth_rate <= -0.05 ? '▼' : '';
        assert(shown.includes(`${arrow ? `${arrow} ` : ''}${abs}%`), `${id}: growth reads "${shown}" for ${section.growth_rate}`);
      }
    }
    const split = page.getByTestId('kpi-customers-split');
    assert(Number(await split.getAttribute('data-new')) === d.customers.new_customers && Number(await split.getAttribute('data-returning')) === d.customers.returning_customers, 'new and returning customers as the API says');
    const retention = page.getByTestId('kpi-retention');
    if (d.customers.retention_rate === null) {
      const reason = d.customers.unavailable.find((u) => u.field === 'retention_rate')?.reason;
      assert(((await retention.textContent()) ?? '').includes(reason), `the retention's reason is shown: ${await retention.textContent()}`);
    } else {
      assert(Number(await retention.getAttribute('data-value')) === d.customers.retention_rate, `retention ${await retention.getAttribute('data-value')} vs ${d.customers.retention_rate}`);
    }
    // The services table, ranked as the API ranks them.
    const ranked = [...(d.top_services?.length ? d.top_services : d.services)].sort((a, b) => (a.rank ?? 99) - (b.rank ?? 99));
    const rows = await page.getByTestId('analytics-service-row').evaluateAll((els) => els.map((e) => ({ service: e.dataset.service, visits: Number(e.dataset.visits), revenue: Number(e.dataset.revenue) })));
    if (ranked.some((s) => s.visits > 0 || s.revenue > 0)) {
      assert(JSON.stringify(rows) === JSON.stringify(ranked.map((s) => ({ service: s.service, visits: s.visits, revenue: s.revenue }))), `services: ${JSON.stringify(rows)}`);
    }
    return { screen, d };
  }

  async function choose(testid, query) {
    await page.getByTestId(testid).click();
    await assertKpisMatch(query);
    assert(page.url().endsWith(`#/analytics?${query}`), `the address keeps the period: ${page.url()}`);
    await chartsSettled(page);
  }

  await test('analytics: the manager opens 경영 분석 from the sidebar and sees the API’s figures for 30일', async () => {
    api = await apiAs(BASE, PASSWORD, 'manager');
    await page.goto(`${BASE}/`);
    await page.getByTestId('login-username').waitFor();
    await page.getByTestId('login-username').fill('manager');
    await page.getByTestId('login-password').fill(PASSWORD);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('today-screen').waitFor();
    const entry = page.getByTestId('nav-analytics');
    assert(((await entry.textContent()) ?? '').trim() === '경영 분석', `the entry reads "${await entry.textContent()}"`);
    await entry.click();
    await page.getByTestId('analytics-screen').waitFor();
    assert(((await entry.getAttribute('class')) ?? '').includes('active'), 'the entry is active');
    assert((await page.getByTestId('period-month').getAttribute('aria-pressed')) === 'true', '30일 is chosen at first');
    await assertKpisMatch('period=month');
    await chartsSettled(page);
  });

  await test('analytics: the four charts are drawn, fetched with the token, without a broken image', async () => {
    for (const name of CHARTS) {
      const box = page.getByTestId(`chart-${name}`);
      assert((await box.getAttribute('data-state')) === 'ready', `${name}: ${await box.getAttribute('data-state')} ${(await box.textContent())?.slice(0, 120)}`);
      const size = await box.locator('svg').evaluate((svg) => {
        const r = svg.getBoundingClientRect();
        return { w: r.width, h: r.height, texts: svg.querySelectorAll('text').length, shapes: svg.querySelectorAll('rect, polyline, polygon, circle, path').length };
      });
      assert(size.w > 200 && size.h > 100 && size.texts > 0 && size.shapes > 0, `${name} drawn: ${JSON.stringify(size)}`);
      // The labels are drawn in the bundled Korean font, not a system fallback.
      const font = await box.locator('svg text').first().evaluate((el) => getComputedStyle(el).fontFamily);
      assert(font.includes('Noto Sans KR Variable'), `${name} labels in the app font: ${font}`);
    }
    assert((await page.locator('.analytics-screen img').count()) === 0, 'no <img> that could show broken');
    for (const name of ['revenue-trend', 'service-mix', 'visit-heatmap']) {
      const q = sent.filter((s) => s.startsWith(`GET /api/v1/charts/${name}?`));
      assert(q.length >= 1 && q.every((s) => s.includes('format=svg') && /width=\d+/.test(s) && /height=\d+/.test(s) && s.includes('period=month')), `${name} asked: ${q.join(', ')}`);
    }
    assert(sent.some((s) => s.startsWith('GET /api/v1/charts/forecast?') && s.includes('metric=revenue') && s.includes('days=30')), `the forecast chart asked: ${sent.join(', ')}`);
    // Straight to the API without the token: refused, so the page must have sent it.
    const bare = await fetch(`${BASE}/api/v1/charts/revenue-trend?format=svg&period=month`);
    assert(bare.status === 401, `a chart without a token: ${bare.status}`);
  });

  await test('analytics: switching to 오늘, 7일 and 1년 shows the API’s figures for each and keeps the choice in the address', async () => {
    await choose('period-day', 'period=day');
    // (With an empty day before — the demo clinic closes on Sundays — reasons instead of rates.)
    await shot(page, 'analytics-day-1024x700');
    await choose('period-week', 'period=week');
    await choose('period-year', 'period=year');
    const asked = sent.filter((s) => s.startsWith('GET /api/v1/analytics/dashboard?')).map((s) => s.split('?')[1]);
    assert(JSON.stringify(asked) === JSON.stringify(['period=month', 'period=day', 'period=week', 'period=year']), `the dashboard was asked for ${asked.join(', ')}`);
    assert(sent.filter((s) => s.startsWith('GET /api/v1/analytics/forecast?')).length === 1, 'the forecast does not depend on the period: asked once');
  });

  await test('analytics: a custom range asks for start_date and end_date, and a reload keeps it', async () => {
    const start = kstDay(-20);
    const end = kstDay(-11);
    await page.getByTestId('period-custom').click();
    const form = page.getByTestId('analytics-custom');
    await form.waitFor();
    await form.getByTestId('analytics-start').fill(start);
    await form.getByTestId('analytics-end').fill(end);
    await form.getByTestId('analytics-apply').click();
    const query = `start_date=${start}&end_date=${end}`;
    await assertKpisMatch(query);
    assert(page.url().endsWith(`#/analytics?${query}`), `the address: ${page.url()}`);
    await chartsSettled(page);
    assert(sent.some((s) => s.startsWith('GET /api/v1/charts/service-mix?') && s.includes(query)), 'the charts follow the range');

    await page.reload();
    await page.getByTestId('analytics-screen').waitFor();
    await assertKpisMatch(query);
    assert((await page.getByTestId('period-custom').getAttribute('aria-pressed')) === 'true', '기간 지정 stays chosen after the reload');
    assert((await page.getByTestId('analytics-start').inputValue()) === start, 'the form keeps the start');
    await chartsSettled(page);
  });

  await test('analytics: the forecast shows the API’s total, insights and accuracy, for 매출 and 방문', async () => {
    await page.getByTestId('period-week').click();
    await assertKpisMatch('period=week');
    for (const metric of ['revenue', 'visits']) {
      if (metric === 'visits') await page.getByTestId('forecast-metric-visits').click();
      const panel = page.locator(`[data-testid="analytics-forecast"][data-metric="${metric}"]`);
      await panel.waitFor();
      const answer = await api('GET', `/api/v1/analytics/forecast?metric=${metric}&days=30`).then(
        (data) => ({ data }),
        (e) => ({ error: String(e) }),
      );
      if (answer.error) {
        // Too little history (a database without the demo's half year): the API's message.
        assert(answer.error.includes('INSUFFICIENT_DATA'), answer.error);
        const shown = ((await panel.getByTestId('forecast-error').textContent()) ?? '').trim();
        assert(answer.error.includes(shown), `the API's message "${shown}"`);
        continue;
      }
      const f = answer.data;
      const total = panel.getByTestId('forecast-total');
      await total.waitFor();
      assert(Number(await total.getAttribute('data-value')) === f.forecast.total, `${metric} total ${await total.getAttribute('data-value')} vs ${f.forecast.total}`);
      const expected = metric === 'revenue' ? won(f.forecast.total) : `${count(f.forecast.total)}회`;
      assert(((await total.textContent()) ?? '').includes(expected), `${metric} total reads "${await total.textContent()}", expected ${expected}`);
      const insights = await panel.getByTestId('forecast-insight').allTextContents();
      assert(JSON.stringify(insights.map((s) => s.trim())) === JSON.stringify(f.insights.map((i) => i.message)), `insights: ${insights.join(' | ')}`);
      const accuracy = panel.getByTestId('forecast-accuracy');
      if (f.accuracy) {
        const verdict = ((await panel.getByTestId('forecast-accuracy-verdict').textContent()) ?? '').trim();
        const wanted = f.accuracy.beats_baseline ? '지난주 같은 요일 예측보다 정확함' : '지난주 같은 요일 예측보다 정확하지 않음';
        assert(verdict.endsWith(wanted), `accuracy: "${verdict}" for beats_baseline=${f.accuracy.beats_baseline}`);
        assert(Number(await panel.getByTestId('forecast-mae-model').getAttribute('data-value')) === f.accuracy.model.mae, 'the model’s MAE');
        assert(Number(await panel.getByTestId('forecast-mae-baseline').getAttribute('data-value')) === f.accuracy.baseline.mae, 'the baseline’s MAE');
      } else {
        assert(((await accuracy.textContent()) ?? '').includes(f.accuracy_unavailable), 'accuracy_unavailable is shown');
      }
      await chartsSettled(page);
      assert(sent.some((s) => s.startsWith('GET /api/v1/charts/forecast?') && s.includes(`metric=${metric}`)), `the ${metric} forecast chart was asked for`);
    }
    assert(page.url().endsWith('#/analytics?period=week&metric=visits'), `the metric is in the address: ${page.url()}`);
  });

  await test('analytics: the page at 1024×700 and 1920×1080 — nothing overlapping, charts redrawn to fit', async () => {
    await page.getByTestId('forecast-metric-revenue').click();
    await page.locator('[data-testid="analytics-forecast"][data-metric="revenue"] [data-testid="forecast-total"]').waitFor();
    for (const [w, h] of [[1024, 700], [1920, 1080]]) {
      const resized = page.viewportSize().width !== w;
      await page.setViewportSize({ width: w, height: h });
      // A much wider or narrower window has the charts drawn again at the new width.
      if (resized) await page.waitForTimeout(700);
      await chartsSettled(page);
      await page.evaluate(() => document.fonts.ready);
      await page.evaluate(() => window.scrollTo(0, 0));
      await shot(page, `analytics-${w}x${h}`);
      await page.screenshot({ path: new URL(`./screenshots/analytics-fold-${w}x${h}.png`, import.meta.url).pathname });
      const { problems } = await layoutProblems(page);
      // Nothing in the screen overlaps its neighbour: cards, charts and tables side by side or stacked.
      const overlaps = await page.evaluate(() => {
        const out = [];
        const blocks = [...document.querySelectorAll('.analytics-screen .kpi, .analytics-screen .card, .analytics-head, .analytics-range')].filter((e) => e.getBoundingClientRect().height > 0);
        for (let i = 0; i < blocks.length; i++) {
          for (let j = i + 1; j < blocks.length; j++) {
            const a = blocks[i].getBoundingClientRect();
            const b = blocks[j].getBoundingClientRect();
            if (blocks[i].contains(blocks[j]) || blocks[j].contains(blocks[i])) continue;
            if (a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1) out.push(`${blocks[i].dataset.testid ?? blocks[i].className} × ${blocks[j].dataset.testid ?? blocks[j].className}`);
          }
        }
        // Every chart fits its card; no text runs out of a KPI card.
        for (const box of document.querySelectorAll('.chart-box')) {
          const card = box.closest('.card').getBoundingClientRect();
          const r = box.getBoundingClientRect();
          if (r.right > card.right + 0.5 || r.left < card.left - 0.5) out.push(`${box.dataset.testid} is wider than its card`);
        }
        for (const kpi of document.querySelectorAll('.analytics-kpi')) {
          if (kpi.scrollWidth > kpi.clientWidth + 1) out.push(`${kpi.dataset.testid} runs past its card`);
        }
        return out;
      });
      assert(problems.length === 0 && overlaps.length === 0, `at ${w}×${h}:\n        ${[...problems, ...overlaps].join('\n        ')}`);
      // The charts were drawn for (about) the width they are shown at. (The customer model's,
      // below, are customer-analytics.mjs's: without a trained model they say so instead.)
      const widths = await page.evaluate(() =>
        [...document.querySelectorAll('.chart-box')].filter((b) => !b.closest('.model-section')).map((b) => ({ name: b.dataset.testid, shown: b.getBoundingClientRect().width, drawn: Number(b.querySelector('svg')?.getAttribute('viewBox')?.split(' ')[2] ?? 0) })),
      );
      for (const c of widths) assert(c.drawn > 0 && Math.abs(c.drawn - c.shown) / c.shown < 0.25, `${c.name} drawn ${c.drawn} wide for ${Math.round(c.shown)}`);
    }
    // On paper: one column, no sidebar or top bar.
    await page.emulateMedia({ media: 'print' });
    const printed = await page.evaluate(() => ({
      sidebar: getComputedStyle(document.querySelector('.sidebar')).display,
      topbar: getComputedStyle(document.querySelector('.topbar')).display,
      columns: getComputedStyle(document.querySelector('.analytics-grid')).gridTemplateColumns.split(' ').length,
      head: getComputedStyle(document.querySelector('.analytics-print-head')).display,
    }));
    await shot(page, 'analytics-print');
    await page.emulateMedia({ media: 'screen' });
    assert(printed.sidebar === 'none' && printed.topbar === 'none' && printed.columns === 1 && printed.head === 'block', `print layout: ${JSON.stringify(printed)}`);
  });

  await test('analytics: staff have no entry, the address tells them it is not for them, and the server refuses them', async () => {
    const p = staff.page;
    const asked = watchAnalytics(p);
    await p.goto(`${BASE}/`);
    await p.getByTestId('login-username').waitFor();
    await p.getByTestId('login-username').fill('staff');
    await p.getByTestId('login-password').fill(PASSWORD);
    await p.getByTestId('login-submit').click();
    await p.getByTestId('today-screen').waitFor();
    assert((await p.getByTestId('nav-analytics').count()) === 0, 'no 경영 분석 entry for staff');
    await p.goto(`${BASE}/#/analytics?period=week`);
    const refused = p.getByTestId('analytics-forbidden');
    await refused.waitFor();
    assert(((await refused.textContent()) ?? '').trim() === FORBIDDEN, `the message: ${await refused.textContent()}`);
    assert((await p.getByTestId('analytics-kpis').count()) === 0 && (await p.locator('.chart-box').count()) === 0, 'no figures, no charts');
    await p.setViewportSize({ width: 1024, height: 700 });
    await shot(p, 'analytics-forbidden-staff-1024x700');
    assert(asked.length === 0, `the page asked the server: ${asked.join(', ')}`);
    const staffApi = await apiAs(BASE, PASSWORD, 'staff');
    for (const path of ['/api/v1/analytics/dashboard?period=week', '/api/v1/analytics/forecast?metric=revenue&days=30']) {
      const refusal = await staffApi('GET', path).then(() => null, (e) => String(e));
      assert(refusal && refusal.includes('403'), `the server refuses staff ${path}: ${refusal}`);
    }
  });

  await test('no console errors, CSP violations or off-origin requests (analytics)', async () => {
    for (const s of [manager, staff]) assertClean(s);
  });
  await manager.context.close();
  await staff.context.close();
}
