#!/usr/bin/env node
// Browser end-to-end test of the ClinicDesk UI, served by a running server with demo data
// (started with --demo: the demo accounts log in).
//
//   CLINICDESK_URL=http://127.0.0.1:8080 node e2e/run.mjs      (or: npm run e2e)
//
// Drives Debian's Chromium through playwright-core. Screenshots go to e2e/screenshots/.
// Prints "N passed, M failed" on its own line at the end; exits non-zero on any failure.
//
// Optional: CLINICDESK_PASSWORD (default clinicdesk-demo), CHROMIUM_PATH (default
// /usr/bin/chromium), E2E_HEADED=1 to watch, E2E_SLOWMO=ms.

import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const BASE = (process.env.CLINICDESK_URL ?? '').replace(/\/+$/, '');
const PASSWORD = process.env.CLINICDESK_PASSWORD ?? 'clinicdesk-demo';
const SHOTS = fileURLToPath(new URL('./screenshots/', import.meta.url));
const TIMEOUT = Number(process.env.E2E_TIMEOUT_MS ?? 15000);

if (!BASE) {
  console.error('CLINICDESK_URL is not set (e.g. CLINICDESK_URL=http://127.0.0.1:8080)');
  console.log('0 passed, 1 failed');
  process.exitCode = 2;
  throw new Error('CLINICDESK_URL missing');
}
mkdirSync(SHOTS, { recursive: true });

const results = [];
let currentPage = null;

async function test(name, fn) {
  const started = Date.now();
  try {
    await fn();
    results.push({ name, ok: true });
    console.log(`  ✓ ${name} (${Date.now() - started} ms)`);
  } catch (e) {
    results.push({ name, ok: false, error: e });
    console.log(`  ✗ ${name}\n      ${String(e?.stack ?? e).split('\n').slice(0, 6).join('\n      ')}`);
    if (currentPage) {
      const file = `${SHOTS}FAILED-${name.replace(/[^\w가-힣-]+/g, '_').slice(0, 60)}.png`;
      await currentPage.screenshot({ path: file, fullPage: true }).catch(() => {});
      console.log(`      screenshot: ${file}`);
    }
  }
}

function assert(cond, msg) {
  if (!cond) throw new Error(`assertion failed: ${msg}`);
}

async function shot(page, name) {
  await page.screenshot({ path: `${SHOTS}${name}.png`, fullPage: true });
}

/**
 * A fresh browser context that records every request leaving the server's origin and every
 * Content-Security-Policy violation of any of its pages (the UI's policy, and /docs's own).
 */
async function newSession(browser) {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'ko-KR', timezoneId: 'Asia/Seoul' });
  context.setDefaultTimeout(TIMEOUT);
  const cspViolations = [];
  await context.exposeBinding('__clinicdeskCspViolation', (_source, v) => {
    cspViolations.push(v);
  });
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) =>
      window.__clinicdeskCspViolation(`${location.pathname}: ${e.violatedDirective} ${e.blockedURI}`),
    );
  });
  const page = await context.newPage();
  const origin = new URL(BASE).origin;
  const offOrigin = [];
  const consoleErrors = [];
  page.on('request', (r) => {
    const u = r.url();
    if (!u.startsWith(origin) && !u.startsWith('data:') && !u.startsWith('blob:')) offOrigin.push(u);
  });
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  currentPage = page;
  return { context, page, offOrigin, consoleErrors, cspViolations };
}

/** Nothing went wrong in a session's pages: no console error, no CSP violation, no request off the server. */
function assertClean(s) {
  const errors = s.consoleErrors.filter((e) => !/401|Unauthorized|Failed to load resource/.test(e));
  assert(errors.length === 0, `console errors: ${errors.join(' | ')}`);
  assert(s.cspViolations.length === 0, `Content-Security-Policy violations: ${s.cspViolations.join(' | ')}`);
  assert(s.offOrigin.length === 0, `off-origin requests: ${s.offOrigin.join(', ')}`);
}

async function login(page, username) {
  await page.goto(`${BASE}/`);
  await page.getByTestId('login-username').waitFor();
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(PASSWORD);
  await page.getByTestId('login-submit').click();
  // A login lands on the day's work; the steps that follow start from the customer search.
  await page.getByTestId('today-screen').waitFor();
  await page.getByTestId('nav-search').click();
  await page.getByTestId('search-input').waitFor();
}

