#!/usr/bin/env node
// Real-window smoke test of the ClinicDesk desktop app, speaking raw W3C WebDriver over HTTP
// (Node >= 20, built-in fetch; no npm packages) to tauri-driver, which drives WebKitWebDriver,
// which starts the app binary in a real WebKitGTK window.
//
// It builds nothing: it expects the debug binary (CLINICDESK_DESKTOP_BIN, else
// $CARGO_TARGET_DIR/debug/clinicdesk-desktop, else target/debug/clinicdesk-desktop) and a display
// (run it through scripts/desktop-e2e.sh, which uses xvfb-run). The app gets a fresh data
// directory (CLINICDESK_DATA_DIR) and demo mode (CLINICDESK_DEMO=1), so it starts on an empty
// database and seeds the demo data; a second app, without demo mode on another fresh directory,
// is a plain install's first start.
//
// Steps: the login screen appears; the in-process API answers /readyz 200 through the
// `api_request` command; staff logs in (to the Today screen); the search list shows customers; a customer with a
// package opens; a package card with a per-service usage bar is visible; the help entry
// "API 문서" opens the read-only Swagger UI in a second window; after quitting and
// restarting the app the login is restored from the OS keyring; logout clears it; then a plain
// install shows the set-up screen, creates its administrator and is logged in; and another
// plain install connects to a central server (the server binary, started here on a fresh
// SQLite file) from the set-up screen, and the person who connected logs in and finds the
// clinic's customers. Screenshots go to
// tests/desktop/screenshots/. tauri-driver is always stopped with SIGTERM (after the WebDriver
// session closed the app). The last line is `N passed, M failed`; the exit code is non-zero on
// any failure.
//
// Environment: CLINICDESK_DESKTOP_BIN, TAURI_DRIVER (default: tauri-driver on PATH or
// ~/.cargo/bin), WEBKIT_DRIVER (default /usr/bin/WebKitWebDriver), CLINICDESK_E2E_USER /
// CLINICDESK_E2E_PASSWORD (default staff / clinicdesk-demo), CLINICDESK_E2E_TIMEOUT_MS
// (readiness wait, default 120000), CLINICDESK_KEYRING (default keyutils for the app under test).

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');
const shotsDir = path.join(here, 'screenshots');
const ELEMENT = 'element-6066-11e4-a52e-4f735466cecf';
const USER = process.env.CLINICDESK_E2E_USER || 'staff';
const PASSWORD = process.env.CLINICDESK_E2E_PASSWORD || 'clinicdesk-demo';
const READY_TIMEOUT = Number(process.env.CLINICDESK_E2E_TIMEOUT_MS || 120000);

const results = [];
const started = Date.now();
const since = () => `${((Date.now() - started) / 1000).toFixed(1)}s`;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const log = (...a) => console.log(`[${since()}]`, ...a);

function findBinary() {
  if (process.env.CLINICDESK_DESKTOP_BIN) return path.resolve(process.env.CLINICDESK_DESKTOP_BIN);
  const targetDir = process.env.CARGO_TARGET_DIR ? path.resolve(repo, process.env.CARGO_TARGET_DIR) : path.join(repo, 'target');
  return path.join(targetDir, 'debug', 'clinicdesk-desktop');
}

function findOnPath(name) {
  for (const dir of (process.env.PATH || '').split(path.delimiter)) {
    const p = path.join(dir, name);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      /* next */
    }
  }
  const cargoBin = path.join(os.homedir(), '.cargo', 'bin', name);
  return fs.existsSync(cargoBin) ? cargoBin : null;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

// --- processes --------------------------------------------------------------------------------

/** pid -> parent pid, from /proc (Linux). */
function processTable() {
  const table = new Map();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      table.set(Number(entry), Number(rest[1]));
    } catch {
      /* gone */
    }
  }
  return table;
}

