// Issue 9, sync devices (동기화 기기): a manager registers a desktop, sees its secret once (the
// dialog closes only once they say they copied it down, and the secret is gone from the page
// afterwards), finds it in the list, then revokes it through the confirmation and the list
// says 등록 취소됨. Staff get no entry and the address tells them it is not for them.
//
// The set-up also registers a device through the API that stays in use: layout.mjs, which runs
// later, opens the revoke dialog on it.

import { apiAs } from './api.mjs';
import { layoutProblems } from './layout.mjs';

const WARNING = '이 비밀값은 지금 한 번만 보입니다 — 기기의 연결 화면에 입력하세요';
const CONSEQUENCE = '이 기기는 더 이상 동기화할 수 없습니다. 되돌릴 수 없으며 다시 쓰려면 새로 등록해야 합니다';
const HEX64 = /^[0-9a-f]{64}$/;

/** Requests a page sends to the device endpoints, as `METHOD /path`. */
function watchDeviceRequests(page) {
  const sent = [];
  page.on('request', (r) => {
    const path = new URL(r.url()).pathname;
    if (path.startsWith('/api/v1/devices')) sent.push(`${r.method()} ${path}`);
  });
  return sent;
}

/** The bodies of the device list's answers the page receives (the secret must be in none), as promises. */
function watchListAnswers(page) {
  const bodies = [];
  page.on('response', (r) => {
    if (r.request().method() === 'GET' && new URL(r.url()).pathname === '/api/v1/devices') bodies.push(r.text().catch(() => ''));
  });
  return bodies;
}

