// Every screen and dialog at the two windows every desk has: a 1024×700 laptop and a 1920×1080
// monitor. Each is screenshotted (e2e/screenshots/layout-<name>-<w>x<h>.png) and fails on:
//   - the page scrolling sideways (document.scrollingElement.scrollWidth > clientWidth);
//   - the sidebar leaving the window, also with the page scrolled to its end;
//   - a button whose label does not fit in it, or a table's buttons scrolled out of its view;
//   - a dialog running past the window, its header or action buttons out of view or covered,
//     or its sticky actions hiding the body's last field once the body is scrolled to the end;
//   - a toast lying over something clickable.
//
// To cover a new screen or dialog, add one line to SCREENS or DIALOGS.

export const SIZES = [
  [1024, 700],
  [1920, 1080],
];

/**
 * One line per screen: who opens it (null: nobody signed in), its hash route (or a function of
 * the ids found at the start: { customer, customerWithVisit }), and a test id that shows it is ready.
 */
export const SCREENS = [
  { name: 'login', role: null, path: '#/', ready: 'login-username' },
  { name: 'search', role: 'staff', path: '#/customers', ready: 'result-row' },
  { name: 'detail', role: 'staff', path: (ids) => `#/customers/${ids.customer}`, ready: 'history-section' },
  { name: 'detail-doctor', role: 'doctor', path: (ids) => `#/customers/${ids.customer}`, ready: 'history-section' },
  { name: 'detail-manager', role: 'manager', path: (ids) => `#/customers/${ids.customerWithVisit}`, ready: 'cancel-visit-button' },
  // A manager on a customer with a package: the package cards offer 취소·환불.
  { name: 'detail-manager-packages', role: 'manager', path: (ids) => `#/customers/${ids.customer}`, ready: 'package-refund-button' },
  { name: 'customer-new', role: 'staff', path: '#/customers/new', ready: 'customer-form' },
  { name: 'customer-edit', role: 'admin', path: (ids) => `#/customers/${ids.customer}/edit`, ready: 'form-health-section' },
  { name: 'users', role: 'admin', path: '#/users', ready: 'user-row' },
  { name: 'audit', role: 'admin', path: '#/audit', ready: 'audit-row' },
  { name: 'today', role: 'staff', path: '#/today', ready: 'today-followup-row' },
  // (today.mjs, which runs first, left a reveal to show.)
  { name: 'phone-reveals', role: 'manager', path: '#/audit', ready: 'reveal-row' },
  { name: 'cash-up', role: 'manager', path: '#/cash-up', ready: 'cashup-screen' },
  // 경영 분석: ready once its last chart (the heatmap) is drawn.
  { name: 'analytics', role: 'manager', path: '#/analytics', ready: 'chart-visit-heatmap-svg' },
  // A customer's 분석 and 추천 tabs (the administrator's: the manager's analytics budget is spent
  // above). Ready once the behaviour panel, and the recommendations' list, are in.
  { name: 'detail-analytics', role: 'admin', path: (ids) => `#/customers/${ids.customer}?tab=analytics`, ready: 'ca-behavior-score' },
  { name: 'detail-recommendations', role: 'admin', path: (ids) => `#/customers/${ids.customer}?tab=recommendations`, ready: 'rec-metadata' },
  { name: 'clinic-settings', role: 'admin', path: '#/settings/clinic', ready: 'clinic-screen' },
  // (devices.mjs, which runs first, left a device in use to revoke.)
  { name: 'devices', role: 'manager', path: '#/devices', ready: 'devices-screen' },
  // The e2e server is the central server: its status, and the conflicts' empty states.
  { name: 'sync-settings', role: 'manager', path: '#/sync', ready: 'sync-status-card' },
  { name: 'sync-conflicts', role: 'manager', path: '#/sync/conflicts', ready: 'conflicts-section' },
];

/**
 * One line per dialog (or menu): the screen it opens on, the test ids clicked in turn to open
 * it (the first visible match of each), and the test id of the dialog.
 */