/** Rows of the search table as {name, hasPackage}. */
async function readRows(page) {
  return page.getByTestId('result-row').evaluateAll((rows) =>
    rows.map((r) => ({
      id: r.getAttribute('data-id'),
      name: r.querySelector('[data-testid="result-name"]')?.textContent?.trim() ?? '',
      hasPackage: !!r.querySelector('.pkg-name'),
    })),
  );
}

async function waitForRows(page) {
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="result-row"]').length > 0 || document.querySelector('[data-testid="search-empty"]'));
}

/** Read a package card's usage bars: [{service, used, total, remaining}]. */
async function readBars(card) {
  return card.locator('[data-testid^="usage-bar-"]').evaluateAll((els) =>
    els.map((e) => ({
      service: e.getAttribute('data-service'),
      used: Number(e.getAttribute('data-used')),
      total: Number(e.getAttribute('data-total')),
      remaining: Number(e.getAttribute('data-remaining')),
    })),
  );
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  headless: !process.env.E2E_HEADED,
  slowMo: Number(process.env.E2E_SLOWMO ?? 0),
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});

console.log(`ClinicDesk UI e2e against ${BASE}`);

// Shared between the staff steps.
let target = null; // { name, fragment, id }
let visit = null; // { usageId, service, usedBefore, note, historyBefore }

const staff = await newSession(browser);
const { page } = staff;

await test('server serves the UI and it loads without network fonts or CDN', async () => {
  const res = await page.goto(`${BASE}/`);
  assert(res && res.ok(), `GET / answered ${res?.status()}`);
  await page.getByTestId('login-username').waitFor();
  await page.waitForLoadState('networkidle');
  const family = await page.evaluate(() => getComputedStyle(document.body).fontFamily);
  assert(family.includes('Noto Sans KR'), `body font is ${family}`);
  assert(staff.offOrigin.length === 0, `requests left the origin: ${staff.offOrigin.join(', ')}`);
  await shot(page, '01-login');
});

await test('wrong password shows the invalid-credentials error', async () => {
  await page.getByTestId('login-username').fill('staff');
  await page.getByTestId('login-password').fill('definitely-wrong');
  await page.getByTestId('login-submit').click();
  const err = page.getByTestId('login-error');
  await err.waitFor();
  const text = await err.textContent();
  assert(/아이디 또는 비밀번호/.test(text ?? ''), `error text: ${text}`);
});

await test('staff logs in to the Today screen and opens the customer search from the sidebar', async () => {
  await login(page, 'staff');
  const role = (await page.getByTestId('header-role').textContent())?.trim();
  assert(role === '직원', `header role is "${role}"`);
  const focused = await page.evaluate(() => document.activeElement?.getAttribute('data-testid'));
  assert(focused === 'search-input', `focused element is ${focused}`);
  await waitForRows(page);
  const total = Number(await page.getByTestId('search-total').getAttribute('data-total'));
  assert(total > 0, 'the demo data has customers');
  await shot(page, '02-search');
});

/** Type `fragment` into the search box and wait for the answer to that exact query. */
async function searchFor(page, fragment) {
  if ((await page.getByTestId('search-input').inputValue()) === fragment) return;
  const answered = page.waitForResponse((r) => r.url().includes('/customers/search') && r.url().includes(`q=${encodeURIComponent(fragment)}`));
  await page.getByTestId('search-input').fill(fragment);
  await answered;
  await page.waitForFunction(() => !document.querySelector('.table-wrap.is-loading'));
}

/** On a detail page: a package card with a service that still has a session left. */
async function findUsablePackage(page) {
  const cards = page.getByTestId('package-card');
  const n = await cards.count();
  for (let i = 0; i < n; i++) {
    const card = cards.nth(i);
    const bar = (await readBars(card)).find((b) => b.remaining > 0);
    if (bar) return { usageId: await card.getAttribute('data-package-usage-id'), service: bar.service, usedBefore: bar.used };
  }
  return null;
}

