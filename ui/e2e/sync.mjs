// Issue 9, sync as the central server shows it (the e2e server is the central server: nothing
// here needs a PC connected to it). The indicator in the top bar says 중앙 서버, discreetly, and
// fits beside the account menu in a 1024×700 window; a manager opens 동기화 설정 from the
// sidebar (no connect form: the central server connects to no one) and from there 동기화 충돌,
// whose three sections agree with the API — on the demo data, their empty states. Staff get
// the indicator but neither screen, and those screens ask the server nothing for them.

import { apiAs } from './api.mjs';
import { layoutProblems } from './layout.mjs';

const EMPTY = {
  conflicts: '확인할 충돌이 없습니다.',
  overdrawn: '회차를 초과한 패키지가 없습니다.',
  merges: '중복이 의심되는 고객이 없습니다.',
};
const FORBIDDEN = '매니저와 관리자만 볼 수 있는 화면입니다.';

/** Requests a page sends to the sync endpoints, as `METHOD /path`. */
function watchSyncRequests(page) {
  const sent = [];
  page.on('request', (r) => {
    const path = new URL(r.url()).pathname;
    if (path.startsWith('/api/v1/sync/')) sent.push(`${r.method()} ${path}`);
  });
  return sent;
}

/** The boxes of the top bar's items that overlap (none: []). */
async function topbarOverlaps(page) {
  return page.evaluate(() => {
    const items = [
      ['title', document.querySelector('.topbar-title')],
      ['sync', document.querySelector('.sync-indicator')],
      ['account', document.querySelector('[data-testid="header-user"]')],
      ['lang', document.querySelector('[data-testid="lang-toggle"]')],
      ['logout', document.querySelector('[data-testid="logout-button"]')],
    ].filter(([, el]) => el);
    const out = [];
    const vw = document.documentElement.clientWidth;
    for (let i = 0; i < items.length; i++) {
      const [a, ea] = items[i];
      const ra = ea.getBoundingClientRect();
      if (ra.right > vw + 0.5) out.push(`${a} runs past the window (${Math.round(ra.right)} > ${vw})`);
      for (let j = i + 1; j < items.length; j++) {
        const [b, eb] = items[j];
        const rb = eb.getBoundingClientRect();
        if (ra.left < rb.right - 0.5 && rb.left < ra.right - 0.5 && ra.top < rb.bottom - 0.5 && rb.top < ra.bottom - 0.5) out.push(`${a} overlaps ${b}`);
      }
    }
    return out;
  });
}

