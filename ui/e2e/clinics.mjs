// Issue 9, several clinics on one central server: the second clinic's web UI, opened at
// /clinics/<slug>, signs its own staff in against its own API (the first clinic's accounts are
// unknown there), shows its own customers only, keeps the login across a reload (its refresh
// cookie lives under its own path) and never calls the first clinic's API.
//
// scripts/browser-e2e.sh starts the server with a second clinic and names it and its
// administrator in CLINICDESK_SECOND_CLINIC ("slug:username:password").

export async function run(t) {
  const { browser, BASE, PASSWORD, test, assert, shot, newSession, assertClean } = t;
  const spec = process.env.CLINICDESK_SECOND_CLINIC ?? '';
  const [slug, username, password] = spec.split(':');

  await test('clinics: the second clinic signs in its own staff, shows its own data, calls its own API', async () => {
    if (!slug || !username || !password) {
      // Against a server started by hand there may be no second clinic; the script always has one.
      assert(process.env.CI !== 'true', 'CLINICDESK_SECOND_CLINIC must be set under CI (scripts/browser-e2e.sh sets it)');
      console.log('    (no second clinic: CLINICDESK_SECOND_CLINIC is not set)');
      return;
    }
    const s = await newSession(browser);
    const page = s.page;
    const apiCalls = [];
    page.on('request', (r) => {
      const path = new URL(r.url()).pathname;
      if (path.includes('/api/')) apiCalls.push(path);
    });
    await page.goto(`${BASE}/clinics/${slug}`);
    assert(new URL(page.url()).pathname === `/clinics/${slug}/`, `redirected to the clinic's address: ${page.url()}`);

    // The first clinic's demo account does not exist here.
    await page.getByTestId('login-username').fill('manager');
    await page.getByTestId('login-password').fill(PASSWORD);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('login-error').waitFor();

    await page.getByTestId('login-username').fill(username);
    await page.getByTestId('login-password').fill(password);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('today-screen').waitFor();
    await page.getByTestId('nav-search').click();
    await page.getByTestId('search-input').waitFor();
    // The first clinic has demo customers; this one has none of them.
    await page.getByTestId('search-empty').waitFor();
    await shot(page, 'clinics-second-clinic-search');

    // A reload restores the login from this clinic's refresh cookie, on the same screen.
    await page.reload();
    await page.getByTestId('search-empty').waitFor();
    assert((await page.getByTestId('login-form').count()) === 0, 'no login form after the reload');
    const cookies = await s.context.cookies();
    const refresh = cookies.filter((c) => c.name === 'clinicdesk_refresh');
    assert(refresh.length === 1 && refresh[0].path === `/clinics/${slug}/api/v1/auth`, `one refresh cookie, on the clinic's path: ${JSON.stringify(refresh)}`);

    assert(apiCalls.length > 0, 'the page called an API');
    const elsewhere = apiCalls.filter((p) => !p.startsWith(`/clinics/${slug}/api/v1/`));
    assert(elsewhere.length === 0, `every call went to this clinic's API: ${elsewhere.join(', ')}`);
    assertClean(s);
    await s.context.close();
  });
}