await test('search by a name fragment finds the customer and opens the detail with a package card', async () => {
  const rows = await readRows(page);
  // Customers whose row shows an active package come first; try a few until one has a session left.
  const candidates = [...rows.filter((r) => r.hasPackage), ...rows.filter((r) => !r.hasPackage)].filter((r) => r.name.length >= 2).slice(0, 6);
  assert(candidates.length, 'a customer row with a name');
  for (const candidate of candidates) {
    const fragment = candidate.name.length >= 3 ? candidate.name.slice(1) : candidate.name.slice(0, 2);
    await searchFor(page, fragment);
    const after = await readRows(page);
    assert(after.some((r) => r.name === candidate.name), `"${candidate.name}" is in the results for "${fragment}"`);
    if (!target) await shot(page, '03-search-fragment');
    await page.locator(`[data-testid="result-row"][data-id="${candidate.id}"]`).click();
    await page.getByTestId('customer-name').waitFor();
    const name = (await page.getByTestId('customer-name').textContent())?.trim();
    assert(name === candidate.name, `detail shows "${name}", expected "${candidate.name}"`);
    target = { name: candidate.name, fragment, id: await page.getByTestId('customer-detail').getAttribute('data-customer-id') };
    await page.getByTestId('history-section').waitFor();
    if ((await page.getByTestId('package-card').count()) > 0) {
      visit = await findUsablePackage(page);
      if (visit) break;
    }
    // No usable package here: back to the search and try the next candidate.
    await page.getByTestId('back-to-search').click();
    await page.getByTestId('search-input').waitFor();
  }
  assert(visit, 'one of the first customers has a package with a session left');
  await page.getByTestId('package-card').first().waitFor();
  // Staff sees the phone masked and no health fields.
  const phone = (await page.getByTestId('profile-phone').textContent()) ?? '';
  assert(phone.includes('*'), `staff sees the phone masked, got "${phone}"`);
  assert((await page.getByTestId('health-section').count()) === 0, 'staff does not see health fields');
  await shot(page, '04-detail');
});

await test('record a visit against a package: history gains the visit and usage goes up by one', async () => {
  assert(visit, 'a package with a session left was found in the previous step');
  visit.historyBefore = await page.getByTestId('history-row').count();
  visit.note = `e2e 방문 ${Date.now()}`;

  await page.getByTestId('record-visit-button').click();
  const dialog = page.getByTestId('visit-dialog');
  await dialog.waitFor();
  const focused = await page.evaluate(() => document.activeElement?.getAttribute('data-testid'));
  assert(focused === 'visit-service', `first field focused, got ${focused}`);
  await page.getByTestId('visit-service').selectOption(visit.service);
  // The best package covering the service is pre-selected; make sure it is the one we watch.
  const preselected = await page.getByTestId('visit-package').inputValue();
  assert(preselected !== '', 'a package is pre-selected for a service the customer has sessions of');
  await page.getByTestId('visit-package').selectOption(visit.usageId);
  await page.getByTestId('visit-satisfaction-5').check({ force: true });
  await page.getByTestId('visit-notes').fill(visit.note);
  await shot(page, '05-visit-dialog');
  await page.getByTestId('visit-submit').click();
  // The demo's day is the server's KST day and may already hold a visit of this service (after
  // midnight KST it holds the whole day): the dialog then asks, and staff records it on purpose.
  const asked = await Promise.race([
    dialog.waitFor({ state: 'detached' }).then(() => false).catch(() => false),
    page.getByTestId('visit-duplicate').waitFor().then(() => true).catch(() => false),
  ]);
  if (asked) {
    assert((await page.getByTestId('visit-duplicate-item').count()) > 0, 'the warning lists the visit already recorded');
    await page.getByTestId('visit-duplicate-confirm').click();
  }
  await dialog.waitFor({ state: 'detached' });

  const card = page.locator(`[data-testid="package-card"][data-package-usage-id="${visit.usageId}"]`);
  const bar = card.getByTestId(`usage-bar-${visit.service}`);
  await page.waitForFunction(
    ({ usageId, service, expected }) =>
      document.querySelector(`[data-testid="package-card"][data-package-usage-id="${usageId}"] [data-testid="usage-bar-${service}"]`)?.getAttribute('data-used') === String(expected),
    { usageId: visit.usageId, service: visit.service, expected: visit.usedBefore + 1 },
  );
  const usedAfter = Number(await bar.getAttribute('data-used'));
  assert(usedAfter === visit.usedBefore + 1, `usage went from ${visit.usedBefore} to ${usedAfter}`);

  const row = page.getByTestId('history-row').filter({ hasText: visit.note });
  await row.first().waitFor();
  assert((await row.first().getAttribute('data-service')) === visit.service, 'history row has the service');
  assert((await row.first().getAttribute('data-cancelled')) === 'false', 'the new visit is not cancelled');
  const historyAfter = await page.getByTestId('history-row').count();
  assert(historyAfter >= Math.min(visit.historyBefore + 1, 50), `history rows ${visit.historyBefore} → ${historyAfter}`);
  // Staff may not cancel visits.
  assert((await row.first().getByTestId('cancel-visit-button').count()) === 0, 'staff has no cancel button');
  await shot(page, '06-detail-after-visit');
});

