// Issue 8, the front desk's day: the Today screen after login, a follow-up completed from
// it, and a phone revealed by staff that a manager then sees in the audit screen.

import { apiAs, kstDay } from './api.mjs';

async function loginToToday(page, BASE, PASSWORD, username) {
  await page.goto(`${BASE}/`);
  await page.getByTestId('login-username').waitFor();
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(PASSWORD);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('today-screen').waitFor();
  await page.getByTestId('today-followups').waitFor();
}

export async function run(t) {
  const { browser, BASE, PASSWORD, test, assert, shot, newSession, assertClean } = t;
  const staff = await newSession(browser);
  const manager = await newSession(browser);
  const page = staff.page;
  // A follow-up due today on a customer of the demo data, asked for by staff.
  let fixture = null; // { followUpId, customerId, customerName }

  await test('a login lands on the Today screen with the day’s lists', async () => {
    const api = await apiAs(BASE, PASSWORD, 'staff');
    const list = await api('GET', '/api/v1/customers?limit=5');
    const customer = list.customers.find((c) => c.name);
    assert(customer, 'the demo data has a customer');
    const created = await api('POST', `/api/v1/customers/${customer.id}/interactions`, {
      interaction_type: 'call',
      notes: '브라우저 테스트: 오늘 다시 전화',
      follow_up: { date: `${kstDay(0)}T15:00:00+09:00`, type: 'call', notes: '패키지 재구매 안내 (e2e)' },
    });
    fixture = { followUpId: created.interaction_id, customerId: customer.id, customerName: customer.name };

    await loginToToday(page, BASE, PASSWORD, 'staff');
    assert((await page.getByTestId('nav-today').getAttribute('class'))?.includes('active'), 'the 오늘 entry is active');
    const row = page.locator(`[data-testid="today-followup-row"][data-follow-up-id="${fixture.followUpId}"]`);
    await row.waitFor();
    assert((await row.textContent())?.includes('오늘'), 'the new follow-up is due today');
    for (const list of ['today-visits', 'today-expiring', 'today-at-risk']) {
      await page.getByTestId(list).waitFor();
    }
    // The demo day has work on it: overdue follow-ups, packages ending soon, newly at-risk customers.
    assert((await page.getByTestId('today-followup-row').count()) > 1, 'follow-ups listed');
    assert((await page.getByTestId('today-expiring-row').count()) > 0, 'packages ending within 14 days listed');
    assert((await page.getByTestId('today-at-risk-row').count()) > 0, 'newly at-risk customers listed');
    const expiring = (await page.getByTestId('today-expiring-row').first().textContent()) ?? '';
    assert(/\d{4}-\d{2}-\d{2}/.test(expiring) && /회 남음/.test(expiring), `a renewal row shows its expiry and sessions left: ${expiring}`);

    await page.setViewportSize({ width: 1024, height: 700 });
    await shot(page, 'issue8-today-1024x700');
    await page.setViewportSize({ width: 1920, height: 1080 });
    await shot(page, 'issue8-today-1920x1080');
    await page.setViewportSize({ width: 1440, height: 900 });
  });

  await test('a row of the Today screen opens its customer', async () => {
    assert(fixture, 'the follow-up of the previous step');
    const row = page.locator(`[data-testid="today-followup-row"][data-follow-up-id="${fixture.followUpId}"]`);
    await row.locator('td').nth(2).click();
    await page.getByTestId('customer-name').waitFor();
    const name = (await page.getByTestId('customer-name').textContent())?.trim();
    assert(name === fixture.customerName, `opened "${name}", expected "${fixture.customerName}"`);
    await page.getByTestId('nav-today').click();
    await page.getByTestId('today-followups').waitFor();
  });

  await test('staff reveal a phone and the audit shows it', async () => {
    assert(fixture, 'the follow-up of the first step');
    const row = page.locator(`[data-testid="today-followup-row"][data-follow-up-id="${fixture.followUpId}"]`);
    await row.getByTestId('reveal-phone').click();
    const dialog = page.getByTestId('reveal-dialog');
    await dialog.waitFor();
    assert(await dialog.getByTestId('reveal-reason-follow_up_call').isChecked(), 'the follow-up call reason is offered first');
    await shot(page, 'issue8-reveal-dialog');
    await dialog.getByTestId('reveal-confirm').click();
    const phone = ((await dialog.getByTestId('revealed-phone').textContent()) ?? '').trim();
    assert(/^0\d{1,2}-\d{3,4}-\d{4}$/.test(phone), `the whole number is shown: "${phone}"`);
    await shot(page, 'issue8-reveal-shown');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });

    const m = manager.page;
    await loginToToday(m, BASE, PASSWORD, 'manager');
    await m.getByTestId('nav-audit').click();
    await m.getByTestId('reveals-screen').waitFor();
    const first = m.getByTestId('reveal-row').first();
    await first.waitFor();
    const text = (await first.textContent()) ?? '';
    assert(text.includes(fixture.customerName), `the newest reveal names the customer: ${text}`);
    assert(text.includes('후속 조치 전화'), `and why: ${text}`);
    assert(text.includes('(staff'), `and who: ${text}`);
    assert(!text.includes(phone), 'the review does not repeat the number');
    await shot(m, 'issue8-reveals-manager');
  });

  await test('a follow-up is completed from the Today screen', async () => {
    assert(fixture, 'the follow-up of the first step');
    const row = page.locator(`[data-testid="today-followup-row"][data-follow-up-id="${fixture.followUpId}"]`);
    await row.getByTestId('followup-complete').click();
    const dialog = page.getByTestId('followup-complete-dialog');
    await dialog.waitFor();
    await dialog.getByTestId('followup-note').fill('통화 완료, 재구매 의사 있음');
    await shot(page, 'issue8-followup-complete');
    await dialog.getByTestId('followup-complete-confirm').click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByTestId('toast').filter({ hasText: '후속 조치를 완료했습니다' }).waitFor();
    await row.waitFor({ state: 'detached' });
    // The server says so too: done, by staff, with the note.
    const api = await apiAs(BASE, PASSWORD, 'manager');
    const done = await api('GET', '/api/v1/follow-ups?state=done&limit=200');
    const item = done.follow_ups.find((f) => f.follow_up_id === fixture.followUpId);
    assert(item && item.state === 'done' && item.closed_at, `the follow-up is done: ${JSON.stringify(item)}`);
  });

  await test('no console errors, CSP violations or off-origin requests (Today)', async () => {
    for (const s of [staff, manager]) assertClean(s);
  });
  await staff.context.close();
  await manager.context.close();
}
