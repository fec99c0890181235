// Issue 8, "money must never move by accident": a purchase needs a confirmation, a used-up
// package never turns into a paid visit by itself, a manager cancels and refunds a purchase,
// receipts open (and show the refund), staff void a visit they have just recorded.
//
// Two fresh customers are made through the API so that nothing else of the demo data is in
// the way: one for the visits (with a package whose sessions of one service are used up), one
// for the purchase and its refund.

import { apiAs, kstDay } from './api.mjs';

/** A new customer (privacy consent given; a random phone so that no duplicate is reported). */
async function newCustomer(api, name) {
  const digits = () => String(Math.floor(1000 + Math.random() * 9000));
  const created = await api('POST', '/api/v1/customers?confirm_distinct=true', {
    name,
    phone: `010-${digits()}-${digits()}`,
    consent: { privacy: true, marketing: false, health_data: false },
  });
  return { id: created.id ?? created.customer_id, name };
}

async function openCustomer(page, BASE, id) {
  await page.goto(`${BASE}/#/customers/${encodeURIComponent(id)}`);
  await page.getByTestId('customer-name').waitFor();
  await page.getByTestId('history-section').waitFor();
}

/** Bodies of the POST requests a page sends to paths containing `fragment`, as they are sent. */
function watchPosts(page, fragment) {
  const bodies = [];
  page.on('request', (r) => {
    if (r.method() === 'POST' && r.url().includes('/api/v1/') && r.url().includes(fragment)) bodies.push({ url: r.url(), body: r.postDataJSON() });
  });
  return bodies;
}

