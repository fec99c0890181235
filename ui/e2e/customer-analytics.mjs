// A customer's 분석 and 추천 tabs and the customer model's retraining (issue 11, managers and
// administrators): a manager opens a demo customer and sees the figures the API answers on the
// 분석 tab (visit pattern, service usage, revenue, risk, behaviour, segment), the recommendations
// on the 추천 tab and records an 'accepted' feedback (the list is asked for again); on 경영 분석
// they retrain the customer model and watch its progress to done, and the new version serves;
// staff get no tabs and the server refuses them. Every page is shot at 1024×700 and 1920×1080
// (e2e/screenshots/customer-analytics-*.png, customer-recommendations-*.png,
// analytics-segments-*.png) and checked for overlaps.
//
// The manager is one the administrator adds here: the demo manager's hourly analytics budget
// (100) is spent by analytics.mjs and layout.mjs.

import { apiAs } from './api.mjs';
import { layoutProblems } from './layout.mjs';

const SIZES = [
  [1024, 700],
  [1920, 1080],
];

/** Requests the page sends for a customer's analytics and recommendations, and the model's. */
function watchInsights(page) {
  const sent = [];
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (/\/api\/v1\/(customers\/[^/]+\/(analytics|recommendations)|customers\/segments\/|analytics\/customers\/|recommendations\/|analysis\/models)/.test(u.pathname)) {
      sent.push(`${r.method()} ${u.pathname}${u.search}`);
    }
  });
  return sent;
}

/** Panels (cards) of the page that overlap one another, and text running out of its panel. */
export async function overlaps(page, selector) {
  return page.evaluate((selector) => {
    const out = [];
    const blocks = [...document.querySelectorAll(selector)].filter((e) => e.getBoundingClientRect().height > 0);
    for (let i = 0; i < blocks.length; i++) {
      for (let j = i + 1; j < blocks.length; j++) {
        if (blocks[i].contains(blocks[j]) || blocks[j].contains(blocks[i])) continue;
        const a = blocks[i].getBoundingClientRect();
        const b = blocks[j].getBoundingClientRect();
        if (a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1) out.push(`${blocks[i].dataset.testid ?? blocks[i].className} × ${blocks[j].dataset.testid ?? blocks[j].className}`);
      }
    }
    for (const b of blocks) {
      if (b.scrollWidth > b.clientWidth + 1) out.push(`${b.dataset.testid ?? b.className} runs past its card (${b.scrollWidth} > ${b.clientWidth})`);
    }
    return out;
  }, selector);
}

/** Latin words on the page outside ids and versions: the UI is Korean. */
export async function englishWords(page, selector) {
  return page.evaluate((selector) => {
    const root = document.querySelector(selector);
    if (!root) return [];
    // Versions, account names (who trained a model) and the abbreviations the clinic uses are data.
    const text = root.innerText
      .replace(/cm-\d{8}-\d{6}/g, '')
      .replace(/\b(e2e-[a-z0-9-]+|manager|admin)\b/g, '')
      .replace(/\b(AUC|LTV|AI|VIP|MAE|k)\b/g, '');
    // Each with the text around it, to say where it is.
    return [...new Set([...text.matchAll(/[A-Za-z]{3,}/g)].map((m) => `${m[0]} («${text.slice(Math.max(0, m.index - 20), m.index + m[0].length + 20)}»)`))];
  }, selector);
}