export async function run(t) {
  const { browser, BASE, PASSWORD, test, assert, shot, newSession, assertClean, login } = t;
  const manager = await newSession(browser);
  const staff = await newSession(browser);
  const stamp = Date.now().toString(36).slice(-4);
  const kept = `e2e 진료실 PC ${stamp}`;
  const name = `e2e 접수 PC ${stamp}`;
  // Made in the steps below.
  let device = null; // { id, secret }

  await test('devices: set-up — a device in use, registered through the API', async () => {
    const api = await apiAs(BASE, PASSWORD, 'manager');
    const registered = await api('POST', '/api/v1/devices', { name: kept });
    assert(HEX64.test(registered.secret ?? ''), `a 64-hex secret: ${JSON.stringify(registered)}`);
    const { devices } = await api('GET', '/api/v1/devices');
    const listed = devices.find((d) => d.device_id === registered.device_id);
    assert(listed && listed.revoked === false && listed.name === kept, `listed in use: ${JSON.stringify(listed)}`);
    assert(devices.every((d) => !('secret' in d)), 'the list holds no secret');
  });

  await test('devices: a manager registers a device and sees its secret once; closing needs the checkbox', async () => {
    const page = manager.page;
    // Lets the copy button use the clipboard, and this test read it back.
    await manager.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(BASE).origin }).catch(() => {});
    const sent = watchDeviceRequests(page);
    const lists = watchListAnswers(page);
    await login(page, 'manager');
    await page.getByTestId('nav-devices').click();
    await page.getByTestId('devices-screen').waitFor();
    await page.locator('[data-testid="device-row"]').filter({ hasText: kept }).first().waitFor();
    await shot(page, 'devices-list');

    await page.getByTestId('device-add').click();
    const add = page.getByTestId('device-add-dialog');
    await add.waitFor();
    // No name: said at the field, nothing sent.
    await page.getByTestId('device-add-submit').click();
    await page.getByTestId('error-name').waitFor();
    assert(!sent.some((s) => s.startsWith('POST')), `nothing was sent without a name: ${sent.join(', ')}`);
    await page.getByTestId('device-name').fill(name);
    assert(!(await page.getByTestId('error-name').count()), 'typing clears the message');
    const answered = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/api/v1/devices');
    await page.getByTestId('device-add-submit').click();
    const answer = await answered;
    assert(answer.status() === 201, `registered: ${answer.status()}`);
    const data = (await answer.json()).data;
    assert(answer.request().postDataJSON()?.name === name, `the name was sent: ${answer.request().postData()}`);
    await add.waitFor({ state: 'detached' });

    const dialog = page.getByTestId('device-secret-dialog');
    await dialog.waitFor();
    const shown = ((await page.getByTestId('device-secret').textContent()) ?? '').trim();
    assert(HEX64.test(shown) && shown === data.secret, `the dialog shows the secret of the answer: "${shown}"`);
    device = { id: data.device_id, secret: data.secret };
    assert(((await page.getByTestId('device-secret-warning').textContent()) ?? '').includes(WARNING), 'the one-time warning is there');
    assert(((await dialog.textContent()) ?? '').includes(name), 'the dialog names the device');

    // Not closed by Esc, a click beside it or 닫기 before the checkbox.
    const close = page.getByTestId('device-secret-close');
    assert(await close.isDisabled(), '닫기 is disabled before the checkbox');
    await page.keyboard.press('Escape');
    await page.mouse.click(4, 400);
    await page.waitForTimeout(200);
    assert(await dialog.isVisible(), 'Esc and a click beside it leave the dialog open');
    assert((await dialog.locator('.modal-head button').count()) === 0, 'no × in the header');

    // Copy: onto the clipboard where the browser allows it, else selected with a hint.
    await page.getByTestId('device-secret-copy').click();
    const status = page.getByTestId('device-secret-copy-status');
    await status.waitFor();
    if ((await status.getAttribute('data-state')) === 'copied') {
      const pasted = await page.evaluate(() => navigator.clipboard.readText()).catch(() => null);
      if (pasted !== null) assert(pasted === data.secret, `the clipboard holds the secret: "${pasted}"`);
    } else {
      assert(((await status.textContent()) ?? '').includes('Ctrl+C'), 'says how to copy it by hand');
    }

    // The dialog fits both windows (no DIALOGS line can open it: it needs a registration).
    for (const [w, h] of [[1024, 700], [1920, 1080]]) {
      await page.setViewportSize({ width: w, height: h });
      await page.waitForTimeout(100);
      await shot(page, `layout-device-secret-${w}x${h}`);
      const { problems } = await layoutProblems(page, 'device-secret-dialog');
      assert(problems.length === 0, `the secret dialog at ${w}×${h}:\n        ${problems.join('\n        ')}`);
    }
    await page.setViewportSize({ width: 1440, height: 900 });

    await page.getByTestId('device-secret-ack').check();
    assert(!(await close.isDisabled()), '닫기 is enabled once the checkbox is ticked');
    await close.click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByTestId('toast').filter({ hasText: '등록했습니다' }).waitFor();

    // Listed, in use, never synced; the secret is nowhere in the page or in the list's answers.
    const row = page.locator(`[data-testid="device-row"][data-device-id="${data.device_id}"]`);
    await row.waitFor();
    assert((await row.getAttribute('data-revoked')) === 'false', 'listed as in use');
    assert(((await row.getByTestId('device-name-cell').textContent()) ?? '').trim() === name, 'with its name');
    assert(((await row.getByTestId('device-state').textContent()) ?? '').trim() === '사용 중', 'state 사용 중');
    assert(((await row.getByTestId('device-last-seen').textContent()) ?? '').trim() === '아직 동기화하지 않음', 'never synced yet');
    assert(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/.test(((await row.getByTestId('device-registered-at').textContent()) ?? '').trim()), 'registered at a KST minute');
    assert(((await row.getByTestId('device-registered-by').textContent()) ?? '').trim() !== '—', 'says who registered it');
    assert(!(await page.content()).includes(data.secret), 'the secret is gone from the page');
    const answers = await Promise.all(lists);
    assert(answers.length >= 2 && answers.every((b) => b.includes('"devices"') && !b.includes(data.secret) && !b.includes('"secret"')), 'no list answer holds a secret');
    await shot(page, 'devices-registered');
  });

  await test('devices: the manager revokes it through the confirmation; the list shows 등록 취소됨', async () => {
    assert(device, 'the previous step registered a device');
    const page = manager.page;
    const sent = watchDeviceRequests(page);
    const row = page.locator(`[data-testid="device-row"][data-device-id="${device.id}"]`);
    await row.getByTestId('device-revoke').click();
    const dialog = page.getByTestId('device-revoke-dialog');
    await dialog.waitFor();
    assert(((await dialog.textContent()) ?? '').includes(name), 'the confirmation names the device');
    assert(((await page.getByTestId('device-revoke-consequence').textContent()) ?? '').includes(CONSEQUENCE), 'and states the consequence');
    // Enter on the opened dialog keeps the device (the focus is on 그대로 두기).
    await page.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'device-revoke-cancel');
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'detached' });
    assert(!sent.some((s) => s.startsWith('DELETE')), `nothing revoked yet: ${sent.join(', ')}`);

    await row.getByTestId('device-revoke').click();
    await dialog.waitFor();
    await shot(page, 'devices-revoke-dialog');
    const answered = page.waitForResponse((r) => r.request().method() === 'DELETE' && r.url().includes(`/api/v1/devices/${device.id}`));
    await page.getByTestId('device-revoke-confirm').click();
    assert((await answered).status() === 200, 'revoked');
    await dialog.waitFor({ state: 'detached' });
    assert(sent.filter((s) => s.startsWith('DELETE')).length === 1, `one revocation: ${sent.join(', ')}`);
    await page.locator(`[data-testid="device-row"][data-device-id="${device.id}"][data-revoked="true"]`).waitFor();
    const state = ((await row.getByTestId('device-state').textContent()) ?? '').trim();
    assert(state.includes('등록 취소됨'), `state: "${state}"`);
    assert(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/.test(((await row.getByTestId('device-revoked-at').textContent()) ?? '').trim()), 'with the date it was revoked');
    assert((await row.getByTestId('device-revoke').count()) === 0, 'no second revocation offered');
    await page.getByTestId('toast').filter({ hasText: '등록을 취소했습니다' }).waitFor();
    await shot(page, 'devices-revoked');

    // The server agrees, and refuses a second revocation.
    const api = await apiAs(BASE, PASSWORD, 'manager');
    const { devices } = await api('GET', '/api/v1/devices');
    assert(devices.find((d) => d.device_id === device.id)?.revoked === true, 'the server lists it revoked');
    assert(devices.some((d) => d.name === kept && !d.revoked), 'the set-up device stays in use (layout.mjs revokes nothing)');
    const again = await api('DELETE', `/api/v1/devices/${device.id}`).then(() => null, (e) => String(e));
    assert(again && again.includes('409') && again.includes('DEVICE_ALREADY_REVOKED'), `a second revocation is refused: ${again}`);
  });

  await test('devices: staff have no entry; the address tells them it is not for them', async () => {
    const page = staff.page;
    const sent = watchDeviceRequests(page);
    await login(page, 'staff');
    assert((await page.getByTestId('nav-devices').count()) === 0, 'no sidebar entry for staff');
    await page.goto(`${BASE}/#/devices`);
    const refused = page.getByTestId('devices-forbidden');
    await refused.waitFor();
    assert(((await refused.textContent()) ?? '').trim() === '매니저와 관리자만 볼 수 있는 화면입니다.', `the message: ${await refused.textContent()}`);
    assert((await page.getByTestId('device-add').count()) === 0, 'nothing to register with');
    assert(sent.length === 0, `the screen asked the server nothing: ${sent.join(', ')}`);
    await shot(page, 'devices-forbidden-staff');
    const api = await apiAs(BASE, PASSWORD, 'staff');
    const refusal = await api('GET', '/api/v1/devices').then(() => null, (e) => String(e));
    assert(refusal && refusal.includes('403') && refusal.includes('FORBIDDEN_ROLE'), `the server refuses staff too: ${refusal}`);
  });

  await test('no console errors, CSP violations or off-origin requests (devices)', async () => {
    for (const s of [manager, staff]) assertClean(s);
  });
  await manager.context.close();
  await staff.context.close();
}