await test('keyboard: V opens the visit dialog, digits pick a service, Esc closes it', async () => {
  await page.locator('body').click({ position: { x: 5, y: 300 } });
  await page.keyboard.press('v');
  await page.getByTestId('visit-dialog').waitFor();
  // The dialog takes the keyboard once it has drawn (its first field is focused then).
  await page.waitForFunction(() => !!document.activeElement?.closest('[data-testid="visit-dialog"]'));
  await page.keyboard.press('2');
  const svc = await page.getByTestId('visit-service').inputValue();
  const second = await page.getByTestId('visit-service').locator('option').nth(1).getAttribute('value');
  assert(svc === second, `key 2 picked ${svc}, expected ${second}`);
  await page.keyboard.press('Escape');
  await page.getByTestId('visit-dialog').waitFor({ state: 'detached' });
});

await test('the session survives a reload (refresh token)', async () => {
  await page.reload();
  await page.getByTestId('customer-name').waitFor();
  assert((await page.getByTestId('login-username').count()) === 0, 'no login screen after reload');
});

await test('no script can read the refresh token (HttpOnly cookie, nothing in page storage)', async () => {
  const seen = await page.evaluate(() => ({
    cookie: document.cookie,
    storage: JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }),
  }));
  assert(!seen.cookie.includes('clinicdesk_refresh'), `document.cookie shows it: ${seen.cookie}`);
  assert(!/refresh/i.test(seen.storage), `page storage holds it: ${seen.storage}`);
  const cookies = await page.context().cookies();
  const refresh = cookies.find((c) => c.name === 'clinicdesk_refresh');
  assert(refresh, 'the browser holds the refresh cookie');
  assert(refresh.httpOnly && refresh.sameSite === 'Strict' && refresh.path === '/api/v1/auth', JSON.stringify(refresh));
});

await test('English toggle switches the UI language', async () => {
  await page.getByTestId('lang-toggle').click();
  await page.getByTestId('record-visit-button').filter({ hasText: 'Record visit' }).waitFor();
  await page.getByTestId('lang-toggle').click();
  await page.getByTestId('record-visit-button').filter({ hasText: '방문 기록' }).waitFor();
});

await test('staff edit form has no health fields', async () => {
  await page.getByTestId('edit-button').click();
  await page.getByTestId('customer-form').waitFor();
  assert((await page.getByTestId('form-health-section').count()) === 0, 'no health section for staff');
  await page.getByTestId('form-cancel').click();
  await page.getByTestId('customer-name').waitFor();
});

await test('logout returns to the login screen and forgets the session', async () => {
  await page.getByTestId('logout-button').click();
  await page.getByTestId('login-username').waitFor();
  await page.reload();
  await page.getByTestId('login-username').waitFor();
});

await test('no console errors, CSP violations or off-origin requests (staff)', async () => {
  assertClean(staff);
});
await staff.context.close();

// ---------------------------------------------------------------------------------------------
const admin = await newSession(browser);

await test('admin in a fresh context sees health fields and unmasked contacts', async () => {
  const p = admin.page;
  await login(p, 'admin');
  const role = (await p.getByTestId('header-role').textContent())?.trim();
  assert(role === '관리자', `header role is "${role}"`);
  await waitForRows(p);
  // Prefer the customer from the staff steps, then look through others for one with health data.
  const ids = [];
  if (target?.id) ids.push(target.id);
  for (const r of await readRows(p)) if (!ids.includes(r.id)) ids.push(r.id);
  let found = false;
  for (const id of ids.slice(0, 10)) {
    await p.goto(`${BASE}/#/customers/${encodeURIComponent(id)}`);
    await p.getByTestId('customer-name').waitFor();
    await p.getByTestId('profile-phone').waitFor();
    const phone = (await p.getByTestId('profile-phone').textContent()) ?? '';
    assert(!phone.includes('*'), `admin sees the phone unmasked, got "${phone}"`);
    if ((await p.getByTestId('health-section').count()) > 0) {
      const text = (await p.getByTestId('health-section').textContent()) ?? '';
      assert(text.length > 0, 'health section has content');
      found = true;
      await shot(p, '07-admin-detail-health');
      break;
    }
  }
  assert(found, 'some customer shows health fields to admin');
  await p.getByTestId('edit-button').click();
  await p.getByTestId('form-health-section').waitFor();
  await shot(p, '08-admin-edit-form');
});