export async function run(t) {
  const { browser, BASE, PASSWORD, test, assert, shot, newSession, assertClean, login } = t;
  const { mkdirSync } = await import('node:fs');
  const { fileURLToPath } = await import('node:url');
  const SHOTS = fileURLToPath(new URL('./screenshots/', import.meta.url));
  mkdirSync(SHOTS, { recursive: true });

  const manager = await newSession(browser);
  const staff = await newSession(browser);
  const page = manager.page;
  const sent = watchInsights(page);
  const account = { username: `e2e-mgr-${Date.now().toString(36)}`, password: 'Amber-Canyon-Kite-83' };
  let api = null;
  let customer = null; // { id, name }

  /** Screenshot at both sizes and check the layout; back to the laptop's size afterwards. */
  async function sizes(name, panelSelector, englishScope) {
    for (const [w, h] of SIZES) {
      await page.setViewportSize({ width: w, height: h });
      await page.waitForTimeout(450);
      await page.evaluate(() => document.fonts.ready);
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.screenshot({ path: `${SHOTS}${name}-${w}x${h}.png`, fullPage: true });
      const { problems } = await layoutProblems(page);
      const crossed = await overlaps(page, panelSelector);
      assert(problems.length === 0 && crossed.length === 0, `${name} at ${w}×${h}:\n        ${[...problems, ...crossed].join('\n        ')}`);
    }
    const english = await englishWords(page, englishScope);
    assert(english.length === 0, `${name} shows English words: ${english.join(', ')}`);
    await page.setViewportSize({ width: 1024, height: 700 });
  }

  await test('customer analytics: the administrator adds a manager, who opens a demo customer and sees the 분석 and 추천 tabs', async () => {
    const admin = await apiAs(BASE, PASSWORD, 'admin');
    await admin('POST', '/api/v1/users', { username: account.username, display_name: '김분석', role: 'manager', password: account.password });
    api = await apiAs(BASE, account.password, account.username);
    // A customer with a long history: every figure can be computed.
    const found = await api('GET', '/api/v1/customers/search?size=5&sort_by=total_visits&sort_order=desc');
    const top = found.customers.find((c) => (c.total_visits ?? 0) >= 10);
    assert(top, `a demo customer with visits: ${JSON.stringify(found.customers.map((c) => c.total_visits))}`);
    customer = { id: top.id, name: top.name };

    await page.setViewportSize({ width: 1024, height: 700 });
    await page.goto(`${BASE}/`);
    await page.getByTestId('login-username').fill(account.username);
    await page.getByTestId('login-password').fill(account.password);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('today-screen').waitFor();
    await page.goto(`${BASE}/#/customers/${encodeURIComponent(customer.id)}`);
    await page.getByTestId('customer-name').waitFor();
    const tabs = await page.getByTestId('detail-tabs').getByRole('tab').allTextContents();
    assert(JSON.stringify(tabs.map((s) => s.trim())) === JSON.stringify(['기본 정보', '분석', '추천']), `tabs: ${tabs.join(', ')}`);
    assert(sent.length === 0, `nothing asked before a tab is opened: ${sent.join(', ')}`);
  });

  await test('customer analytics: the 분석 tab shows the API’s figures, each panel on its own', async () => {
    assert(customer, 'a customer was chosen');
    await page.getByTestId('detail-tab-analytics').click();
    assert(page.url().endsWith(`#/customers/${encodeURIComponent(customer.id)}?tab=analytics`), `the tab is in the address: ${page.url()}`);
    await page.waitForFunction(() => {
      const panels = [...document.querySelectorAll('[data-testid="customer-analytics"] .panel-card')];
      return panels.length >= 3 && panels.every((p) => p.dataset.state !== 'loading');
    });
    const id = encodeURIComponent(customer.id);
    const a = await api('GET', `/api/v1/customers/${id}/analytics?period=90d`);
    const b = await api('GET', `/api/v1/analytics/customers/${id}/behavior`);
    const v = a.visitPattern;
    const shown = async (testid) => page.getByTestId(testid).getAttribute('data-value');
    assert(Number(await shown('ca-visits-in-period')) === v.visits_in_period, `visits in period: ${await shown('ca-visits-in-period')} vs ${v.visits_in_period}`);
    if (v.average_interval_days === null) {
      const reason = v.unavailable.find((u) => u.field === 'average_interval_days').reason;
      assert(((await page.getByTestId('ca-avg-interval').textContent()) ?? '').includes(reason), 'the interval’s reason is shown');
    } else {
      assert(Number(await shown('ca-avg-interval')) === v.average_interval_days, 'the average interval');
    }
    assert(Number(await shown('ca-lifetime')) === a.revenueContribution.lifetime_revenue, 'the lifetime revenue');
    assert(Number(await shown('ca-period-revenue')) === a.revenueContribution.total_revenue, 'the period’s revenue');
    const ltv = page.getByTestId('ca-ltv');
    if (a.revenueContribution.ltv_estimate === null) {
      // (Without the field names the reason quotes in brackets.)
      const reason = a.revenueContribution.unavailable.find((u) => u.field === 'ltv_estimate').reason.replace(/\s?\((?:[a-z]+_)+[a-z]+\)/g, '');
      assert(((await ltv.textContent()) ?? '').includes(reason), `no LTV: its reason, not a 0: ${await ltv.textContent()}`);
    } else {
      assert(Number(await ltv.getAttribute('data-value')) === a.revenueContribution.ltv_estimate, 'the LTV');
    }
    const rows = await page.getByTestId('ca-usage-row').evaluateAll((els) => els.map((e) => e.dataset.service));
    const used = a.serviceUsage.services.filter((s) => s.visits > 0 || s.previous_visits > 0).map((s) => s.service);
    assert(JSON.stringify(rows) === JSON.stringify(used), `services: ${rows.join(',')} vs ${used.join(',')}`);
    const churn = page.getByTestId('ca-churn');
    if (a.riskAssessment.churn_risk === null) {
      const reason = a.riskAssessment.unavailable.find((u) => u.field === 'churn_risk').reason;
      assert(((await churn.textContent()) ?? '').includes(reason), `no churn model: its reason: ${await churn.textContent()}`);
    } else {
      assert(((await churn.textContent()) ?? '').includes(a.riskAssessment.churn_risk_label), 'the churn level');
    }
    assert(Number(await shown('ca-retention')) === a.riskAssessment.retention_score, 'the retention score');
    assert(Number(await page.getByTestId('ca-behavior-score').getAttribute('data-value')) === b.behavior_score, `behaviour ${await page.getByTestId('ca-behavior-score').getAttribute('data-value')} vs ${b.behavior_score}`);
    const favourites = await page.getByTestId('ca-favorites').locator('li').evaluateAll((els) => els.map((e) => e.dataset.service));
    assert(JSON.stringify(favourites) === JSON.stringify(b.favorite_services.map((f) => f.service)), 'favourite services');
    const actions = await page.getByTestId('ca-next-best').locator('li').evaluateAll((els) => els.map((e) => e.dataset.action));
    assert(JSON.stringify(actions) === JSON.stringify(b.next_best_actions.map((x) => x.action)), `next actions: ${actions.join(',')}`);
    // The segment: the served model's, or why there is none.
    const segment = await api('GET', `/api/v1/customers/segments/${id}`).then(
      (data) => ({ data }),
      (e) => ({ error: String(e) }),
    );
    if (segment.error) {
      assert(segment.error.includes('MODEL_NOT_READY'), segment.error);
      await page.getByTestId('ca-segment-not-ready').waitFor();
    } else {
      assert(((await page.getByTestId('ca-segment-name').textContent()) ?? '').trim() === segment.data.primary_segment_name, 'the segment’s name');
    }
    // Another period: asked for, and shown.
    await page.getByTestId('ca-period-30d').click();
    await page.locator('[data-testid="ca-range"]').waitFor();
    await page.waitForFunction(() => document.querySelector('[data-testid="customer-analytics"]')?.getAttribute('data-period') === '30d' && !document.querySelector('.panel-card.is-stale'));
    assert(sent.some((s) => s.includes('/analytics?period=30d')), `30일 asked: ${sent.join(', ')}`);
    await page.getByTestId('ca-period-90d').click();
    await page.waitForFunction(() => !document.querySelector('.panel-card.is-stale'));
    await sizes('customer-analytics', '[data-testid="customer-analytics"] .panel-card', '[data-testid="customer-analytics"]');
    // On paper: no sidebar, no controls.
    await page.emulateMedia({ media: 'print' });
    const printed = await page.evaluate(() => ({
      sidebar: getComputedStyle(document.querySelector('.sidebar')).display,
      tabs: getComputedStyle(document.querySelector('[data-testid="detail-tabs"]')).display,
      periods: getComputedStyle(document.querySelector('[data-testid="ca-periods"]')).display,
    }));
    await shot(page, 'customer-analytics-print');
    await page.emulateMedia({ media: 'screen' });
    assert(printed.sidebar === 'none' && printed.tabs === 'none' && printed.periods === 'none', `print layout: ${JSON.stringify(printed)}`);
  });

  await test('customer analytics: the 추천 tab shows the recommendations and records an accepted feedback', async () => {
    assert(customer, 'a customer was chosen');
    await page.getByTestId('detail-tab-recommendations').click();
    await page.waitForFunction(() => {
      const p = document.querySelector('[data-testid="rec-panel"]');
      return p && p.dataset.state !== 'loading';
    });
    const state = await page.getByTestId('rec-panel').getAttribute('data-state');
    assert(state === 'ready', `recommendations for a customer with a long history: ${state} ${(await page.getByTestId('rec-panel').textContent())?.slice(0, 200)}`);
    const first = page.getByTestId('rec-card').first();
    const rid = await first.getAttribute('data-recommendation-id');
    const name = ((await first.getByTestId('rec-name').textContent()) ?? '').trim();
    assert(sent.some((s) => s.includes('/recommendations?') && s.includes('type=service') && s.includes('algorithm=hybrid') && s.includes('count=5')), `asked: ${sent.join(', ')}`);
    await first.getByTestId('rec-feedback-accepted').click();
    const form = first.getByTestId('rec-feedback-form');
    await form.getByTestId('rec-feedback-score-5').click();
    await form.getByTestId('rec-feedback-comment').fill('다음 방문 때 받기로 함 (e2e)');
    const listsBefore = sent.filter((s) => s.startsWith('GET') && s.includes('/recommendations?')).length;
    const answered = page.waitForResponse((r) => r.request().method() === 'POST' && r.url().includes(`/recommendations/${rid}/feedback`));
    await form.getByTestId('rec-feedback-submit').click();
    const res = await answered;
    const body = await res.json();
    assert(res.status() === 201 && body.data.action === 'accepted' && body.data.feedback_score === 5 && body.data.recommendation_id === rid, `feedback answered ${res.status()} ${JSON.stringify(body)}`);
    assert(JSON.stringify(res.request().postDataJSON()) === JSON.stringify({ action: 'accepted', feedback_score: 5, comment: '다음 방문 때 받기로 함 (e2e)' }), `body sent: ${res.request().postData()}`);
    const notice = page.getByTestId('rec-feedback-recorded');
    await notice.waitFor();
    assert(((await notice.textContent()) ?? '').includes(`‘${name}’ 추천에 ‘수락’ 피드백을 기록했습니다.`), `notice: ${await notice.textContent()}`);
    // Feedback changes later recommendations: the list is asked for again.
    await page.waitForFunction(() => document.querySelector('[data-testid="rec-panel"]')?.dataset.state !== 'loading' && !document.querySelector('.rec-card-panel.is-stale'));
    assert(sent.filter((s) => s.startsWith('GET') && s.includes('/recommendations?')).length > listsBefore, 'the list was asked for again');
    await sizes('customer-recommendations', '[data-testid="customer-recommendations"] .rec-item, [data-testid="customer-recommendations"] > .card', '[data-testid="customer-recommendations"]');
    for (const type of ['package', 'schedule']) {
      await page.getByTestId(`rec-type-${type}`).click();
      await page.waitForFunction((type) => {
        const root = document.querySelector('[data-testid="customer-recommendations"]');
        const p = document.querySelector('[data-testid="rec-panel"]');
        return root?.dataset.type === type && p && p.dataset.state !== 'loading' && !p.classList.contains('is-stale');
      }, type);
      const st = await page.getByTestId('rec-panel').getAttribute('data-state');
      assert(st === 'ready' || st === 'empty', `${type}: ${st}`);
      await shot(page, `customer-recommendations-${type}-1024x700`);
    }
    const english = await englishWords(page, '[data-testid="customer-recommendations"]');
    assert(english.length === 0, `English on the 추천 tab: ${english.join(', ')}`);
  });

  await test('customer analytics: the manager retrains the customer model on 경영 분석 and watches it to done', async () => {
    await page.goto(`${BASE}/#/analytics?section=segments`);
    const card = page.getByTestId('model-card');
    await page.waitForFunction(() => document.querySelector('[data-testid="model-card"]')?.dataset.state !== 'loading');
    const before = await card.getAttribute('data-serving');
    await page.getByTestId('model-retrain').click();
    const dialog = page.getByTestId('model-train-dialog');
    await dialog.waitFor();
    const text = (await dialog.textContent()) ?? '';
    assert(text.includes('모든 PC') && text.includes('몇 초에서 몇 분'), `the confirmation says what it does: ${text}`);
    await page.screenshot({ path: `${SHOTS}analytics-segments-confirm-1024x700.png` });
    const { problems } = await layoutProblems(page, 'model-train-dialog');
    assert(problems.length === 0, `the dialog at 1024×700: ${problems.join(' | ')}`);
    const started = page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/api/v1/analysis/models/train'));
    await dialog.getByTestId('model-train-confirm').click();
    const res = await started;
    const job = (await res.json()).data;
    assert(res.status() === 202 && job.state === 'running' && job.job_id, `train answered ${res.status()} ${JSON.stringify(job)}`);
    const progress = page.getByTestId('train-progress');
    await progress.waitFor();
    // The progress as it runs: a stage in Korean and a percentage.
    const seen = await page.evaluate(() => {
      const p = document.querySelector('[data-testid="train-progress"]');
      return { state: p.dataset.state, stage: p.querySelector('[data-testid="train-stage"]').textContent, percent: p.querySelector('[data-testid="train-percent"]').textContent };
    });
    assert(/[가-힣]/.test(seen.stage) && /^\d+%$/.test(seen.percent), `progress shown: ${JSON.stringify(seen)}`);
    if (seen.state === 'running') {
      // Shot once the bar has moved (or the job is over already).
      await page
        .waitForFunction(() => {
          const p = document.querySelector('[data-testid="train-progress"]');
          return Number(p?.dataset.fraction) > 0 || p?.dataset.state !== 'running';
        }, null, { timeout: 30_000 })
        .catch(() => {});
      await page.screenshot({ path: `${SHOTS}analytics-segments-training-1024x700.png` });
    }
    await page.waitForFunction(() => ['done', 'failed', 'lost'].includes(document.querySelector('[data-testid="train-progress"]')?.dataset.state), null, { timeout: 180_000 });
    assert((await progress.getAttribute('data-state')) === 'done', `training ended: ${await page.getByTestId('train-message').textContent()}`);
    const polls = sent.filter((s) => s.startsWith(`GET /api/v1/analysis/models/train/${job.job_id}`)).length;
    assert(polls >= 1, 'the job was polled');
    const list = await api('GET', '/api/v1/analysis/models');
    assert(list.serving && list.serving !== before, `a new version serves: ${before} → ${list.serving}`);
    await page.waitForFunction((v) => document.querySelector('[data-testid="model-card"]')?.dataset.serving === v, list.serving);
    const message = ((await page.getByTestId('train-message').textContent()) ?? '').trim();
    assert(message === `학습이 끝났습니다. 지금 ${list.serving} 모델을 사용합니다.`, `message: ${message}`);
    assert(((await page.getByTestId('model-serving-version').textContent()) ?? '').trim() === list.serving, 'the card names the new version');
    const segments = await page.getByTestId('model-segment').count();
    const report = list.items.find((m) => m.version === list.serving).report;
    assert(segments === report.clusters.length, `${segments} personas shown, ${report.clusters.length} trained`);
    // Polling stopped with the job.
    await page.waitForTimeout(1500);
    assert(sent.filter((s) => s.startsWith(`GET /api/v1/analysis/models/train/${job.job_id}`)).length === polls, 'no polling after the end');
    await page.waitForFunction(() => ['segment-scatter', 'churn-risk'].every((n) => document.querySelector(`[data-testid="chart-${n}"]`)?.dataset.state !== 'loading'));
    for (const name of ['segment-scatter', 'churn-risk']) {
      const st = await page.getByTestId(`chart-${name}`).getAttribute('data-state');
      assert(st === 'ready', `${name}: ${st} ${(await page.getByTestId(`chart-${name}`).textContent())?.slice(0, 120)}`);
    }
    for (const [w, h] of SIZES) {
      await page.setViewportSize({ width: w, height: h });
      await page.waitForTimeout(800);
      await page.waitForFunction(() => !document.querySelector('.model-section .chart-svg.is-loading'));
      await page.getByTestId('model-section').scrollIntoViewIfNeeded();
      await page.getByTestId('model-section').screenshot({ path: `${SHOTS}analytics-segments-${w}x${h}.png` });
      const { problems: p } = await layoutProblems(page);
      const crossed = await overlaps(page, '.model-section .card, .model-section .train-progress, .model-section-head');
      assert(p.length === 0 && crossed.length === 0, `segments at ${w}×${h}:\n        ${[...p, ...crossed].join('\n        ')}`);
    }
    await page.setViewportSize({ width: 1024, height: 700 });
    const english = await englishWords(page, '[data-testid="model-section"]');
    assert(english.length === 0, `English in the segments section: ${english.join(', ')}`);
  });

  await test('customer analytics: after training, the customer’s segment shows with the new version', async () => {
    assert(customer, 'a customer was chosen');
    const list = await api('GET', '/api/v1/analysis/models');
    await page.goto(`${BASE}/#/customers/${encodeURIComponent(customer.id)}?tab=analytics`);
    await page.waitForFunction(() => document.querySelector('[data-testid="ca-segment"]')?.dataset.state === 'ready');
    const note = (await page.getByTestId('ca-segment').locator('.section-note').textContent()) ?? '';
    assert(note.includes(list.serving), `the segment is the new model's: ${note}`);
  });

  await test('customer analytics: staff have no tabs, the address shows them the overview, and the server refuses them', async () => {
    assert(customer, 'a customer was chosen');
    const p = staff.page;
    const asked = watchInsights(p);
    await login(p, 'staff');
    await p.goto(`${BASE}/#/customers/${encodeURIComponent(customer.id)}?tab=analytics`);
    await p.getByTestId('history-section').waitFor();
    assert((await p.getByTestId('detail-tabs').count()) === 0, 'no tabs for staff');
    assert((await p.getByTestId('customer-analytics').count()) === 0 && (await p.getByTestId('customer-recommendations').count()) === 0, 'no analytics, no recommendations');
    await p.setViewportSize({ width: 1024, height: 700 });
    await shot(p, 'customer-analytics-staff-1024x700');
    await p.waitForTimeout(300);
    assert(asked.length === 0, `the page asked: ${asked.join(', ')}`);
    const staffApi = await apiAs(BASE, PASSWORD, 'staff');
    const id = encodeURIComponent(customer.id);
    for (const [method, path] of [
      ['GET', `/api/v1/customers/${id}/analytics`],
      ['GET', `/api/v1/analytics/customers/${id}/behavior`],
      ['GET', `/api/v1/customers/segments/${id}`],
      ['GET', `/api/v1/customers/${id}/recommendations?type=service`],
      ['POST', '/api/v1/analysis/models/train'],
    ]) {
      const refusal = await staffApi(method, path).then(() => null, (e) => String(e));
      assert(refusal && refusal.includes('403'), `the server refuses staff ${method} ${path}: ${refusal}`);
    }
  });

  await test('no console errors, CSP violations or off-origin requests (customer analytics)', async () => {
    for (const s of [manager, staff]) assertClean(s);
  });
  await manager.context.close();
  await staff.context.close();
}

