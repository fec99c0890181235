#!/usr/bin/env node
// Browser end-to-end test of the ClinicDesk UI, served by a running server with demo data.
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

/** A fresh browser context that records every request leaving the server's origin. */
async function newSession(browser) {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'ko-KR', timezoneId: 'Asia/Seoul' });
  context.setDefaultTimeout(TIMEOUT);
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
  return { context, page, offOrigin, consoleErrors };
}

async function login(page, username) {
  await page.goto(`${BASE}/`);
  await page.getByTestId('login-username').waitFor();
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(PASSWORD);
  await page.getByTestId('login-submit').click();
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

await test('staff logs in and lands on customer search', async () => {
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

await test('no console errors and no off-origin requests (staff)', async () => {
  const errors = staff.consoleErrors.filter((e) => !/401|Unauthorized|Failed to load resource/.test(e));
  assert(errors.length === 0, `console errors: ${errors.join(' | ')}`);
  assert(staff.offOrigin.length === 0, `off-origin requests: ${staff.offOrigin.join(', ')}`);
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

await test('no console errors and no off-origin requests (admin)', async () => {
  const errors = admin.consoleErrors.filter((e) => !/401|Unauthorized|Failed to load resource/.test(e));
  assert(errors.length === 0, `console errors: ${errors.join(' | ')}`);
  assert(admin.offOrigin.length === 0, `off-origin requests: ${admin.offOrigin.join(', ')}`);
});
await admin.context.close();

await browser.close();

const passed = results.filter((r) => r.ok).length;
const failed = results.length - passed;
console.log(`${passed} passed, ${failed} failed`);
// Let stdout drain (no process.exit): the summary line must reach a piped reader.
process.exitCode = failed ? 1 : 0;