await test('admin sees a cancel button for visits', async () => {
  const p = admin.page;
  await p.getByTestId('form-cancel').click();
  await p.getByTestId('customer-name').waitFor();
  const rows = await p.getByTestId('history-row').count();
  if (rows > 0) {
    const active = p.locator('[data-testid="history-row"][data-cancelled="false"]');
    if ((await active.count()) > 0) assert((await active.first().getByTestId('cancel-visit-button').count()) === 1, 'cancel button on an active visit');
  }
});

// ---------------------------------------------------------------------------------------------
// The audit trail: staff may not see it; the admin sees who opened the staff's customer, and
// that the chains are intact.
const staffAgain = await newSession(browser);

await test('staff has no 감사 기록 entry, #/audit shows the forbidden message, the API answers 403', async () => {
  const p = staffAgain.page;
  await login(p, 'staff');
  assert((await p.getByTestId('nav-audit').count()) === 0, 'staff has no audit entry in the sidebar');
  await p.goto(`${BASE}/#/audit`);
  const forbidden = p.getByTestId('audit-forbidden');
  await forbidden.waitFor();
  assert((await forbidden.textContent())?.trim() === '관리자만 볼 수 있는 화면입니다.', `forbidden text: ${await forbidden.textContent()}`);
  assert((await p.getByTestId('audit-table').count()) === 0, 'no audit table for staff');
  // The server refuses too (and records the refusal, which the admin looks at below).
  const auth = await fetch(`${BASE}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'staff', password: PASSWORD }),
  });
  assert(auth.status === 200, `staff login answered ${auth.status}`);
  const token = (await auth.json()).data.access_token;
  const res = await fetch(`${BASE}/api/v1/audit/events`, { headers: { authorization: `Bearer ${token}` } });
  const body = await res.json();
  assert(res.status === 403 && body.error?.code === 'FORBIDDEN_ROLE', `staff GET /audit/events answered ${res.status} ${JSON.stringify(body)}`);
  await shot(p, '14-audit-forbidden-staff');
});

await test('admin follows 열람 기록 from the customer staff opened and sees staff’s detail read', async () => {
  assert(target?.id, 'the staff steps opened a customer');
  const p = admin.page;
  await p.goto(`${BASE}/#/customers/${encodeURIComponent(target.id)}`);
  await p.getByTestId('customer-name').waitFor();
  await p.getByTestId('audit-link').click();
  await p.getByTestId('audit-screen').waitFor();
  const chip = p.getByTestId('audit-customer-name');
  await chip.waitFor();
  assert((await chip.textContent())?.trim() === target.name, `the filter names "${await chip.textContent()}", expected "${target.name}"`);
  assert(p.url().includes(`customer_id=${encodeURIComponent(target.id)}`), `url ${p.url()}`);
  await p.getByTestId('audit-row').first().waitFor();
  // Only staff's events (the admin's own reads of this customer are there too).
  const answered = p.waitForResponse((r) => r.url().includes('/api/v1/audit/events') && r.url().includes('username=staff'));
  await p.getByTestId('audit-username').fill('staff');
  await p.getByTestId('audit-username').press('Enter');
  await answered;
  const row = p.locator('[data-testid="audit-row"][data-action="customer.detail.read"][data-username="staff"]').first();
  await row.waitFor();
  const user = (await row.getByTestId('audit-user').textContent()) ?? '';
  assert(user.includes('staff') && user.includes('직원'), `staff column: "${user}"`);
  assert((await row.getByTestId('audit-action').textContent())?.trim() === '고객 상세 열람', 'action label in Korean');
  assert((await row.getByTestId('audit-target').textContent())?.trim() === target.name, 'the record is named by the customer');
  const time = (await row.getByTestId('audit-time').textContent())?.trim() ?? '';
  assert(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(time), `time "${time}"`);
  const usernames = await p.locator('[data-testid="audit-row"]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-username')));
  assert(usernames.length > 0 && usernames.every((u) => u === 'staff'), `rows by ${usernames.join(', ')}`);
  // The search pages the customer appeared on are there too, with how many were shown.
  const page = p.locator('[data-testid="audit-row"][data-action="customer.search"]').first();
  if ((await page.count()) > 0) assert(/\d+명 표시/.test((await page.getByTestId('audit-summary').textContent()) ?? ''), 'search rows say how many were shown');
  await sizes(p, '15-audit-customer');
});

