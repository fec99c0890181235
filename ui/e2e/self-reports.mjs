// 건강 자가 보고 on a customer's overview (issue 11, doctors and administrators): the
// administrator's 분석 tab, before any report, points to the panel and its link brings it into
// view; the doctor opens a demo customer with the health-data consent, is told next to the field
// that 11 is out of the 1–10 scale (the server's message), records a report for two weeks ago and
// one for today, sees both in the table by day with the first against the latest, and a
// confirmation; a customer without the consent shows the form disabled; the administrator's
// 분석 tab then shows the same before → after; staff get no panel, ask nothing for it, and the
// server refuses them. The panel is shot at 1024×700 and 1920×1080
// (e2e/screenshots/self-reports-*.png, with the panel's top just under the top bar) and checked for overlaps and English.

import { apiAs, kstDay } from './api.mjs';
import { englishWords, overlaps } from './customer-analytics.mjs';
import { layoutProblems } from './layout.mjs';

const SIZES = [
  [1024, 700],
  [1920, 1080],
];

/** Requests the page sends for self-reports. */
function watchSelfReports(page) {
  const sent = [];
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (u.pathname.includes('/self-reports')) sent.push(`${r.method()} ${u.pathname}`);
  });
  return sent;
}

export async function run(t) {
  const { browser, BASE, PASSWORD, test, assert, newSession, assertClean, login } = t;
  const { mkdirSync } = await import('node:fs');
  const { fileURLToPath } = await import('node:url');
  const SHOTS = fileURLToPath(new URL('./screenshots/', import.meta.url));
  mkdirSync(SHOTS, { recursive: true });

  const doctorSession = await newSession(browser);
  const adminSession = await newSession(browser);
  const staffSession = await newSession(browser);
  let doctorApi = null;
  let customer = null; // { id, name }: with the health-data consent and no self-report yet
  let refusing = null; // { id }: without the consent
  const earlier = kstDay(-14);
  const today = kstDay(0);

  /** Open a customer's detail and wait for its self-report panel to have answered. */
  async function openPanel(page, id, hash = '') {
    await page.goto(`${BASE}/#/customers/${encodeURIComponent(id)}${hash}`);
    await page.getByTestId('customer-name').waitFor();
  }
  const panelSettled = (page) => page.waitForFunction(() => ['ready', 'empty'].includes(document.querySelector('[data-testid="self-reports"]')?.dataset.state));

  await test('self-reports: a demo customer with the health-data consent and none recorded; one without the consent', async () => {
    doctorApi = await apiAs(BASE, PASSWORD, 'doctor');
    // Long histories (the 분석 tab can compute its figures); the first is customer-analytics.mjs's.
    const found = await doctorApi('GET', '/api/v1/customers/search?size=40&sort_by=total_visits&sort_order=desc');
    for (const c of found.customers.slice(1)) {
      const d = await doctorApi('GET', `/api/v1/customers/${encodeURIComponent(c.id)}/detail?history_limit=1`);
      const consent = d.customer.consent?.health_data;
      if (consent === true && !customer) {
        const list = await doctorApi('GET', `/api/v1/customers/${encodeURIComponent(c.id)}/self-reports`);
        if (list.items.length === 0) customer = { id: c.id, name: c.name };
      } else if (consent === false && !refusing) {
        refusing = { id: c.id };
      }
      if (customer && refusing) break;
    }
    assert(customer, 'a demo customer with the health-data consent and no self-report');
    assert(refusing, 'a demo customer without the health-data consent');
  });

  await test('self-reports: with none recorded, the administrator’s 분석 tab points to the panel and its link brings it into view', async () => {
    assert(customer, 'a customer was chosen');
    const page = adminSession.page;
    await login(page, 'admin');
    await page.setViewportSize({ width: 1024, height: 700 });
    await openPanel(page, customer.id, '?tab=analytics');
    const none = page.getByTestId('ca-health-none');
    await none.waitFor();
    assert(((await none.textContent()) ?? '').includes('기본 정보 탭의 ‘건강 자가 보고’에서 기록하세요.'), `pointer: ${await none.textContent()}`);
    await page.evaluate(() => document.querySelector('[data-testid="ca-health"]').scrollIntoView({ block: 'center' }));
    await page.screenshot({ path: `${SHOTS}self-reports-analytics-none-1024x700.png` });
    await none.getByTestId('ca-health-go').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="customer-detail"]')?.dataset.tab === 'overview');
    await page.waitForFunction(() => {
      const r = document.querySelector('[data-testid="self-reports"]')?.getBoundingClientRect();
      return r && r.top >= 0 && r.top < window.innerHeight - 100;
    });
    assert(page.url().endsWith(`#/customers/${encodeURIComponent(customer.id)}`), `the overview's address: ${page.url()}`);
  });

  await test('self-reports: the doctor records two reports; the server’s field error shows next to its field; the list reloads by day', async () => {
    assert(customer, 'a customer was chosen');
    const page = doctorSession.page;
    const sent = watchSelfReports(page);
    await login(page, 'doctor');
    await page.setViewportSize({ width: 1024, height: 700 });
    await openPanel(page, customer.id);
    await panelSettled(page);
    assert((await page.getByTestId('self-reports').getAttribute('data-state')) === 'empty', 'no report yet');
    assert(((await page.getByTestId('sr-empty').textContent()) ?? '').trim() === '기록된 자가 보고가 없습니다.', 'says none');
    assert((await page.getByTestId('sr-date').inputValue()) === today, `the date is today (KST): ${await page.getByTestId('sr-date').inputValue()}`);

    // Two weeks ago; pain 11 is out of the scale: the server says so next to the field, saves nothing.
    await page.getByTestId('sr-date').fill(earlier);
    await page.getByTestId('sr-date').press('Enter');
    await page.getByTestId('sr-input-stress_level').fill('8');
    await page.getByTestId('sr-input-sleep_quality').fill('4');
    await page.getByTestId('sr-input-pain_level').fill('11');
    let answered = page.waitForResponse((r) => r.request().method() === 'POST' && r.url().includes('/self-reports'));
    await page.getByTestId('sr-submit').click();
    let res = await answered;
    assert(res.status() === 422, `11 refused: ${res.status()}`);
    const fieldError = page.getByTestId('error-values.pain_level');
    await fieldError.waitFor();
    const said = ((await fieldError.textContent()) ?? '').trim();
    assert(said === (await res.json()).error.message && /1–10/.test(said), `next to the field, the server's words: ${said}`);
    assert((await page.getByTestId('sr-input-stress_level').inputValue()) === '8', 'what was typed stays');
    await page.evaluate(() => document.querySelector('[data-testid="sr-form"]').scrollIntoView({ block: 'center' }));
    await page.screenshot({ path: `${SHOTS}self-reports-field-error-1024x700.png` });

    await page.getByTestId('sr-input-pain_level').fill('');
    answered = page.waitForResponse((r) => r.request().method() === 'POST' && r.url().includes('/self-reports'));
    await page.getByTestId('sr-submit').click();
    res = await answered;
    assert(res.status() === 201, `saved: ${res.status()} ${await res.text()}`);
    assert(JSON.stringify(res.request().postDataJSON()) === JSON.stringify({ reported_on: earlier, values: { stress_level: 8, sleep_quality: 4 } }), `body: ${res.request().postData()}`);
    const saved = page.getByTestId('sr-saved');
    await saved.waitFor();
    assert(((await saved.textContent()) ?? '').includes(`${earlier} 자가 보고를 저장했습니다: 스트레스 8, 수면의 질 4`), `confirmation: ${await saved.textContent()}`);
    await page.waitForFunction((d) => [...document.querySelectorAll('[data-testid="sr-row"]')].some((r) => r.dataset.date === d), earlier);
    assert((await page.getByTestId('error-values.pain_level').count()) === 0, 'the field error is gone');

    // Today: stress, sleep and focus.
    await page.getByTestId('sr-date').fill(today);
    await page.getByTestId('sr-date').press('Enter');
    await page.getByTestId('sr-input-stress_level').fill('6');
    await page.getByTestId('sr-input-sleep_quality').fill('7');
    await page.getByTestId('sr-input-focus_level').fill('6');
    answered = page.waitForResponse((r) => r.request().method() === 'POST' && r.url().includes('/self-reports'));
    await page.getByTestId('sr-submit').click();
    res = await answered;
    assert(res.status() === 201, `saved: ${res.status()}`);
    assert(JSON.stringify(res.request().postDataJSON()) === JSON.stringify({ reported_on: today, values: { stress_level: 6, sleep_quality: 7, focus_level: 6 } }), `body: ${res.request().postData()}`);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="sr-row"]').length === 2);
    const rows = await page.getByTestId('sr-row').evaluateAll((els) => els.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent.trim())));
    assert(JSON.stringify(rows) === JSON.stringify([[today, '6', '7', '6', '', ''], [earlier, '8', '4', '', '', '']]), `rows: ${JSON.stringify(rows)}`);
    const change = await page.getByTestId('sr-change-row').evaluate((r) => Object.fromEntries([...r.querySelectorAll('td')].map((td) => [td.dataset.metric, td.dataset.direction])));
    assert(change.stress_level === 'improved' && change.sleep_quality === 'improved' && change.focus_level === '', `first → latest: ${JSON.stringify(change)}`);
    // The list as the API has it.
    const list = await doctorApi('GET', `/api/v1/customers/${encodeURIComponent(customer.id)}/self-reports`);
    assert(list.items.length === 5 && list.items.every((i) => i.recorded_by === 'doctor'), `stored: ${JSON.stringify(list.items)}`);
    assert(sent.filter((s) => s.startsWith('GET')).length === 3, `the list was asked for after each save: ${sent.join(', ')}`);

    for (const [w, h] of SIZES) {
      await page.setViewportSize({ width: w, height: h });
      await page.waitForTimeout(400);
      await page.evaluate(() => document.fonts.ready);
      // The panel's top just under the top bar (its anchor's scroll margin).
      await page.evaluate(() => document.getElementById('self-reports').scrollIntoView({ block: 'start' }));
      await page.waitForTimeout(150);
      await page.screenshot({ path: `${SHOTS}self-reports-${w}x${h}.png` });
      const { problems } = await layoutProblems(page);
      const crossed = await overlaps(page, '[data-testid="customer-detail"] .card, [data-testid="self-reports"] .table-wrap, [data-testid="self-reports"] .selfrep-fields, [data-testid="self-reports"] .field');
      assert(problems.length === 0 && crossed.length === 0, `self-reports at ${w}×${h}:\n        ${[...problems, ...crossed].join('\n        ')}`);
    }
    await page.setViewportSize({ width: 1024, height: 700 });
    const english = await englishWords(page, '[data-testid="self-reports"]');
    assert(english.length === 0, `English in the panel: ${english.join(', ')}`);
  });

  await test('self-reports: a customer without the health-data consent shows the form disabled and why', async () => {
    assert(refusing, 'a customer without the consent was chosen');
    const page = doctorSession.page;
    await openPanel(page, refusing.id);
    await panelSettled(page);
    const notice = page.getByTestId('sr-consent-required');
    await notice.waitFor();
    assert(((await notice.textContent()) ?? '').includes('건강정보 수집·이용에 동의하지 않아'), `notice: ${await notice.textContent()}`);
    assert(await page.getByTestId('sr-submit').isDisabled(), 'the button is disabled');
    assert(await page.getByTestId('sr-input-stress_level').isDisabled(), 'the fields are disabled');
    await page.evaluate(() => document.getElementById('self-reports').scrollIntoView({ block: 'start' }));
    await page.screenshot({ path: `${SHOTS}self-reports-no-consent-1024x700.png` });
    // And the server agrees.
    const refusal = await doctorApi('POST', `/api/v1/customers/${encodeURIComponent(refusing.id)}/self-reports`, { values: { stress_level: 5 } }).then(() => null, (e) => String(e));
    assert(refusal && refusal.includes('HEALTH_CONSENT_REQUIRED'), `the server refuses: ${refusal}`);
  });

  await test('self-reports: the administrator’s 분석 tab shows the same before → after', async () => {
    assert(customer, 'a customer was chosen');
    const page = adminSession.page;
    await openPanel(page, customer.id, '?tab=analytics');
    // (Only the address's hash changed: load the page afresh, as the administrator would.)
    await page.reload();
    const changes = page.getByTestId('ca-health-changes');
    await changes.waitFor();
    const stress = ((await changes.locator('li[data-metric="stress_level"]').textContent()) ?? '').trim();
    const sleep = ((await changes.locator('li[data-metric="sleep_quality"]').textContent()) ?? '').trim();
    assert(stress.includes('8 → 6') && stress.includes('개선'), `stress: ${stress}`);
    assert(sleep.includes('4 → 7') && sleep.includes('개선'), `sleep: ${sleep}`);
    assert((await page.getByTestId('ca-health-none').count()) === 0, 'no pointer once there are reports');
    await page.evaluate(() => document.querySelector('[data-testid="ca-health"]').scrollIntoView({ block: 'center' }));
    await page.screenshot({ path: `${SHOTS}self-reports-analytics-1024x700.png` });
    // The administrator sees the panel on the overview too.
    await page.getByTestId('detail-tab-overview').click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="sr-row"]').length === 2);
  });

  await test('self-reports: staff get no panel and ask nothing for it; the server refuses staff and managers', async () => {
    assert(customer, 'a customer was chosen');
    const page = staffSession.page;
    const sent = watchSelfReports(page);
    await login(page, 'staff');
    await openPanel(page, customer.id);
    await page.getByTestId('history-section').waitFor();
    await page.waitForTimeout(300);
    assert((await page.getByTestId('self-reports').count()) === 0, 'no panel for staff');
    assert(sent.length === 0, `staff's page asked: ${sent.join(', ')}`);
    const id = encodeURIComponent(customer.id);
    for (const role of ['staff', 'manager']) {
      const other = await apiAs(BASE, PASSWORD, role);
      for (const [method, body] of [['GET'], ['POST', { values: { stress_level: 5 } }]]) {
        const refusal = await other(method, `/api/v1/customers/${id}/self-reports`, body).then(() => null, (e) => String(e));
        assert(refusal && refusal.includes('403'), `the server refuses ${role} ${method}: ${refusal}`);
      }
    }
  });

  await test('no console errors, CSP violations or off-origin requests (self-reports)', async () => {
    for (const s of [doctorSession, adminSession, staffSession]) assertClean(s);
  });
  await doctorSession.context.close();
  await adminSession.context.close();
  await staffSession.context.close();
}