export const DIALOGS = [
  { name: 'visit', on: 'detail', open: ['record-visit-button'], dialog: 'visit-dialog' },
  { name: 'purchase', on: 'detail', open: ['purchase-button'], dialog: 'purchase-dialog' },
  // The purchase's confirmation step: a package and a payment method chosen, then 다음.
  { name: 'purchase-confirm', on: 'detail', open: ['purchase-button', 'purchase-option', 'purchase-method-card', 'purchase-submit'], dialog: 'purchase-dialog' },
  { name: 'receipt', on: 'detail', open: ['package-receipt-button'], dialog: 'receipt-dialog' },
  { name: 'refund', on: 'detail-manager-packages', open: ['package-refund-button'], dialog: 'refund-dialog' },
  { name: 'interaction', on: 'detail', open: ['interaction-button'], dialog: 'interaction-dialog' },
  { name: 'cancel-visit', on: 'detail-manager', open: ['cancel-visit-button'], dialog: 'cancel-visit-dialog' },
  { name: 'shortcuts', on: 'search', open: ['shortcuts-button'], dialog: 'shortcuts-dialog' },
  { name: 'account-menu', on: 'search', open: ['header-user'], dialog: 'account-menu' },
  { name: 'change-password', on: 'search', open: ['header-user', 'change-password-button'], dialog: 'change-password-dialog' },
  { name: 'add-user', on: 'users', open: ['add-user-button'], dialog: 'add-user-dialog' },
  { name: 'reset-password', on: 'users', open: ['reset-password'], dialog: 'reset-password-dialog' },
  { name: 'deactivate-user', on: 'users', open: ['deactivate-user'], dialog: 'deactivate-dialog' },
  { name: 'followup-complete', on: 'today', open: ['followup-complete'], dialog: 'followup-complete-dialog' },
  { name: 'followup-reschedule', on: 'today', open: ['followup-reschedule'], dialog: 'followup-reschedule-dialog' },
  { name: 'phone-reveal', on: 'today', open: ['reveal-phone'], dialog: 'reveal-dialog' },
  { name: 'device-add', on: 'devices', open: ['device-add'], dialog: 'device-add-dialog' },
  { name: 'device-revoke', on: 'devices', open: ['device-revoke'], dialog: 'device-revoke-dialog' },
  // The sync indicator's menu (the central server's: what it is, no 지금 동기화).
  { name: 'sync-menu', on: 'sync-settings', open: ['sync-indicator'], dialog: 'sync-menu' },
];

/** What a toast must not cover; the app's own rule (src/logic/toastPlacement.ts) uses the same list. */
const CLICKABLE = 'button, a[href], input:not([type="hidden"]), select, textarea, summary, [role="button"], [role="menuitem"]';

/**
 * Problems with the page as it is now, in the current window (none: []), and how many toasts it
 * showed. Also for a dialog no DIALOGS line can open (devices.mjs: the one-time secret).
 */