await test('admin sees staff’s refused request under 접근 거부', async () => {
  const p = admin.page;
  await p.getByTestId('audit-customer-clear').click();
  await p.waitForFunction(() => !location.hash.includes('customer_id'));
  const answered = p.waitForResponse((r) => r.url().includes('/api/v1/audit/events') && r.url().includes('action=access.denied'));
  await p.getByTestId('audit-group').selectOption('denied');
  await answered;
  // The path as the API's router saw it (nested under /api/v1).
  const row = p.locator('[data-testid="audit-row"][data-action="access.denied"][data-username="staff"]').filter({ hasText: '/audit/events' }).first();
  await row.waitFor();
  assert((await row.getByTestId('audit-action').textContent())?.trim() === '접근 거부', 'refusal label');
  await p.getByTestId('audit-reset').click();
});

await test('admin runs the integrity check and sees the trail intact', async () => {
  const p = admin.page;
  await p.getByTestId('audit-verify').click();
  const result = p.getByTestId('audit-verify-result');
  await result.waitFor();
  assert((await result.getAttribute('data-intact')) === 'true', `intact: ${await result.textContent()}`);
  const text = (await result.textContent()) ?? '';
  assert(text.includes('감사 기록이 온전합니다'), text);
  const m = /기록 ([\d,]+)건, 체인 (\d+)개/.exec(text);
  assert(m && Number(m[1].replace(/,/g, '')) > 0 && Number(m[2]) >= 2, `counts in "${text}"`);
  await sizes(p, '16-audit-verify');
});

await test('no console errors, CSP violations or off-origin requests (audit, staff)', async () => {
  assertClean(staffAgain);
});
await staffAgain.context.close();

await test('no console errors, CSP violations or off-origin requests (admin)', async () => {
  assertClean(admin);
});
// ---------------------------------------------------------------------------------------------
// Accounts: the admin adds a user, the user logs in and changes their password, the admin
// deactivates them and their open session ends at its next request.
const STRONG = 'Blue-Harbor-Lamp-42';
const CHANGED = 'Quiet river 7 stones';
const newUser = { username: `e2e-${Date.now().toString(36)}`, name: '이테스트' };
const member = await newSession(browser);

/** Screenshots of the current page at the two sizes every screen must work at. */
async function sizes(page, name) {
  for (const [w, h] of [[1024, 700], [1920, 1080]]) {
    await page.setViewportSize({ width: w, height: h });
    await page.waitForTimeout(50);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    await page.screenshot({ path: `${SHOTS}${name}-${w}x${h}.png` });
    assert(overflow <= 0, `${name} overflows ${overflow}px at ${w}×${h}`);
  }
  await page.setViewportSize({ width: 1440, height: 900 });
}

await test('admin adds a user in 사용자 관리', async () => {
  const p = admin.page;
  await p.getByTestId('nav-users').click();
  await p.getByTestId('users-table').waitFor();
  const usernames = await p.getByTestId('user-username').allTextContents();
  assert(usernames.length >= 4 && usernames.some((u) => u.trim() === 'staff'), `listed: ${usernames.join(', ')}`);
  await sizes(p, '09-users');
  await p.getByTestId('add-user-button').click();
  await p.getByTestId('add-user-dialog').waitFor();
  await p.getByTestId('add-display-name').fill(newUser.name);
  await p.getByTestId('add-username').fill(newUser.username);
  await p.getByTestId('add-role').selectOption('staff');
  await p.getByTestId('add-password').fill('1234567890');
  assert((await p.getByTestId('add-password-rule-kinds').getAttribute('data-ok')) === 'false', 'digits only: one kind');
  await p.getByTestId('add-password').fill(STRONG);
  await p.getByTestId('add-confirm').fill(STRONG);
  assert((await p.getByTestId('add-password-rules').locator('li.ok').count()) === 3, 'every rule met');
  await sizes(p, '10-add-user');
  await p.getByTestId('add-user-submit').click();
  await p.getByTestId('add-user-dialog').waitFor({ state: 'detached' });
  const row = p.locator(`[data-testid="user-row"][data-username="${newUser.username}"]`);
  await row.waitFor();
  assert((await row.getByTestId('user-status').textContent())?.trim() === '사용 중', 'the new user is active');
});