export async function run(t) {
  const { browser, BASE, PASSWORD, test, assert, shot, newSession, assertClean, login } = t;
  const manager = await newSession(browser);
  const staff = await newSession(browser);

  await test('sync: the indicator says 중앙 서버 on the central server, and fits the top bar at 1024×700', async () => {
    const page = manager.page;
    const api = await apiAs(BASE, PASSWORD, 'manager');
    const status = await api('GET', '/api/v1/sync/status');
    assert(status.role === 'central', `the e2e server is the central server: ${JSON.stringify(status)}`);
    await login(page, 'manager');
    const chip = page.getByTestId('sync-indicator');
    await page.locator('[data-testid="sync-indicator"][data-state="central"]').waitFor();
    assert(((await chip.textContent()) ?? '').trim() === '중앙 서버', `the indicator: "${await chip.textContent()}"`);
    assert((await chip.getByTestId('sync-pending').count()) === 0, 'nothing waits to be sent on the central server');
    // The badge counts what the API counts (none on the demo data).
    const problems = status.conflicts + status.overdrawn_packages + status.merge_candidates;
    const badge = page.getByTestId('sync-attention');
    if (problems === 0) assert((await badge.count()) === 0, 'no badge without problems');
    else assert(((await badge.textContent()) ?? '').trim() === String(problems), `the badge says ${problems}`);

    // Clicked: what the central server is, and no 지금 동기화 (it syncs with no one).
    await chip.click();
    const menu = page.getByTestId('sync-menu');
    await menu.waitFor();
    assert(((await menu.textContent()) ?? '').includes('중앙 서버'), 'the menu says what this computer is');
    assert((await menu.getByTestId('sync-run').count()) === 0, 'no 지금 동기화 on the central server');
    assert((await menu.getByTestId('sync-menu-settings').getAttribute('href')) === '#/sync', 'a manager gets the settings link');
    await shot(page, 'sync-indicator-menu');
    await page.keyboard.press('Escape');
    await menu.waitFor({ state: 'detached' });

    for (const [w, h] of [[1024, 700], [1920, 1080]]) {
      await page.setViewportSize({ width: w, height: h });
      await page.waitForTimeout(100);
      await shot(page, `sync-topbar-${w}x${h}`);
      const overlaps = await topbarOverlaps(page);
      assert(overlaps.length === 0, `the top bar at ${w}×${h}: ${overlaps.join('; ')}`);
      const { problems: layout } = await layoutProblems(page);
      assert(layout.length === 0, `the page at ${w}×${h}:\n        ${layout.join('\n        ')}`);
    }
    await page.setViewportSize({ width: 1440, height: 900 });
  });

  await test('sync: a manager opens 동기화 설정 and 동기화 충돌; its sections agree with the API (empty states)', async () => {
    const page = manager.page;
    const sent = watchSyncRequests(page);
    await page.getByTestId('nav-sync').click();
    await page.getByTestId('sync-screen').waitFor();
    const card = page.getByTestId('sync-status-card');
    await card.waitFor();
    assert((await card.getAttribute('data-role')) === 'central', 'the status card is the central server’s');
    assert(((await page.getByTestId('sync-role').textContent()) ?? '').trim() === '중앙 서버', 'this computer: 중앙 서버');
    await page.getByTestId('sync-central').waitFor();
    assert((await page.getByTestId('sync-devices-link').getAttribute('href')) === '#/devices', 'it points to the devices that connect to it');
    assert((await page.getByTestId('connect-form').count()) === 0, 'no connect form on the central server');
    assert(((await page.getByTestId('nav-sync').getAttribute('class')) ?? '').includes('active'), 'the sidebar entry is active');
    await shot(page, 'sync-settings-central');

    await page.getByTestId('sync-conflicts-link').click();
    await page.getByTestId('sync-conflicts-screen').waitFor();
    await page.getByTestId('conflicts-section').waitFor();
    assert(((await page.getByTestId('nav-sync').getAttribute('class')) ?? '').includes('active'), 'the entry stays active on the conflicts');
    assert(sent.includes('GET /api/v1/sync/conflicts'), `the screen asked for the conflicts: ${sent.join(', ')}`);

    const api = await apiAs(BASE, PASSWORD, 'manager');
    const data = await api('GET', '/api/v1/sync/conflicts');
    const sections = [
      ['conflicts', data.conflicts.length, 'conflict-card'],
      ['overdrawn', data.overdrawn_packages.length, 'overdrawn-row'],
      ['merges', data.merge_candidates.length, 'merge-row'],
    ];
    for (const [name, n, rowId] of sections) {
      const empty = page.getByTestId(`${name}-empty`);
      if (n === 0) {
        assert(((await empty.textContent()) ?? '').trim() === EMPTY[name], `${name}: the empty state "${await empty.textContent()}"`);
        assert((await page.getByTestId(rowId).count()) === 0, `${name}: no rows`);
      } else {
        assert((await empty.count()) === 0, `${name}: no empty state with ${n} rows`);
        assert((await page.getByTestId(rowId).count()) === n, `${name}: ${n} rows`);
      }
    }
    assert(
      ((await page.getByTestId('overdrawn-explain').textContent()) ?? '').includes('두 PC에서 오프라인으로 같은 마지막 회차를 써서 생긴 초과입니다'),
      'the overdrawn section says why it happens',
    );
    for (const [w, h] of [[1024, 700], [1920, 1080]]) {
      await page.setViewportSize({ width: w, height: h });
      await page.waitForTimeout(100);
      await shot(page, `sync-conflicts-${w}x${h}`);
      const { problems } = await layoutProblems(page);
      assert(problems.length === 0, `the conflicts screen at ${w}×${h}:\n        ${problems.join('\n        ')}`);
    }
    await page.setViewportSize({ width: 1440, height: 900 });
  });

  await test('sync: staff see the indicator but cannot open the sync screens', async () => {
    const page = staff.page;
    const sent = watchSyncRequests(page);
    await login(page, 'staff');
    await page.locator('[data-testid="sync-indicator"][data-state="central"]').waitFor();
    assert((await page.getByTestId('nav-sync').count()) === 0, 'no sidebar entry for staff');

    await page.goto(`${BASE}/#/sync/conflicts`);
    const refused = page.getByTestId('sync-conflicts-forbidden');
    await refused.waitFor();
    assert(((await refused.textContent()) ?? '').trim() === FORBIDDEN, `the message: ${await refused.textContent()}`);
    assert((await page.getByTestId('conflicts-section').count()) === 0, 'no sections');
    await shot(page, 'sync-conflicts-forbidden-staff');

    await page.goto(`${BASE}/#/sync`);
    const settings = page.getByTestId('sync-forbidden');
    await settings.waitFor();
    assert(((await settings.textContent()) ?? '').trim() === FORBIDDEN, `the settings message: ${await settings.textContent()}`);

    // Only the indicator's status was asked; the screens asked nothing.
    const asked = sent.filter((s) => s !== 'GET /api/v1/sync/status');
    assert(asked.length === 0, `the screens asked the server: ${asked.join(', ')}`);
    const api = await apiAs(BASE, PASSWORD, 'staff');
    const refusal = await api('GET', '/api/v1/sync/conflicts').then(() => null, (e) => String(e));
    assert(refusal && refusal.includes('403'), `the server refuses staff too: ${refusal}`);
  });

  await test('no console errors, CSP violations or off-origin requests (sync)', async () => {
    for (const s of [manager, staff]) assertClean(s);
  });
  await manager.context.close();
  await staff.context.close();
}
