// Issue 8, "correctness seen on screen": the customer form asks for the privacy consent with
// its statutory items, one submit shows every field error at once (each beside its field),
// the errors follow the UI language, and dates read and type as YYYY-MM-DD whatever the
// browser's locale.

const HANGUL = /[\uAC00-\uD7A3]/;

export async function run({ browser, BASE, test, assert, shot, newSession, assertClean, login }) {
  const s = await newSession(browser);
  const { page } = s;
  await page.setViewportSize({ width: 1024, height: 700 });

  /** The text of every field error shown, by field. */
  const shownErrors = () =>
    page.locator('[data-testid^="error-"]').evaluateAll((els) =>
      Object.fromEntries(els.filter((e) => e.getClientRects().length > 0).map((e) => [e.getAttribute('data-testid').slice(6), e.textContent.trim()])),
    );

  const fillBadCustomer = async () => {
    await page.getByTestId('form-name').fill(`검증${Date.now() % 100000}`);
    await page.getByTestId('form-phone').fill('123');
    await page.getByTestId('form-email').fill('not-an-email');
    // A masked placeholder is never saved as data (staff see addresses masked).
    await page.getByTestId('form-address').fill('서울시 강남구 ***');
  };

  await test('the new-customer form shows the privacy consent’s statutory items and requires it', async () => {
    await login(page, 'staff');
    await page.goto(`${BASE}/#/customers/new`);
    await page.getByTestId('customer-form').waitFor();
    const notice = (await page.getByTestId('consent-notice').textContent()) ?? '';
    for (const item of ['수집 항목', '이용 목적', '보유 기간', '동의 거부 권리']) assert(notice.includes(item), `the notice names ${item}: ${notice}`);
    await page.getByTestId('form-name').fill('동의없음');
    await page.getByTestId('form-phone').fill('010-2222-3333');
    await page.getByTestId('form-submit').click();
    const consent = page.getByTestId('error-consent_privacy');
    await consent.waitFor();
    assert(((await consent.textContent()) ?? '').includes('동의'), 'the missing consent is said at its checkbox');
    await page.getByTestId('form-consent-section').scrollIntoViewIfNeeded();
    await page.screenshot({ path: new URL('./screenshots/issue8-consent-1024x700.png', import.meta.url).pathname });
  });

  await test('one submit shows every field error at once, each beside its field (Korean)', async () => {
    await page.goto(`${BASE}/#/customers/new`);
    await page.getByTestId('customer-form').waitFor();
    await fillBadCustomer();
    await page.getByTestId('form-consent_privacy').check();
    const answered = page.waitForResponse((r) => r.url().endsWith('/api/v1/customers') && r.request().method() === 'POST');
    await page.getByTestId('form-submit').click();
    const resp = await answered;
    assert(resp.status() === 422, `422, got ${resp.status()}`);
    const body = await resp.json();
    const listed = (body.error.details.errors ?? []).map((e) => e.field).sort();
    assert(listed.join() === 'address,email,phone', `the server lists all three: ${listed}`);
    await page.getByTestId('error-address').waitFor();
    const shown = await shownErrors();
    for (const f of ['phone', 'email', 'address']) assert(shown[f] && HANGUL.test(shown[f]), `${f} shows a Korean error: ${JSON.stringify(shown)}`);
    // Each one is inside its own field, right under its input.
    for (const f of ['phone', 'email', 'address']) {
      const ok = await page.getByTestId(`form-${f}`).evaluate((input, f) => !!input.closest('.field')?.querySelector(`[data-testid="error-${f}"]`), f);
      assert(ok, `the ${f} error is beside the ${f} input`);
    }
    await page.getByTestId('error-phone').scrollIntoViewIfNeeded();
    await page.screenshot({ path: new URL('./screenshots/issue8-errors-ko-1024x700.png', import.meta.url).pathname });
    await shot(page, 'issue8-errors-ko-1024x700-full');
  });

  await test('after switching to English the same submit answers in English', async () => {
    await page.getByTestId('lang-toggle').click();
    await page.getByTestId('form-submit').click();
    await page.waitForFunction(() => {
      const el = document.querySelector('[data-testid="error-email"]');
      return el && !/[\uAC00-\uD7A3]/.test(el.textContent ?? '');
    });
    const shown = await shownErrors();
    for (const f of ['phone', 'email', 'address']) assert(shown[f] && !HANGUL.test(shown[f]), `${f} shows an English error: ${JSON.stringify(shown)}`);
    assert(/e-mail/i.test(shown.email), `the e-mail error reads in English: ${shown.email}`);
    await page.getByTestId('error-phone').scrollIntoViewIfNeeded();
    await page.screenshot({ path: new URL('./screenshots/issue8-errors-en-1024x700.png', import.meta.url).pathname });
    await page.getByTestId('lang-toggle').click();
  });

  await test('dates read and type as YYYY-MM-DD in the Korean UI, whatever the browser locale', async () => {
    // An English-US browser: a native date input would show 05/30/2024 here.
    const us = await browser.newContext({ viewport: { width: 1024, height: 700 }, locale: 'en-US', timezoneId: 'Asia/Seoul' });
    const p = await us.newPage();
    try {
      await login(p, 'staff');
      const from = p.getByTestId('filter-last-visit-from');
      await from.waitFor();
      assert((await from.getAttribute('type')) === 'text', 'our own date field, not the locale-ordered native one');
      assert((await from.getAttribute('placeholder')) === 'YYYY-MM-DD', 'the placeholder shows the order');
      const asked = p.waitForRequest((r) => r.url().includes('last_visit_from=2024-05-01'));
      await from.click();
      await from.pressSequentially('20240501');
      assert((await from.inputValue()) === '2024-05-01', `typed digits read 2024-05-01, got ${await from.inputValue()}`);
      await asked;
      await p.screenshot({ path: new URL('./screenshots/issue8-date-filter-1024x700.png', import.meta.url).pathname });
      // An impossible date is not used: the field goes back and says so.
      const to = p.getByTestId('filter-last-visit-to');
      await to.fill('2024-02-31');
      await to.blur();
      assert((await to.inputValue()) === '', `an impossible date is dropped, got ${await to.inputValue()}`);
      assert((await to.getAttribute('aria-invalid')) === 'true', 'and marked');
    } finally {
      await us.close();
    }
  });

  await test('no console errors, CSP violations or off-origin requests (validation)', async () => {
    assertClean(s);
  });
  await s.context.close();
}