await test('the new user logs in and changes their password', async () => {
  const p = member.page;
  await p.goto(`${BASE}/`);
  await p.getByTestId('login-username').fill(newUser.username);
  await p.getByTestId('login-password').fill(STRONG);
  await p.getByTestId('login-submit').click();
  await p.getByTestId('today-screen').waitFor();
  assert((await p.getByTestId('nav-users').count()) === 0, 'staff has no user management');
  await p.getByTestId('header-user').click();
  await p.getByTestId('change-password-button').click();
  await p.getByTestId('change-password-dialog').waitFor();
  await p.getByTestId('current-password').fill('not-my-password');
  await p.getByTestId('new-password').fill(CHANGED);
  await p.getByTestId('confirm-password').fill(CHANGED);
  await p.getByTestId('change-password-submit').click();
  const wrong = p.getByTestId('error-pw-current');
  await wrong.waitFor();
  assert(/현재 비밀번호/.test((await wrong.textContent()) ?? ''), 'a wrong current password is named');
  await sizes(p, '11-change-password');
  await p.getByTestId('current-password').fill(STRONG);
  await p.getByTestId('change-password-submit').click();
  await p.getByTestId('change-password-dialog').waitFor({ state: 'detached' });
  await p.getByTestId('toast').filter({ hasText: '비밀번호를 바꿨습니다' }).waitFor();
  // The session goes on after the change.
  await p.reload();
  await p.getByTestId('today-screen').waitFor();
});

await test('the old password no longer works, the new one does', async () => {
  const res = await fetch(`${BASE}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: newUser.username, password: STRONG }),
  });
  assert(res.status === 401, `old password answered ${res.status}`);
  const ok = await fetch(`${BASE}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: newUser.username, password: CHANGED }),
  });
  assert(ok.status === 200, `new password answered ${ok.status}`);
});

await test('admin deactivates the user after a confirmation; the user’s session ends', async () => {
  const p = admin.page;
  const row = p.locator(`[data-testid="user-row"][data-username="${newUser.username}"]`);
  await row.getByTestId('deactivate-user').click();
  const dialog = p.getByTestId('deactivate-dialog');
  await dialog.waitFor();
  assert((await dialog.textContent())?.includes(newUser.username), 'the dialog names the account');
  await sizes(p, '12-deactivate');
  await p.getByTestId('deactivate-confirm').click();
  await dialog.waitFor({ state: 'detached' });
  await p.waitForFunction((u) => document.querySelector(`[data-testid="user-row"][data-username="${u}"]`)?.getAttribute('data-active') === 'false', newUser.username);

  // The member's open page: its next request is refused and the login screen returns.
  const m = member.page;
  await m.getByTestId('today-refresh').click();
  await m.getByTestId('login-username').waitFor();
  await m.getByTestId('login-notice').waitFor();
  await m.getByTestId('login-username').fill(newUser.username);
  await m.getByTestId('login-password').fill(CHANGED);
  await m.getByTestId('login-submit').click();
  await m.getByTestId('login-error').waitFor();
  await shot(m, '13-deactivated-user-login');
});

await test('no console errors, CSP violations or off-origin requests (accounts)', async () => {
  for (const s of [admin, member]) assertClean(s);
});
await member.context.close();
await admin.context.close();

// ---------------------------------------------------------------------------------------------
const docs = await newSession(browser);
// Every request of every tab of this context (its CSP violations are recorded by newSession).
const docsRequests = [];
docs.context.on('request', (r) => docsRequests.push(r.url()));

await test('help entry "API 문서" opens Swagger UI at /docs in a new tab; nothing leaves the server', async () => {
  const p = docs.page;
  await login(p, 'staff');
  const link = p.getByTestId('api-docs-link');
  assert((await link.getAttribute('href')) === '/docs/', 'the entry links to /docs/');
  assert((await link.getAttribute('target')) === '_blank', 'in a new tab');
  const [tab] = await Promise.all([docs.context.waitForEvent('page'), link.click()]);
  const tabErrors = [];
  tab.on('console', (m) => {
    if (m.type() === 'error') tabErrors.push(m.text());
  });
  tab.on('pageerror', (e) => tabErrors.push(String(e)));
  await tab.waitForLoadState('networkidle');
  assert(new URL(tab.url()).pathname === '/docs/', `the tab is at ${tab.url()}`);
  await tab.locator('.swagger-ui .info .title').filter({ hasText: 'ClinicDesk API' }).waitFor();
  // Korean in the UI's bundled font (korean-font.css), not in whatever the system has.
  const korean = await tab.evaluate(async () => {
    await document.fonts.ready;
    return document.fonts.check('16px "Noto Sans KR Variable"', '고객 상세');
  });
  assert(korean, 'the bundled Korean font is loaded on /docs');
  assert(docsRequests.some((u) => u.endsWith('/korean-font.css')), '/docs links korean-font.css');
  const operations = await tab.locator('.opblock').count();
  assert(operations >= 27, `Swagger UI lists ${operations} operations`);
  await tab.screenshot({ path: `${SHOTS}09-api-docs.png` });

  // One operation opened: roles, parameters, the error codes of each status.
  const detail = tab.locator('.opblock').filter({ hasText: '/api/v1/customers/{id}/detail' }).first();
  await detail.locator('.opblock-summary').click();
  await detail.locator('.responses-wrapper').waitFor();
  const text = (await detail.textContent()) ?? '';
  for (const expected of ['admin', 'staff', 'history_limit', 'CUSTOMER_NOT_FOUND', 'x-roles']) {
    assert(text.includes(expected), `the opened operation shows ${expected}`);
  }
  await detail.scrollIntoViewIfNeeded();
  await tab.screenshot({ path: `${SHOTS}10-api-docs-operation.png` });
  // The server's docs let a user try a call (with a token); only the desktop's are read-only.
  assert((await detail.locator('.try-out__btn').count()) === 1, 'Try it out is offered over HTTP');

  const origin = new URL(BASE).origin;
  const docsUrls = docsRequests.filter((u) => u.includes('/docs') || u.includes('openapi.json'));
  assert(docsUrls.some((u) => u.endsWith('/api/v1/openapi.json')), 'Swagger UI read the document from this server');
  const foreign = docsRequests.filter((u) => !u.startsWith(origin) && !u.startsWith('data:') && !u.startsWith('blob:'));
  assert(foreign.length === 0, `requests left the server: ${foreign.join(', ')}`);
  // Neither /docs (its own policy) nor the UI page that opened it (the UI's) violated its CSP.
  assert(docs.cspViolations.length === 0, `Content-Security-Policy violations: ${docs.cspViolations.join(' | ')}`);
  assert(tabErrors.length === 0, `console errors on /docs: ${tabErrors.join(' | ')}`);
  console.log(`      ${docsRequests.length} requests, all to ${origin}`);
  await tab.close();
});
await docs.context.close();