export async function layoutProblems(page, dialog) {
  return page.evaluate(
    async ({ dialog, CLICKABLE }) => {
      const problems = [];
      const vw = document.documentElement.clientWidth;
      const vh = document.documentElement.clientHeight;
      const scroller = document.scrollingElement;
      if (scroller.scrollWidth > scroller.clientWidth) problems.push(`the page scrolls sideways: ${scroller.scrollWidth} > ${scroller.clientWidth}`);
      const inView = (r) => r.left >= -0.5 && r.top >= -0.5 && r.right <= vw + 0.5 && r.bottom <= vh + 0.5;
      const shown = (el) => {
        const r = el.getBoundingClientRect();
        return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden';
      };
      const label = (el) => `${el.tagName.toLowerCase()}${el.dataset.testid ? `[${el.dataset.testid}]` : ''} "${(el.textContent ?? el.getAttribute('aria-label') ?? '').trim().slice(0, 30)}"`;
      /** On screen and the topmost thing at its centre (not under a sticky bar, a toast or another layer). */
      const reachable = (el) => {
        const r = el.getBoundingClientRect();
        if (!inView(r)) return `${label(el)} is outside the ${vw}×${vh} window (${Math.round(r.left)},${Math.round(r.top)})–(${Math.round(r.right)},${Math.round(r.bottom)})`;
        const top = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
        if (!top || !(el === top || el.contains(top))) return `${label(el)} is covered by ${top ? label(top) : 'nothing'}`;
        return null;
      };
      const frame = () => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));

      // The sidebar stays in the window, also at the end of a long page.
      const nav = [...document.querySelectorAll('.sidebar .nav-item, .sidebar .brand')].filter(shown);
      if (document.querySelector('.sidebar')) {
        if (nav.length === 0) problems.push('the sidebar shows no entries');
        const before = window.scrollY;
        for (const end of [false, true]) {
          if (end) {
            window.scrollTo(0, scroller.scrollHeight);
            await frame();
          }
          for (const el of nav) {
            const r = el.getBoundingClientRect();
            if (!inView(r)) problems.push(`sidebar entry ${label(el)} is out of the window${end ? ' with the page scrolled to its end' : ''}`);
          }
        }
        window.scrollTo(0, before);
        await frame();
      }

      // A table may scroll sideways inside its box, but not to hide its buttons.
      for (const wrap of document.querySelectorAll('.table-wrap')) {
        if (!shown(wrap) || wrap.scrollWidth <= wrap.clientWidth) continue;
        const w = wrap.getBoundingClientRect();
        for (const el of [...wrap.querySelectorAll('button, a[href]')].filter(shown)) {
          const r = el.getBoundingClientRect();
          if (r.right > w.right + 0.5 || r.left < w.left - 0.5) problems.push(`${label(el)} is scrolled out of its table's view (the table is ${wrap.scrollWidth} px in ${wrap.clientWidth})`);
        }
      }

      // Every visible button's label fits in it.
      for (const el of document.querySelectorAll('.btn, .nav-item, .chip, .seg')) {
        if (!shown(el)) continue;
        if (el.scrollWidth > el.clientWidth + 1) problems.push(`${label(el)} does not fit its label (${el.scrollWidth} > ${el.clientWidth})`);
      }

      if (dialog) {
        const box = document.querySelector(`[data-testid="${dialog}"]`);
        if (!box) {
          problems.push(`dialog ${dialog} is not open`);
        } else if (box.classList.contains('modal')) {
          const r = box.getBoundingClientRect();
          if (!inView(r)) problems.push(`dialog ${dialog} runs past the window: (${Math.round(r.left)},${Math.round(r.top)})–(${Math.round(r.right)},${Math.round(r.bottom)}) in ${vw}×${vh}`);
          const body = box.querySelector('.modal-body');
          const actions = [...box.querySelectorAll('.modal-head button, .modal-foot button')].filter(shown);
          if (actions.length === 0) problems.push(`dialog ${dialog} shows no action buttons`);
          // At the top of the body, then at its end: the actions are in view and uncovered both times,
          // and at the end nothing the body holds hides behind them.
          for (const end of [false, true]) {
            if (end && body) {
              body.scrollTop = body.scrollHeight;
              await frame();
            }
            for (const el of actions) {
              const p = reachable(el);
              if (p) problems.push(`${p}${end ? ' (body scrolled to its end)' : ''}`);
            }
          }
          const foot = box.querySelector('.modal-foot');
          if (body && foot) {
            const footTop = foot.getBoundingClientRect().top;
            const fields = [...body.querySelectorAll(CLICKABLE)].filter((el) => shown(el) && !foot.contains(el));
            const last = fields[fields.length - 1];
            if (last && last.getBoundingClientRect().bottom > footTop + 0.5) problems.push(`${label(last)} stays under the dialog's actions with the body scrolled to its end`);
          }
          if (body) {
            body.scrollTop = 0;
            await frame();
          }
        } else {
          // A menu: each entry in the window and clickable.
          for (const el of [...box.querySelectorAll(CLICKABLE)].filter(shown)) {
            const p = reachable(el);
            if (p) problems.push(p);
          }
        }
      }

      problems.push(...toastOverlaps(CLICKABLE));
      const toasts = [...document.querySelectorAll('[data-testid="toast"]')].filter(shown).length;
      return { problems, toasts };

      function toastOverlaps(selector) {
        const out = [];
        const toasts = document.querySelector('.toasts');
        const shownToasts = [...document.querySelectorAll('[data-testid="toast"]')].filter(shown);
        if (!toasts || shownToasts.length === 0) return out;
        const dialogs = document.querySelectorAll('.modal');
        const scope = dialogs.length ? dialogs[dialogs.length - 1] : document;
        const targets = [...scope.querySelectorAll(selector)].filter((el) => shown(el) && !toasts.contains(el));
        // What of an element its scrolling containers show (a field scrolled out of a dialog's body is not there).
        const visiblePart = (el) => {
          let b = el.getBoundingClientRect();
          b = { left: b.left, top: b.top, right: b.right, bottom: b.bottom };
          for (let up = el.parentElement; up && up !== document.body && up !== document.documentElement; up = up.parentElement) {
            const st = getComputedStyle(up);
            if (!/^(auto|scroll|hidden|clip)$/.test(st.overflowX) && !/^(auto|scroll|hidden|clip)$/.test(st.overflowY)) continue;
            const c = up.getBoundingClientRect();
            b = { left: Math.max(b.left, c.left), top: Math.max(b.top, c.top), right: Math.min(b.right, c.right), bottom: Math.min(b.bottom, c.bottom) };
          }
          return b;
        };
        for (const toast of shownToasts) {
          const a = toast.getBoundingClientRect();
          for (const el of targets) {
            const b = visiblePart(el);
            if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom) out.push(`a toast ("${toast.textContent?.trim().slice(0, 20)}") covers ${label(el)}`);
          }
        }
        return out;
      }
    },
    { dialog, CLICKABLE },
  );
}