/** Every live descendant of `pid` (the processes this test started through tauri-driver). */
function descendants(pid) {
  const table = processTable();
  const out = [];
  const queue = [pid];
  while (queue.length) {
    const p = queue.shift();
    for (const [child, parent] of table) {
      if (parent === p) {
        out.push(child);
        queue.push(child);
      }
    }
  }
  return out;
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

// --- WebDriver --------------------------------------------------------------------------------

let base = '';
let session = null;

async function wd(method, route, body) {
  const url = `${base}${route}`;
  const res = await fetch(url, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json; charset=utf-8' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  if (!res.ok) {
    const v = json?.value ?? {};
    const err = new Error(`${method} ${route} -> ${res.status} ${v.error ?? ''}: ${v.message ?? text}`.slice(0, 500));
    err.wdError = v.error;
    throw err;
  }
  return json?.value;
}

const s = (route) => `/session/${session}${route}`;

async function find(css) {
  try {
    const v = await wd('POST', s('/element'), { using: 'css selector', value: css });
    return v?.[ELEMENT] ?? null;
  } catch (e) {
    if (e.wdError === 'no such element') return null;
    throw e;
  }
}

async function isDisplayed(id) {
  try {
    return Boolean(await wd('GET', s(`/element/${id}/displayed`)));
  } catch (e) {
    if (e.wdError === 'stale element reference') return false;
    throw e;
  }
}

async function waitFor(css, timeout = 30000, what = css) {
  const deadline = Date.now() + timeout;
  let lastError = null;
  while (Date.now() < deadline) {
    try {
      const id = await find(css);
      if (id && (await isDisplayed(id))) return id;
    } catch (e) {
      lastError = e;
    }
    await sleep(250);
  }
  throw new Error(`timed out after ${timeout} ms waiting for ${what}${lastError ? ` (last error: ${lastError.message})` : ''}`);
}

const click = (id) => wd('POST', s(`/element/${id}/click`), {});
const typeInto = (id, text) => wd('POST', s(`/element/${id}/value`), { text });
const textOf = (id) => wd('GET', s(`/element/${id}/text`));
const execSync = (script, args = []) => wd('POST', s('/execute/sync'), { script, args });
const execAsync = (script, args = []) => wd('POST', s('/execute/async'), { script, args });

async function screenshot(name) {
  try {
    fs.mkdirSync(shotsDir, { recursive: true });
    const b64 = await wd('GET', s('/screenshot'));
    const file = path.join(shotsDir, `${name}.png`);
    fs.writeFileSync(file, Buffer.from(b64, 'base64'));
    log(`screenshot ${path.relative(repo, file)}`);
  } catch (e) {
    log(`screenshot ${name} failed: ${e.message}`);
  }
}

/** The whole X screen (window frame and all), when ImageMagick's `import` is there. */
async function rootScreenshot(name) {
  if (!process.env.DISPLAY || !findOnPath('import')) return;
  fs.mkdirSync(shotsDir, { recursive: true });
  const file = path.join(shotsDir, `${name}.png`);
  await new Promise((resolve) => {
    const p = spawn('import', ['-window', 'root', file], { stdio: 'ignore' });
    p.on('exit', resolve);
    p.on('error', resolve);
  });
  if (fs.existsSync(file)) log(`screenshot ${path.relative(repo, file)}`);
}

// --- tauri-driver ------------------------------------------------------------------------------

/**
 * Starts tauri-driver on `port` (it starts WebKitWebDriver on `nativePort`, which starts the app
 * for each session) with the app's environment: `dataDir` as its data directory plus `env`.
 * Output goes to `logStream` and `onText`. `state.exited` turns true when it exits.
 */
function startDriver({ tauriDriver, webkitDriver, port, nativePort, dataDir, env, logStream, onText }) {
  const driver = spawn(tauriDriver, ['--port', String(port), '--native-port', String(nativePort), '--native-driver', webkitDriver], {
    env: {
      ...process.env,
      CLINICDESK_DATA_DIR: dataDir,
      CLINICDESK_KEYRING: process.env.CLINICDESK_KEYRING || 'keyutils',
      RUST_LOG: process.env.RUST_LOG || 'info,sqlx=warn',
      NO_AT_BRIDGE: '1',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const state = { exited: false };
  const onOutput = (chunk) => {
    const text = chunk.toString();
    logStream.write(text);
    onText?.(text);
  };
  driver.stdout.on('data', onOutput);
  driver.stderr.on('data', onOutput);
  driver.on('exit', () => {
    state.exited = true;
  });
  return { driver, state };
}

/** Waits until tauri-driver answers /status (it does once WebKitWebDriver does). */
async function driverReady(state) {
  const deadline = Date.now() + 30000;
  while (Date.now() < deadline) {
    if (state.exited) throw new Error('tauri-driver exited');
    try {
      const v = await wd('GET', '/status');
      if (v?.ready !== false) return;
    } catch {
      /* not up yet */
    }
    await sleep(200);
  }
  throw new Error('no /status answer in 30 s');
}

/** Closes the session, stops tauri-driver and whatever it started (`known` pids) that outlived it. */
async function stopDriver(driver, state, known) {
  const pids = [...new Set([...known, ...(state.exited ? [] : descendants(driver.pid))])];
  if (session) {
    await wd('DELETE', s('')).catch((e) => log(`closing the session: ${e.message}`));
    session = null;
  }
  if (!state.exited) {
    driver.kill('SIGTERM');
    const deadline = Date.now() + 10000;
    while (!state.exited && Date.now() < deadline) await sleep(100);
    if (!state.exited) {
      log('tauri-driver ignored SIGTERM; sending SIGKILL');
      driver.kill('SIGKILL');
    }
  }
  // Anything tauri-driver started that outlived it (the app, WebKit helpers): SIGTERM by pid.
  await sleep(300);
  for (const pid of pids) if (alive(pid)) process.kill(pid, 'SIGTERM');
}

/** A free pair of local ports for tauri-driver and WebKitWebDriver. */
async function portPair() {
  const port = await freePort();
  let nativePort = await freePort();
  while (nativePort === port) nativePort = await freePort();
  return { port, nativePort };
}

/** Starts the app in a new WebDriver session. */
async function newAppSession(bin) {
  const v = await wd('POST', '/session', { capabilities: { alwaysMatch: { 'tauri:options': { application: bin } } } });
  session = v.sessionId;
  await wd('POST', s('/timeouts'), { script: 30000 }).catch(() => {});
}

/** The in-process API's answer to a request, through the `api_request` command. */
async function apiRequest(method, path, body = null) {
  return execAsync(
    `const done = arguments[arguments.length - 1];
     window.__TAURI_INTERNALS__.invoke('api_request', { request: { method: arguments[0], path: arguments[1], headers: {}, body: arguments[2] } })
       .then((r) => done({ status: r.status, body: r.body }), (e) => done({ status: -1, body: String(e) }));`,
    [method, path, body === null ? null : JSON.stringify(body)],
  );
}

// --- steps ------------------------------------------------------------------------------------

async function step(name, fn) {
  const t0 = Date.now();
  try {
    const detail = await fn();
    results.push({ name, ok: true });
    console.log(`ok   - ${name} (${Date.now() - t0} ms)${detail ? ` — ${detail}` : ''}`);
    return true;
  } catch (e) {
    results.push({ name, ok: false });
    console.log(`FAIL - ${name} (${Date.now() - t0} ms): ${e.message}`);
    return false;
  }
}

const PLANNED = [
  'tauri-driver and WebKitWebDriver start',
  'app window opens with the login screen',
  'in-process API answers /readyz',
  `${USER} logs in`,
  'search lists customers',
  'customer detail opens',
  'package usage is visible',
  'the window saves what it shows as an A4 PDF file',
  'the detail and the visit dialog fit a 1024×700 window',
  'help entry "API 문서" opens the read-only Swagger UI in its own window',
  'login survives an app restart (refresh token in the OS keyring)',
  'logout returns to the login screen',
];

/** Counts every planned step that has not run as failed, after an early stop. */
function skipRest(why) {
  for (const name of PLANNED) {
    if (results.some((r) => r.name === name)) continue;
    results.push({ name, ok: false });
    console.log(`FAIL - ${name}: not run (${why})`);
  }
}

async function main() {
  const bin = findBinary();
  const tauriDriver = process.env.TAURI_DRIVER || findOnPath('tauri-driver');
  const webkitDriver = process.env.WEBKIT_DRIVER || '/usr/bin/WebKitWebDriver';
  const problems = [];
  if (!fs.existsSync(bin)) problems.push(`no app binary at ${bin} (cargo build -p clinicdesk-desktop, or set CLINICDESK_DESKTOP_BIN)`);
  if (!tauriDriver) problems.push('tauri-driver not found (cargo install tauri-driver --locked)');
  if (!fs.existsSync(webkitDriver)) problems.push(`no ${webkitDriver} (apt-get install webkit2gtk-driver)`);
  if (!process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) problems.push('no display (run through scripts/desktop-e2e.sh, which uses xvfb-run)');
  if (problems.length) {
    for (const p of problems) console.log(`FAIL - prerequisites: ${p}`);
    return [{ name: 'prerequisites', ok: false }];
  }

  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'clinicdesk-e2e-'));
  const { port, nativePort } = await portPair();
  base = `http://127.0.0.1:${port}`;
  fs.mkdirSync(shotsDir, { recursive: true });
  const logFile = path.join(shotsDir, 'app.log');
  const logStream = fs.createWriteStream(logFile);
  log(`app ${bin}`);
  log(`data dir ${dataDir}; tauri-driver on ${port}, WebKitWebDriver on ${nativePort}; log ${path.relative(repo, logFile)}`);

  const appTimings = {};
  // Where the window saves PDFs (the patient guide's 'PDF로 저장'), instead of ~/Documents.
  const pdfDir = fs.mkdtempSync(path.join(os.tmpdir(), 'clinicdesk-pdf-'));
  // Demo mode: the demo data and the demo accounts (the first-run case below runs without).
  const { driver, state: driverState } = startDriver({
    tauriDriver,
    webkitDriver,
    port,
    nativePort,
    dataDir,
    env: { CLINICDESK_DEMO: '1', CLINICDESK_PDF_DIR: pdfDir },
    logStream,
    onText: (text) => {
      for (const line of text.split('\n')) {
        const m = line.match(/elapsed_ms=(\d+)\s+"?(window created|UI loaded|database ready|API ready|demo data seeded)/) ||
          line.match(/(window created|UI loaded|database ready|API ready|demo data seeded).*elapsed_ms=(\d+)/);
        if (m) {
          const [label, ms] = /^\d+$/.test(m[1]) ? [m[2], m[1]] : [m[1], m[2]];
          if (!(label in appTimings)) appTimings[label] = Number(ms);
        }
      }
    },
  });
  let knownChildren = [];
  const newSession = () => newAppSession(bin);
  try {
    const ok = await step('tauri-driver and WebKitWebDriver start', () => driverReady(driverState));
    if (!ok) {
      skipRest('no WebDriver');
      return results;
    }

    let sessionAt = 0;
    const opened = await step('app window opens with the login screen', async () => {
      sessionAt = Date.now();
      await newSession();
      knownChildren = descendants(driver.pid);
      await waitFor('[data-testid="login-username"]', READY_TIMEOUT, 'the login screen');
      const title = await wd('GET', s('/title'));
      const windowRect = await wd('GET', s('/window/rect')).catch(() => null);
      if (title !== 'ClinicDesk') throw new Error(`window title is ${JSON.stringify(title)}`);
      const size = windowRect ? `, window ${windowRect.width}×${windowRect.height}` : '';
      return `login screen ${Date.now() - sessionAt} ms after the session request${size}`;
    });
    knownChildren = [...new Set([...knownChildren, ...descendants(driver.pid)])];
    if (!opened) {
      await screenshot('01-start-failed');
      await rootScreenshot('01-start-failed-screen');
      skipRest('no login screen');
      return results;
    }
    await screenshot('01-login');

    const ready = await step('in-process API answers /readyz', async () => {
      const deadline = Date.now() + READY_TIMEOUT;
      let last = null;
      while (Date.now() < deadline) {
        last = await apiRequest('GET', '/readyz');
        if (last?.status === 200) return `ready ${Date.now() - sessionAt} ms after the session request`;
        await sleep(500);
      }
      throw new Error(`last answer ${JSON.stringify(last)}`);
    });
    if (!ready) {
      skipRest('API not ready');
      return results;
    }

    const loggedIn = await step(`${USER} logs in`, async () => {
      // The login form may have re-rendered while the API warmed up: look the fields up afresh.
      const user = await waitFor('[data-testid="login-username"]', 10000);
      await typeInto(user, USER);
      const pass = await waitFor('[data-testid="login-password"]', 10000);
      await typeInto(pass, PASSWORD);
      await click(await waitFor('[data-testid="login-submit"]', 10000));
      // A login lands on the Today screen; the search is one click away in the sidebar.
      await waitFor('[data-testid="today-screen"]', 30000, 'the Today screen');
      await click(await waitFor('[data-testid="nav-search"]', 10000));
      await waitFor('[data-testid="search-input"]', 30000, 'the search screen');
    });
    if (!loggedIn) {
      await screenshot('02-login-failed');
      skipRest('not logged in');
      return results;
    }

    const listed = await step('search lists customers', async () => {
      try {
        await waitFor('[data-testid="result-row"]', 15000, 'a result row');
      } catch {
        // An empty first screen: search for a common surname.
        await typeInto(await waitFor('[data-testid="search-input"]'), '김');
        await waitFor('[data-testid="result-row"]', 15000, 'a result row after searching 김');
      }
      const n = await execSync('return document.querySelectorAll(\'[data-testid="result-row"]\').length;');
      return `${n} rows`;
    });
    await screenshot('02-search');
    if (!listed) {
      skipRest('no customers listed');
      return results;
    }

    const detail = await step('customer detail opens', async () => {
      // Prefer a customer whose row shows package usage, so the detail has a package card.
      const row = await execSync(
        `const rows = [...document.querySelectorAll('[data-testid="result-row"]')];
         return rows.find((r) => r.querySelector('.pkg-summary') && r.querySelector('.pkg-summary').textContent.trim()) || rows[0];`,
      );
      if (!row?.[ELEMENT]) throw new Error('no result row element');
      // Click the name cell's link: WebKitWebDriver finds a <tr> itself "not interactable".
      const link = await execSync('return arguments[0].querySelector(\'[data-testid="result-name"]\') || arguments[0].querySelector("td");', [row]);
      if (!link?.[ELEMENT]) throw new Error('no clickable cell in the row');
      const listedName = (await textOf(link[ELEMENT])).trim();
      await click(link[ELEMENT]);
      const nameEl = await waitFor('[data-testid="customer-name"]', 30000, 'the customer name');
      const name = (await textOf(nameEl)).trim();
      if (!name) throw new Error('the customer name is empty');
      if (listedName && !name.includes(listedName)) throw new Error(`opened ${JSON.stringify(name)}, clicked ${JSON.stringify(listedName)}`);
      return name;
    });
    if (!detail) {
      await screenshot('03-detail-failed');
      skipRest('no customer detail');
      return results;
    }

    await step('package usage is visible', async () => {
      await waitFor('[data-testid="package-card"]', 20000, 'a package card');
      const bar = await waitFor('[data-testid="package-card"] [data-testid^="usage-bar-"]', 20000, 'a usage bar');
      const service = await execSync('return arguments[0].getAttribute("data-testid");', [{ [ELEMENT]: bar }]);
      const visit = await find('[data-testid="record-visit-button"]');
      return `${service}${visit ? ', record-visit button present' : ''}`;
    });
    await screenshot('03-customer-detail');
    await rootScreenshot('03-customer-detail-screen');

    // The patient guide's 'PDF로 저장' runs this command: the window prints its own print
    // layout to an A4 PDF file without a dialog (src-tauri/src/pdf.rs).
    await step('the window saves what it shows as an A4 PDF file', async () => {
      // What a printed guide is to the print CSS: a `.print-target` (staff cannot open a
      // guide; the browser e2e prints the real one), with Korean text to embed a font for.
      await execSync(
        `const el = document.createElement('section');
         el.className = 'print-target';
         el.id = 'smoke-print';
         el.innerHTML = '<h1>알레르기 검사 결과와 생활 안내</h1><p>땅콩 — 고위험. 119에 바로 연락하세요.</p>';
         document.body.appendChild(el);`,
        [],
      );
      const saved = await execAsync(
        `const done = arguments[arguments.length - 1];
         window.__TAURI_INTERNALS__.invoke('save_pdf', { fileName: '알레르기안내 smoke' })
           .then((p) => done({ ok: true, path: p }), (e) => done({ ok: false, error: String(e) }));`,
        [],
      );
      if (!saved.ok) throw new Error(`save_pdf refused: ${saved.error}`);
      if (path.dirname(saved.path) !== pdfDir) throw new Error(`saved outside the PDF folder: ${saved.path}`);
      if (path.basename(saved.path) !== '알레르기안내-smoke.pdf') throw new Error(`file name ${saved.path}`);
      const bytes = fs.readFileSync(saved.path);
      if (bytes.subarray(0, 5).toString('latin1') !== '%PDF-') throw new Error('not a PDF file');
      // A4 portrait is 595 × 842 points.
      const box = bytes.toString('latin1').match(/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)/);
      if (!box || Math.abs(Number(box[1]) - 595) > 2 || Math.abs(Number(box[2]) - 842) > 2) {
        throw new Error(`not an A4 page: ${box ? box.slice(1).join(' × ') : 'no MediaBox'}`);
      }
      // The text is there (a font embedded for it), not a blank page.
      if (!/FontDescriptor/.test(bytes.toString('latin1')) || bytes.length < 4000) {
        throw new Error(`the page printed blank (${bytes.length} bytes, no embedded font)`);
      }
      const again = await execAsync(
        `const done = arguments[arguments.length - 1];
         window.__TAURI_INTERNALS__.invoke('save_pdf', { fileName: '알레르기안내 smoke' }).then(done, (e) => done(String(e)));`,
        [],
      );
      if (path.basename(again) !== '알레르기안내-smoke-2.pdf') throw new Error(`a second save overwrote or failed: ${again}`);
      await execSync(`document.getElementById('smoke-print')?.remove();`, []);
      return `${bytes.length} bytes, A4, a second save kept the first`;
    });

    // The smallest desk the screens are made for, in the desktop's own engine (WebKitGTK); the
    // browser e2e (ui/e2e/layout.mjs) checks every screen and dialog the same way in Chromium.
    await step('the detail and the visit dialog fit a 1024×700 window', async () => {
      const before = await wd('GET', s('/window/rect'));
      await wd('POST', s('/window/rect'), { width: 1024, height: 700 });
      try {
        const size = () => execSync('return { w: window.innerWidth, h: window.innerHeight };');
        const deadline = Date.now() + 10000;
        let now = await size();
        while ((now.w > 1024 || now.h > 700) && Date.now() < deadline) {
          await sleep(200);
          now = await size();
        }
        if (now.w > 1024 || now.h > 700) throw new Error(`the window stayed ${now.w}×${now.h}`);
        const page = await execSync('const e = document.scrollingElement; return { scroll: e.scrollWidth, width: e.clientWidth };');
        if (page.scroll > page.width) throw new Error(`the page scrolls sideways: ${page.scroll} > ${page.width}`);
        await click(await waitFor('[data-testid="record-visit-button"]', 10000));
        await waitFor('[data-testid="visit-dialog"]', 10000, 'the visit dialog');
        await sleep(300);
        const save = await execSync(
          `const b = document.querySelector('[data-testid="visit-submit"]').getBoundingClientRect();
           const hit = document.elementFromPoint(b.left + b.width / 2, b.top + b.height / 2);
           return { bottom: Math.round(b.bottom), right: Math.round(b.right), reachable: !!hit && !!hit.closest('[data-testid="visit-submit"]') };`,
        );
        await screenshot('03-visit-dialog-1024x700');
        await click(await waitFor('[data-testid="visit-cancel"]', 10000));
        if (save.bottom > now.h || save.right > now.w || !save.reachable) throw new Error(`the dialog's save button at (${save.right}, ${save.bottom}) in ${now.w}×${now.h}, reachable: ${save.reachable}`);
        return `${now.w}×${now.h}, no sideways scroll, save button in view`;
      } finally {
        await wd('POST', s('/window/rect'), { width: before.width, height: before.height }).catch(() => {});
      }
    });

    // The docs come from the same router through the `clinicdesk-docs` URI scheme, in a window
    // of their own: read-only, nothing from outside that scheme, no access to the app's commands.
    await step('help entry "API 문서" opens the read-only Swagger UI in its own window', async () => {
      const main = await wd('GET', s('/window'));
      await click(await waitFor('[data-testid="api-docs-link"]', 10000));
      let docs = null;
      const deadline = Date.now() + 30000;
      while (!docs && Date.now() < deadline) {
        const handles = await wd('GET', s('/window/handles'));
        docs = handles.find((h) => h !== main) ?? null;
        if (!docs) await sleep(250);
      }
      if (!docs) throw new Error('no second window appeared');
      await wd('POST', s('/window'), { handle: docs });
      try {
        await waitFor('.swagger-ui .info .title', 30000, 'the Swagger UI title');
        const state = await execAsync(
          `const done = arguments[arguments.length - 1];
           (async () => {
             await document.fonts.ready;
             const summary = document.querySelector('.opblock-summary');
             if (summary) summary.click();
             await new Promise((r) => setTimeout(r, 500));
             let ipc = 'no IPC';
             if (window.__TAURI_INTERNALS__) {
               ipc = await window.__TAURI_INTERNALS__.invoke('session_load').then(() => 'allowed', (e) => 'refused: ' + e);
             }
             return {
               href: location.href,
               title: document.querySelector('.swagger-ui .info .title').textContent,
               operations: document.querySelectorAll('.opblock').length,
               tryOut: document.querySelectorAll('.try-out__btn').length,
               korean: document.fonts.check('16px "Noto Sans KR Variable"', '고객 상세'),
               // WebKit keeps no resource timing for custom schemes: list what the page links.
               resources: [...document.querySelectorAll('script[src], link[href], img[src]')].map((e) => e.src || e.href),
               readOnlyNote: !!document.querySelector('[data-testid="docs-read-only"]'),
               ipc,
             };
           })().then(done, (e) => done({ error: String(e) }));`,
        );
        if (state.error) throw new Error(state.error);
        await screenshot('03-api-docs-window');
        const origin = state.href.slice(0, state.href.indexOf('/docs/'));
        if (!/clinicdesk-docs/.test(origin)) throw new Error(`the docs window is at ${state.href}`);
        if (!state.title.includes('ClinicDesk API')) throw new Error(`title ${JSON.stringify(state.title)}`);
        if (state.operations < 27) throw new Error(`${state.operations} operations listed`);
        if (state.tryOut !== 0) throw new Error('"Try it out" is offered on the desktop');
        if (!state.readOnlyNote) throw new Error('the page does not say it is read-only');
        if (!state.korean) throw new Error('the bundled Korean font did not load');
        const foreign = state.resources.filter((u) => !u.startsWith(origin));
        if (foreign.length) throw new Error(`resources from elsewhere: ${foreign.join(', ')}`);
        if (!state.ipc.startsWith('refused')) throw new Error(`the docs window's IPC: ${state.ipc}`);
        return `${state.operations} operations, ${state.resources.length} resources from ${origin}, IPC ${state.ipc.split(':')[0]}`;
      } finally {
        await wd('DELETE', s('/window')).catch(() => {});
        await wd('POST', s('/window'), { handle: main }).catch(() => {});
      }
    });

    // Quit the app (closing the WebDriver session closes it) and start it again on the same
    // data directory: the UI restores the login from the refresh token in the OS keyring.
    const restored = await step('login survives an app restart (refresh token in the OS keyring)', async () => {
      await wd('DELETE', s(''));
      session = null;
      await sleep(500);
      await newSession();
      knownChildren = [...new Set([...knownChildren, ...descendants(driver.pid)])];
      const deadline = Date.now() + READY_TIMEOUT;
      while (Date.now() < deadline) {
        const today = await find('[data-testid="today-screen"]');
        if (today && (await isDisplayed(today))) return 'Today screen without logging in again';
        await sleep(250);
      }
      throw new Error((await find('[data-testid="login-username"]')) ? 'the login screen came back' : 'no Today screen');
    });
    await screenshot('04-after-restart');
    if (!restored) {
      skipRest('not logged in after the restart');
      return results;
    }

    // Logging out clears the token from the keyring, so no test token is left behind.
    await step('logout returns to the login screen', async () => {
      await click(await waitFor('[data-testid="logout-button"]', 10000));
      await waitFor('[data-testid="login-username"]', 20000, 'the login screen');
      const stored = await execAsync(
        `const done = arguments[arguments.length - 1];
         window.__TAURI_INTERNALS__.invoke('session_load').then((v) => done(v), (e) => done('error: ' + e));`,
      );
      if (stored !== null) throw new Error(`session_load still answers ${JSON.stringify(stored)}`);
      return 'session_load answers null';
    });
    return results;
  } finally {
    await stopDriver(driver, driverState, knownChildren);
    logStream.end();
    const timings = Object.entries(appTimings).map(([k, v]) => `${k} ${v} ms`).join(', ');
    if (timings) log(`app timings since process start: ${timings}`);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * A plain install's first start (no demo mode, fresh data directory): the set-up screen instead
 * of the login, the clinic's administrator created there and logged in at once; demo accounts
 * do not exist.
 */
async function firstRun(bin, tauriDriver, webkitDriver) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'clinicdesk-e2e-first-'));
  const { port, nativePort } = await portPair();
  base = `http://127.0.0.1:${port}`;
  const logStream = fs.createWriteStream(path.join(shotsDir, 'app-first-run.log'));
  const { driver, state } = startDriver({ tauriDriver, webkitDriver, port, nativePort, dataDir, env: { CLINICDESK_DEMO: '0' }, logStream });
  let known = [];
  try {
    const shown = await step('first run without demo mode shows the set-up screen', async () => {
      await driverReady(state);
      await newAppSession(bin);
      known = descendants(driver.pid);
      await waitFor('[data-testid="setup-form"]', READY_TIMEOUT, 'the set-up screen');
      const title = (await textOf(await waitFor('.setup-card h1', 5000))).trim();
      if (title !== '클리닉 관리자 계정 만들기') throw new Error(`title ${JSON.stringify(title)}`);
      if (await find('[data-testid="login-form"]')) throw new Error('the login form is shown too');
      const demo = await apiRequest('POST', '/api/v1/auth/login', { username: 'admin', password: 'clinicdesk-demo' });
      if (demo?.status !== 401) throw new Error(`the demo admin login answered ${JSON.stringify(demo)}`);
      return 'no demo accounts';
    });
    await screenshot('05-first-run-setup');
    if (!shown) {
      results.push({ name: 'the set-up creates the administrator, who is then logged in', ok: false });
      console.log('FAIL - the set-up creates the administrator, who is then logged in: not run (no set-up screen)');
      return;
    }
    await step('the set-up creates the administrator, who is then logged in', async () => {
      known = [...new Set([...known, ...descendants(driver.pid)])];
      await typeInto(await waitFor('[data-testid="setup-display-name"]'), '김원장');
      await typeInto(await waitFor('[data-testid="setup-username"]'), 'head.admin');
      await typeInto(await waitFor('[data-testid="setup-password"]'), 'Blue-Harbor-Lamp-42');
      await typeInto(await waitFor('[data-testid="setup-confirm"]'), 'Blue-Harbor-Lamp-42');
      await click(await waitFor('[data-testid="setup-submit"]'));
      await waitFor('[data-testid="today-screen"]', 30000, 'the Today screen');
      const role = (await textOf(await waitFor('[data-testid="header-role"]'))).trim();
      if (role !== '관리자') throw new Error(`header role ${JSON.stringify(role)}`);
      await waitFor('[data-testid="nav-users"]', 5000, 'the 사용자 관리 menu');
      const status = await apiRequest('GET', '/api/v1/setup');
      if (!String(status?.body).includes('"needs_setup":false')) throw new Error(`set-up still needed: ${status?.body}`);
      return 'logged in as the new administrator';
    });
    await screenshot('06-first-run-admin');
  } finally {
    await stopDriver(driver, state, known);
    logStream.end();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The server binary the connect scenario starts as the clinic's central server. */
function findServerBinary() {
  if (process.env.CLINICDESK_SERVER_BIN) return path.resolve(process.env.CLINICDESK_SERVER_BIN);
  return path.join(path.dirname(findBinary()), 'clinicdesk-server');
}

/** A central server on a fresh SQLite file with demo data and an administrator; its address. */
async function startCentral(serverBin, dir, logStream) {
  const password = 'Central-Harbor-Lamp-7';
  const made = spawnSync(serverBin, ['users', 'create', '--data-dir', dir, '--username', 'head.admin', '--role', 'admin', '--display-name', '김원장'], {
    input: `${password}\n${password}\n`,
    encoding: 'utf8',
  });
  if (made.status !== 0) throw new Error(`users create: ${made.stderr}`);
  const server = spawn(serverBin, ['--addr', '127.0.0.1:0', '--data-dir', dir, '--demo', '--demo-customers', '30', '--ui-dir', '/nonexistent', '--log-format', 'json'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let addr = null;
  let buffered = '';
  server.stdout.on('data', (chunk) => {
    const text = chunk.toString();
    logStream.write(text);
    buffered += text;
    const m = /"message":"listening","addr":"([^"]+)"/.exec(buffered);
    if (m) addr = m[1];
  });
  server.stderr.on('data', (chunk) => logStream.write(chunk.toString()));
  const deadline = Date.now() + READY_TIMEOUT;
  while (Date.now() < deadline) {
    if (addr) {
      const ready = await fetch(`http://${addr}/readyz`).then((r) => r.status === 200, () => false);
      if (ready) return { server, url: `http://${addr}`, username: 'head.admin', password };
    }
    await sleep(200);
  }
  server.kill('SIGTERM');
  throw new Error('the central server never became ready');
}

/**
 * A new desktop's other first start: "이 병원의 중앙 서버에 연결" on the set-up screen, the
 * server's address and its administrator's login; the first sync brings the clinic's accounts
 * and customers, and the person who connected logs in with the same password.
 */
async function firstConnect(bin, tauriDriver, webkitDriver) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'clinicdesk-e2e-connect-'));
  const centralDir = fs.mkdtempSync(path.join(os.tmpdir(), 'clinicdesk-e2e-central-'));
  const { port, nativePort } = await portPair();
  base = `http://127.0.0.1:${port}`;
  const logStream = fs.createWriteStream(path.join(shotsDir, 'app-connect.log'));
  let central = null;
  const { driver, state } = startDriver({ tauriDriver, webkitDriver, port, nativePort, dataDir, env: { CLINICDESK_DEMO: '0' }, logStream });
  let known = [];
  try {
    await step('a new desktop connects to its central server from the set-up screen', async () => {
      central = await startCentral(findServerBinary(), centralDir, logStream);
      await driverReady(state);
      await newAppSession(bin);
      known = descendants(driver.pid);
      await click(await waitFor('[data-testid="setup-connect-path"]', READY_TIMEOUT, 'the set-up screen'));
      await waitFor('[data-testid="connect-form"]', 10000, 'the connect form');
      await typeInto(await waitFor('[data-testid="connect-server-url"]'), central.url);
      await typeInto(await waitFor('[data-testid="connect-username"]'), central.username);
      await typeInto(await waitFor('[data-testid="connect-password"]'), central.password);
      await screenshot('07-connect-form');
      await click(await waitFor('[data-testid="connect-submit"]'));
      // The first sync brought the accounts: the login is next, the name filled in.
      await waitFor('[data-testid="login-notice"]', 60000, 'the login after connecting');
      // The accounts are here: no set-up any more, and the sync status is for users only now.
      const setup = await apiRequest('GET', '/api/v1/setup');
      if (!String(setup?.body).includes('"needs_setup":false')) throw new Error(`set-up ${setup?.body}`);
      const status = await apiRequest('GET', '/api/v1/sync/status');
      if (status?.status !== 401) throw new Error(`the status without a login answered ${status?.status}`);
      return `connected to ${central.url}`;
    });
    await screenshot('08-connected-login');
    await step('the person who connected logs in and finds the clinic\'s customers', async () => {
      known = [...new Set([...known, ...descendants(driver.pid)])];
      await typeInto(await waitFor('[data-testid="login-password"]'), central.password);
      await click(await waitFor('[data-testid="login-submit"]'));
      await waitFor('[data-testid="today-screen"]', 30000, 'the Today screen');
      await click(await waitFor('[data-testid="nav-search"]'));
      await waitFor('[data-testid="result-row"]', 30000, 'customers from the central server');
      const rows = await wd('POST', s('/elements'), { using: 'css selector', value: '[data-testid="result-row"]' });
      if (!rows?.length) throw new Error('no customers listed');
      return `${rows.length} customers on the first page`;
    });
    await screenshot('09-connected-search');
  } finally {
    await stopDriver(driver, state, known);
    if (central) central.server.kill('SIGTERM');
    logStream.end();
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(centralDir, { recursive: true, force: true });
  }
}

let finalResults;
try {
  finalResults = await main();
  if (!finalResults.some((r) => r.name === 'prerequisites')) {
    const drivers = [process.env.TAURI_DRIVER || findOnPath('tauri-driver'), process.env.WEBKIT_DRIVER || '/usr/bin/WebKitWebDriver'];
    await firstRun(findBinary(), ...drivers);
    await firstConnect(findBinary(), ...drivers);
    finalResults = results;
  }
} catch (e) {
  console.log(`FAIL - smoke test crashed: ${e.stack || e}`);
  finalResults = [...results, { name: 'crash', ok: false }];
}
const passed = finalResults.filter((r) => r.ok).length;
const failed = finalResults.length - passed;
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