await (await import('./today.mjs')).run({ browser, BASE, PASSWORD, test, assert, shot, newSession, assertClean, login, readRows, waitForRows, readBars, searchFor, findUsablePackage });
await (await import('./money.mjs')).run({ browser, BASE, PASSWORD, test, assert, shot, newSession, assertClean, login, readRows, waitForRows, readBars, searchFor, findUsablePackage });
await (await import('./devices.mjs')).run({ browser, BASE, PASSWORD, test, assert, shot, newSession, assertClean, login, readRows, waitForRows, readBars, searchFor, findUsablePackage });
await (await import('./sync.mjs')).run({ browser, BASE, PASSWORD, test, assert, shot, newSession, assertClean, login, readRows, waitForRows, readBars, searchFor, findUsablePackage });
await (await import('./analytics.mjs')).run({ browser, BASE, PASSWORD, test, assert, shot, newSession, assertClean, login, readRows, waitForRows, readBars, searchFor, findUsablePackage });
await (await import('./customer-analytics.mjs')).run({ browser, BASE, PASSWORD, test, assert, shot, newSession, assertClean, login, readRows, waitForRows, readBars, searchFor, findUsablePackage });
await (await import('./self-reports.mjs')).run({ browser, BASE, PASSWORD, test, assert, shot, newSession, assertClean, login, readRows, waitForRows, readBars, searchFor, findUsablePackage });
await (await import('./layout.mjs')).run({ browser, BASE, PASSWORD, test, assert, shot, newSession, assertClean, login, readRows, waitForRows, readBars, searchFor, findUsablePackage });
await (await import('./validation.mjs')).run({ browser, BASE, PASSWORD, test, assert, shot, newSession, assertClean, login, readRows, waitForRows, readBars, searchFor, findUsablePackage });
await (await import('./search.mjs')).run({ browser, BASE, PASSWORD, test, assert, shot, newSession, assertClean, login, readRows, waitForRows, readBars, searchFor, findUsablePackage });
await (await import('./clinics.mjs')).run({ browser, BASE, PASSWORD, test, assert, shot, newSession, assertClean, login, readRows, waitForRows, readBars, searchFor, findUsablePackage });
await (await import('./allergy-staff.mjs')).run({ browser, BASE, PASSWORD, test, assert, shot, newSession, assertClean, login, readRows, waitForRows, readBars, searchFor, findUsablePackage });
await (await import('./allergy-patient.mjs')).run({ browser, BASE, PASSWORD, test, assert, shot, newSession, assertClean, login, readRows, waitForRows, readBars, searchFor, findUsablePackage });
await browser.close();

const passed = results.filter((r) => r.ok).length;
const failed = results.length - passed;
console.log(`${passed} passed, ${failed} failed`);
// Let stdout drain (no process.exit): the summary line must reach a piped reader.
process.exitCode = failed ? 1 : 0;