export async function run(t) {
  const { browser, BASE, test, assert, newSession, assertClean, login, readRows, waitForRows } = t;
  const { mkdirSync } = await import('node:fs');
  const { fileURLToPath } = await import('node:url');
  const SHOTS = fileURLToPath(new URL('./screenshots/', import.meta.url));
  mkdirSync(SHOTS, { recursive: true });

  const sessions = new Map();
  /** One signed-in browser context per role (null: nobody signed in), opened on first use. */
  async function sessionFor(role) {
    if (!sessions.has(role)) {
      const s = await newSession(browser);
      if (role) await login(s.page, role);
      else await s.page.goto(`${BASE}/`);
      sessions.set(role, s);
    }
    return sessions.get(role);
  }

  /** The page settled: fonts in, nothing loading, no animation half-way. */
  async function settle(page) {
    await page.evaluate(() => document.fonts.ready);
    await page.waitForFunction(() => !document.querySelector('.is-loading, .spinner-wrap')).catch(() => {});
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    // Only the animations that end (a spinner never does) — and never longer than 5 s: an
    // animation whose element is replaced mid-way may never report finished, and a hung check
    // says nothing.
    await page.evaluate(() =>
      Promise.race([
        Promise.all(
          document
            .getAnimations()
            .filter((a) => Number.isFinite(a.effect?.getComputedTiming().endTime ?? Infinity))
            .map((a) => a.finished.catch(() => {})),
        ),
        new Promise((resolve) => setTimeout(resolve, 5000)),
      ]),
    );
  }

  async function open(screen, ids, size) {
    const s = await sessionFor(screen.role);
    const { page } = s;
    await page.setViewportSize({ width: size[0], height: size[1] });
    const path = typeof screen.path === 'function' ? screen.path(ids) : screen.path;
    // A dialog a failed check left open would block the next screen: start that page afresh.
    if ((await page.locator('.modal, .menu').count()) > 0) await page.reload();
    await page.goto(`${BASE}/${path}`);
    await page.getByTestId(screen.ready).first().waitFor();
    await page.evaluate(() => window.scrollTo(0, 0));
    await settle(page);
    return page;
  }

  /** Screenshot, then the checks; answers how many toasts were up during them. */
  async function check(page, name, size, dialog) {
    await page.screenshot({ path: `${SHOTS}layout-${name}-${size[0]}x${size[1]}.png` });
    const { problems, toasts } = await layoutProblems(page, dialog);
    assert(problems.length === 0, `${name} at ${size[0]}×${size[1]}:\n        ${problems.join('\n        ')}`);
    return toasts;
  }

  // The customers every screen is shown with: one with a package card (a long detail page),
  // and one with a visit that can still be cancelled (for the manager's cancel dialog).
  const ids = {};
  await test('layout: find customers with a package and with a cancellable visit', async () => {
    const { page } = await sessionFor('manager');
    await waitForRows(page);
    const rows = await readRows(page);
    assert(rows.length > 0, 'the demo data lists customers');
    const candidates = [...rows.filter((r) => r.hasPackage), ...rows.filter((r) => !r.hasPackage)].slice(0, 12);
    for (const row of candidates) {
      await page.goto(`${BASE}/#/customers/${encodeURIComponent(row.id)}`);
      await page.getByTestId('history-section').waitFor();
      await page.getByTestId('customer-name').waitFor();
      if (!ids.customer && (await page.getByTestId('package-card').count()) > 0) ids.customer = encodeURIComponent(row.id);
      if (!ids.customerWithVisit && (await page.getByTestId('cancel-visit-button').count()) > 0) ids.customerWithVisit = encodeURIComponent(row.id);
      if (ids.customer && ids.customerWithVisit) break;
    }
    assert(ids.customer, 'a customer with a package card');
    assert(ids.customerWithVisit, 'a customer with a visit the manager can cancel');
  });

  const byName = new Map(SCREENS.map((s) => [s.name, s]));
  for (const screen of SCREENS) {
    await test(`layout: ${screen.name} fits 1024×700 and 1920×1080`, async () => {
      assert(ids.customer, 'the customers were found');
      for (const size of SIZES) {
        const page = await open(screen, ids, size);
        await check(page, screen.name, size);
      }
    });
  }

  for (const d of DIALOGS) {
    await test(`layout: ${d.name} dialog fits 1024×700 and 1920×1080`, async () => {
      const screen = byName.get(d.on);
      assert(screen, `dialog ${d.name} opens on a listed screen (${d.on})`);
      assert(ids.customer, 'the customers were found');
      for (const size of SIZES) {
        const page = await open(screen, ids, size);
        for (const id of d.open) await page.locator(`[data-testid="${id}"]:visible:not([disabled])`).first().click();
        await page.getByTestId(d.dialog).waitFor();
        await settle(page);
        await check(page, d.name, size, d.dialog);
        await page.keyboard.press('Escape');
        await page.getByTestId(d.dialog).waitFor({ state: 'detached' });
      }
    });
  }

  await test('layout: a toast moves off a dialog’s buttons (a note saved, then the visit dialog at 1024×700)', async () => {
    const size = SIZES[0];
    const page = await open(byName.get('detail'), ids, size);
    // A toast goes after a few seconds: a slow machine may lose it before the check, so the
    // check counts only when the toast was up during it (a few tries at most).
    let checked = false;
    for (let attempt = 1; attempt <= 3 && !checked; attempt++) {
      await page.getByTestId('interaction-button').click();
      await page.getByTestId('interaction-dialog').waitFor();
      await page.getByTestId('interaction-notes').fill(`layout e2e ${attempt}`);
      await page.getByTestId('interaction-submit').click();
      await page.getByTestId('interaction-dialog').waitFor({ state: 'detached' });
      await page.getByTestId('toast').first().waitFor();
      // A tall dialog opened while the toast is up: its actions fill the bottom of the window,
      // where the toast starts.
      await page.getByTestId('record-visit-button').click();
      await page.getByTestId('visit-dialog').waitFor();
      await settle(page);
      const toasts = await check(page, 'toast-visit-dialog', size, 'visit-dialog');
      await page.keyboard.press('Escape');
      await page.getByTestId('visit-dialog').waitFor({ state: 'detached' });
      checked = toasts > 0;
    }
    assert(checked, 'a toast was up while the dialog was checked');
  });

  await test('no console errors, CSP violations or off-origin requests (layout)', async () => {
    assert(sessions.size > 0, 'the layout run opened sessions');
    for (const s of sessions.values()) assertClean(s);
  });
  for (const s of sessions.values()) await s.context.close();
}