export async function run(t) {
  const { browser, BASE, PASSWORD, test, assert, shot, newSession, assertClean, login } = t;
  const staff = await newSession(browser);
  const manager = await newSession(browser);
  const stamp = Date.now().toString(36).slice(-4);
  // Made in the first step.
  let visits = null; // { id, name, usageId, service }
  let buyer = null; // { id, name }
  let bought = null; // { usageId, packageId, service }

  await test('money: set-up — a customer with a used-up service, and one without packages', async () => {
    const api = await apiAs(BASE, PASSWORD, 'staff');
    const { packages: templates } = await api('GET', '/api/v1/packages');
    // The template and service with the fewest sessions: the fewest visits to use it up.
    let best = null;
    for (const tpl of templates) {
      for (const [service, n] of Object.entries(tpl.sessions ?? {})) {
        if (Number(n) > 0 && (!best || Number(n) < best.n)) best = { tpl, service, n: Number(n) };
      }
    }
    assert(best && best.n <= 20, `a package template with few sessions of one service: ${JSON.stringify(best?.n)}`);
    assert(best.tpl.validity_days > best.n + 2, 'the package stays valid while its sessions are used');
    const customer = await newCustomer(api, `환불테스트${stamp}`);
    const purchase = await api('POST', `/api/v1/customers/${customer.id}/packages`, {
      package_id: best.tpl.package_id,
      payment_method: 'card',
      purchase_date: kstDay(-(best.n + 1)),
    });
    // One visit a day (no duplicate warning), every session of the service.
    for (let i = 0; i < best.n; i++) {
      await api('POST', `/api/v1/customers/${customer.id}/sessions`, {
        service_type: best.service,
        service_date: kstDay(-(best.n - i)),
        package_usage_id: purchase.package_usage_id,
      });
    }
    visits = { ...customer, usageId: purchase.package_usage_id, service: best.service };
    buyer = await newCustomer(api, `구매테스트${stamp}`);
  });

  await test('money: P then Enter sells nothing; the confirmation states the sale and its button sells', async () => {
    assert(buyer, 'the set-up made a customer');
    const page = staff.page;
    await login(page, 'staff');
    await openCustomer(page, BASE, buyer.id);
    const sent = watchPosts(page, '/packages');
    await page.locator('body').click({ position: { x: 5, y: 300 } });
    await page.keyboard.press('p');
    const dialog = page.getByTestId('purchase-dialog');
    await dialog.waitFor();
    await page.getByTestId('purchase-option').first().waitFor();
    assert((await page.locator('input[name="purchase-template"]:checked').count()) === 0, 'no package is preselected');
    for (const m of ['card', 'cash', 'transfer']) {
      assert((await page.getByTestId(`purchase-method-${m}`).getAttribute('aria-checked')) === 'false', `${m} is not preselected`);
    }
    await page.keyboard.press('Enter');
    await page.getByTestId('error-package_id').waitFor();
    assert((await page.getByTestId('purchase-confirm-step').count()) === 0, 'Enter did not even reach the confirmation');
    assert(sent.length === 0, `nothing was sent: ${JSON.stringify(sent)}`);

    const option = page.getByTestId('purchase-option').first();
    const packageId = await option.getAttribute('data-package-id');
    await option.click();
    await page.getByTestId('purchase-method-card').click();
    await page.getByTestId('purchase-price').press('Enter');
    const step = page.getByTestId('purchase-confirm-step');
    await step.waitFor();
    assert(sent.length === 0, 'the confirmation step has sent nothing yet');
    const amount = ((await page.getByTestId('purchase-confirm-amount').textContent()) ?? '').trim();
    assert(/^₩[\d,]+$/.test(amount), `the amount is in won: "${amount}"`);
    assert(((await page.getByTestId('purchase-confirm-method').textContent()) ?? '').includes('카드'), 'the method is stated');
    assert(((await page.getByTestId('purchase-confirm-date').textContent()) ?? '').includes(kstDay(0)), 'the date is stated');
    assert(((await page.getByTestId('purchase-confirm').textContent()) ?? '').includes(`${amount} 결제 확정`), 'the button names the amount');
    // Enter on the confirmation (its summary has the focus) sells nothing either.
    await page.keyboard.press('Enter');
    await page.waitForTimeout(300);
    assert(sent.length === 0, 'Enter on the confirmation sent nothing');
    await shot(page, 'money-purchase-confirm');

    const answered = page.waitForResponse((r) => r.request().method() === 'POST' && r.url().includes(`/customers/${buyer.id}/packages`));
    await page.getByTestId('purchase-confirm').click();
    const created = (await (await answered).json()).data;
    await dialog.waitFor({ state: 'detached' });
    assert(sent.length === 1 && sent[0].body.payment_method === 'card' && sent[0].body.package_id === packageId, `one sale, as confirmed: ${JSON.stringify(sent)}`);
    const card = page.locator(`[data-testid="package-card"][data-package-usage-id="${created.package_usage_id}"]`);
    await card.waitFor();
    const service = await card.locator('[data-testid^="usage-bar-"]').first().getAttribute('data-service');
    bought = { usageId: created.package_usage_id, packageId, service };
    await shot(page, 'money-purchase-done');
  });

  await test('money: a used-up package never turns into a paid visit without the person choosing it', async () => {
    assert(visits, 'the set-up made a customer with a used-up service');
    const page = staff.page;
    await openCustomer(page, BASE, visits.id);
    const sent = watchPosts(page, '/sessions');
    await page.getByTestId('record-visit-button').click();
    await page.getByTestId('visit-dialog').waitFor();
    await page.getByTestId('visit-service').selectOption(visits.service);
    assert((await page.getByTestId('visit-package').inputValue()) === '', 'nothing is chosen for a used-up service');
    const option = page.locator(`[data-testid="visit-package"] option[value="${visits.usageId}"]`);
    assert(await option.evaluate((o) => o.disabled), 'the used-up package cannot be chosen');
    assert(/0회 남음/.test((await option.textContent()) ?? ''), `it says why: ${await option.textContent()}`);
    const note = (await page.getByTestId('visit-no-usable-package').textContent()) ?? '';
    assert(note.includes('0회 남음'), `the dialog says so: ${note}`);
    await page.getByTestId('visit-staff').press('Enter');
    await page.getByTestId('error-package_usage_id').waitFor();
    await page.getByTestId('visit-submit').click();
    await page.waitForTimeout(300);
    assert(sent.length === 0, `no visit was sent: ${JSON.stringify(sent)}`);
    await shot(page, 'money-visit-used-up');

    // Chosen on purpose: a paid visit, with its payment method.
    await page.getByTestId('visit-package').selectOption('single');
    await page.getByTestId('visit-method-cash').click();
    await page.getByTestId('visit-notes').fill(`e2e 단건 결제 ${stamp}`);
    await shot(page, 'money-visit-paid-chosen');
    await page.getByTestId('visit-submit').click();
    await page.getByTestId('visit-dialog').waitFor({ state: 'detached' });
    assert(sent.length === 1, `one visit sent: ${JSON.stringify(sent)}`);
    assert(sent[0].body.payment_method === 'cash' && !('package_usage_id' in sent[0].body), `a paid visit, as chosen: ${JSON.stringify(sent[0].body)}`);
    const row = page.getByTestId('history-row').filter({ hasText: `e2e 단건 결제 ${stamp}` }).first();
    await row.waitFor();
    assert((await row.getAttribute('data-package-usage-id')) === '', 'the history shows a visit without a package');
  });

  await test('money: a paid visit has a receipt', async () => {
    const page = staff.page;
    const row = page.getByTestId('history-row').filter({ hasText: `e2e 단건 결제 ${stamp}` }).first();
    await row.getByTestId('visit-receipt-button').click();
    const dialog = page.getByTestId('receipt-dialog');
    await dialog.waitFor();
    await page.getByTestId('receipt-number').waitFor();
    assert(((await page.getByTestId('receipt-customer').textContent()) ?? '').includes(visits.name), 'the receipt names the customer');
    assert(((await page.getByTestId('receipt-method').textContent()) ?? '').includes('현금'), 'and the payment method');
    await shot(page, 'money-receipt-visit');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
  });

  await test('money: staff void a visit they have just recorded', async () => {
    const page = staff.page;
    const row = page.getByTestId('history-row').filter({ hasText: `e2e 단건 결제 ${stamp}` }).first();
    const sessionId = await row.getAttribute('data-session-id');
    await row.getByTestId('void-visit-button').click();
    const dialog = page.getByTestId('cancel-visit-dialog');
    await dialog.waitFor();
    // A reason is required: nothing is sent without one.
    await page.getByTestId('cancel-confirm').click();
    await page.getByTestId('error-reason').waitFor();
    await page.getByTestId('cancel-reason').fill('잘못 기록함 (e2e)');
    await shot(page, 'money-void-dialog');
    await page.getByTestId('cancel-confirm').click();
    await dialog.waitFor({ state: 'detached' });
    const cancelled = page.locator(`[data-testid="history-row"][data-session-id="${sessionId}"][data-cancelled="true"]`);
    await cancelled.waitFor();
    assert(((await cancelled.getByTestId('cancel-info').textContent()) ?? '').includes('잘못 기록함'), 'the history says why');
    assert((await cancelled.getByTestId('void-visit-button').count()) === 0, 'no second void');
    await shot(page, 'money-void-done');
  });

  await test('money: a receipt opens for a purchase', async () => {
    assert(buyer && bought, 'the purchase step sold a package');
    const page = manager.page;
    await login(page, 'manager');
    await openCustomer(page, BASE, buyer.id);
    const card = page.locator(`[data-testid="package-card"][data-package-usage-id="${bought.usageId}"]`);
    await card.getByTestId('package-receipt-button').click();
    const dialog = page.getByTestId('receipt-dialog');
    await dialog.waitFor();
    await page.getByTestId('receipt-number').waitFor();
    const clinic = (await page.getByTestId('receipt-clinic-name').count()) + (await page.getByTestId('receipt-clinic-missing').count());
    assert(clinic === 1, 'the clinic is named, or the receipt says it is not set');
    assert(((await page.getByTestId('receipt-customer').textContent()) ?? '').includes(buyer.name), 'the receipt names the customer');
    assert(/₩[\d,]+/.test((await page.getByTestId('receipt-total').textContent()) ?? ''), 'and the total');
    assert((await page.getByTestId('receipt-item').count()) >= 1, 'and the items');
    assert(((await page.getByTestId('receipt-method').textContent()) ?? '').includes('카드'), 'and the payment method');
    await page.getByTestId('receipt-print').waitFor();
    await shot(page, 'money-receipt-purchase');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
  });

  await test('money: a manager cancels and refunds a purchase; the package cannot be chosen any more', async () => {
    assert(buyer && bought, 'the purchase step sold a package');
    const page = manager.page;
    const sent = watchPosts(page, '/cancel');
    const card = page.locator(`[data-testid="package-card"][data-package-usage-id="${bought.usageId}"]`);
    await card.getByTestId('package-refund-button').click();
    const dialog = page.getByTestId('refund-dialog');
    await dialog.waitFor();
    // Nothing has a default: the form asks for everything.
    await page.getByTestId('refund-next').click();
    await page.getByTestId('error-reason').waitFor();
    await page.getByTestId('error-refund_amount').waitFor();
    await page.getByTestId('refund-reason').fill('고객 요청으로 전액 환불 (e2e)');
    await page.getByTestId('refund-full').click();
    await page.getByTestId('refund-method-card').click();
    await shot(page, 'money-refund-dialog');
    await page.getByTestId('refund-next').click();
    const statement = ((await page.getByTestId('refund-statement').textContent()) ?? '').trim();
    assert(/^₩[\d,]+ 환불, 남은 횟수는 더 쓸 수 없습니다\.$/.test(statement), `the confirmation says what happens: "${statement}"`);
    assert(sent.length === 0, 'nothing sent before the confirm');
    await shot(page, 'money-refund-confirm');
    await page.getByTestId('refund-confirm').click();
    await dialog.waitFor({ state: 'detached' });
    assert(sent.length === 1 && sent[0].body.refund_method === 'card' && sent[0].body.refund_amount > 0, `one refund: ${JSON.stringify(sent)}`);
    await page.getByTestId('toast').filter({ hasText: '패키지를 취소했습니다' }).waitFor();

    // Shown as cancelled (in the active list or among the past packages), with its refund.
    const cancelled = page.locator(`[data-package-usage-id="${bought.usageId}"][data-status="cancelled"]`);
    await cancelled.first().waitFor();
    assert(((await cancelled.first().getByTestId('package-status').textContent()) ?? '').trim() === '취소됨', 'the card says 취소됨');
    const note = (await cancelled.first().getByTestId('package-cancellation').textContent()) ?? '';
    assert(note.includes('환불') && note.includes('고객 요청으로 전액 환불'), `the card shows the refund: ${note}`);
    assert((await cancelled.first().getByTestId('package-refund-button').count()) === 0, 'no second refund');
    await shot(page, 'money-refund-done');

    // The visit dialog lists it, if at all, as not choosable.
    await page.getByTestId('record-visit-button').click();
    await page.getByTestId('visit-dialog').waitFor();
    if (bought.service) await page.getByTestId('visit-service').selectOption(bought.service);
    const option = page.locator(`[data-testid="visit-package"] option[value="${bought.usageId}"]`);
    if ((await option.count()) > 0) assert(await option.evaluate((o) => o.disabled), 'the cancelled package cannot be chosen');
    assert((await page.getByTestId('visit-package').inputValue()) !== bought.usageId, 'the cancelled package is not chosen');
    await page.keyboard.press('Escape');
    await page.getByTestId('visit-dialog').waitFor({ state: 'detached' });

    // Its receipt now shows the cancellation.
    await cancelled.first().getByTestId('package-receipt-button').click();
    await page.getByTestId('receipt-cancellation').waitFor();
    await shot(page, 'money-receipt-refunded');
    await page.keyboard.press('Escape');
    await page.getByTestId('receipt-dialog').waitFor({ state: 'detached' });
  });

  await test('no console errors, CSP violations or off-origin requests (money)', async () => {
    for (const s of [staff, manager]) assertClean(s);
  });
  await staff.context.close();
  await manager.context.close();
}
