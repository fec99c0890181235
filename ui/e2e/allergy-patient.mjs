// The patient's web UI and the research library, end to end.
//
// Patient: a demo doctor registers a patient, issues a kit and enters a diagnosis with it
// (peanut 4, shrimp 5, house dust mite 3) through the API; then, in a fresh browser, the
// patient signs up with the kit (the access PIN is shown once), signs out, signs in with
// name + phone + PIN, opens the guide and sees the doctor's high-risk allergens. Another
// patient's diagnosis typed into the address is "찾을 수 없음". Patients never see a staff
// screen; a staff login never lands on the patients' pages.
//
// Research (when the server has /pro/research/*): a doctor imports an invented MEDLINE file
// (e2e/fixtures/research-fixture.nbib), follows it to done, sees a bad file refused at its
// line, searches "peanut", asks a question and opens a cited paper.
//
// Screenshots: e2e/screenshots/patient-*.png and research-*.png at 1024×700 and 1920×1080.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { apiAs } from './api.mjs';

const FIXTURE = fileURLToPath(new URL('./fixtures/research-fixture.nbib', import.meta.url));
const SHOTS = fileURLToPath(new URL('./screenshots/', import.meta.url));

const SIZES = [
  [1024, 700],
  [1920, 1080],
];

function digits(n) {
  let s = '';
  for (let i = 0; i < n; i++) s += Math.floor(Math.random() * 10);
  return s;
}

export async function run(t) {
  const { browser, BASE, PASSWORD, test, assert, shot, newSession, assertClean } = t;

  /**
   * Screenshots at both window sizes (the whole page, or the window only for a dialog); the
   * page must not scroll sideways.
   */
  async function sizes(page, name, { window = false } = {}) {
    for (const [w, h] of SIZES) {
      await page.setViewportSize({ width: w, height: h });
      await page.waitForTimeout(80);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      if (window) await page.screenshot({ path: `${SHOTS}${name}-${w}x${h}.png` });
      else await shot(page, `${name}-${w}x${h}`);
      assert(overflow <= 0, `${name} scrolls sideways by ${overflow}px at ${w}×${h}`);
    }
    await page.setViewportSize({ width: 1440, height: 900 });
  }

  // ---------------------------------------------------------------------------------------
  // Set-up through the API, as the demo doctor.
  let fx = null; // { name, phone, serial, kitPin, diagnosisId, highRisk: [names], otherDiagnosisId }

  await test('patient: a doctor registers a patient, issues a kit and enters a diagnosis with it (API)', async () => {
    const doctor = await apiAs(BASE, PASSWORD, 'doctor');
    const name = '윤서하';
    const phone = `010-${digits(4)}-${digits(4)}`;
    const patient = await doctor('POST', '/api/v1/pro/patients/new', { name, phone, consent: true });
    const serial = `E2E-P${Date.now().toString(36).toUpperCase()}`;
    const kitPin = digits(6);
    await doctor('POST', '/api/v1/pro/kits', { batch: 'e2e-patient', kits: [{ serial_number: serial, pin: kitPin }] });
    const created = await doctor('POST', '/api/v1/pro/diagnosis', {
      patient_id: patient.patient_id,
      kit_serial: serial,
      results: [
        { allergen: 'peanut', grade: 4 },
        { allergen: 'shrimp', grade: 5 },
        { allergen: 'house_dust_mite', grade: 3 },
      ],
    });
    // What the doctor's own screen shows for the diagnosis: the names to find in the guide.
    const detail = await doctor('GET', `/api/v1/pro/diagnosis/${created.diagnosis_id}`);
    const highRisk = detail.results.filter((r) => r.risk_level === 'high_risk').map((r) => r.name_ko).sort();
    assert(highRisk.length === 2, `peanut 4 and shrimp 5 are high risk: ${JSON.stringify(highRisk)}`);

    // A second patient, whose diagnosis the first must never see.
    const other = await doctor('POST', '/api/v1/pro/patients/new', { name: '남궁민재', phone: `010-${digits(4)}-${digits(4)}`, consent: true });
    const otherDiagnosis = await doctor('POST', '/api/v1/pro/diagnosis', { patient_id: other.patient_id, results: [{ allergen: 'milk', grade: 6 }] });
    fx = {
      name,
      phone,
      serial,
      kitPin,
      diagnosisId: created.diagnosis_id,
      highRisk,
      resultCount: detail.results.length,
      otherDiagnosisId: otherDiagnosis.diagnosis_id,
    };
  });

  const patient = await newSession(browser);
  const p = patient.page;

  await test('patient: the login screen offers 환자 로그인; the kit sign-up shows the access PIN once', async () => {
    assert(fx, 'the set-up of the first step');
    await p.goto(`${BASE}/`);
    await p.getByTestId('login-username').waitFor();
    const entry = p.getByTestId('patient-entry');
    await entry.waitFor();
    assert((await entry.textContent())?.includes('환자 로그인'), 'the staff login screen shows 환자 로그인');
    await sizes(p, 'patient-login-entry');

    await p.getByTestId('patient-signup-link').click();
    await p.getByTestId('patient-signup-form').waitFor();
    await p.getByTestId('ps-name').fill(fx.name);
    await p.getByTestId('ps-phone').fill(fx.phone.replace(/-/g, ''));
    assert((await p.getByTestId('ps-phone').inputValue()) === fx.phone, 'the phone is formatted as it is typed');
    await p.getByTestId('ps-serial').fill(fx.serial);
    // A wrong kit PIN first: refused, nothing shown but the reason.
    await p.getByTestId('ps-kit-pin').fill('0000');
    await p.getByTestId('ps-submit').click();
    const err = p.getByTestId('patient-signup-error');
    await err.waitFor();
    assert(/키트 번호나 키트 PIN/.test((await err.textContent()) ?? ''), `a wrong kit PIN says so: ${await err.textContent()}`);
    await p.getByTestId('ps-kit-pin').fill(fx.kitPin);
    await sizes(p, 'patient-signup');
    await p.getByTestId('ps-submit').click();

    const reveal = p.getByTestId('pin-reveal');
    await reveal.waitFor();
    const pin = ((await p.getByTestId('access-pin').textContent()) ?? '').replace(/\D/g, '');
    assert(/^\d{6}$/.test(pin), `a 6-digit access PIN is shown: "${pin}"`);
    const warning = (await p.getByTestId('pin-warning').textContent()) ?? '';
    assert(warning.includes('한 번만'), `the warning says it is shown once: ${warning}`);
    // No patient page before the confirmation.
    assert((await p.getByTestId('patient-shell').count()) === 0, 'the patient pages wait for 확인했습니다');
    await sizes(p, 'patient-pin-once');
    fx.pin = pin;

    await p.getByTestId('pin-confirm').click();
    await p.getByTestId('patient-shell').waitFor();
    await p.getByTestId('my-diagnoses').waitFor();
    assert((await p.getByTestId('pin-reveal').count()) === 0, 'the PIN screen is gone');
    assert(!((await p.locator('body').textContent()) ?? '').includes(pin), 'the PIN is shown nowhere after the confirmation');
    // Patients have no staff navigation at all.
    for (const id of ['nav-today', 'nav-search', 'nav-new-customer', 'logout-button']) {
      assert((await p.getByTestId(id).count()) === 0, `no staff entry ${id}`);
    }
    assert((await p.locator('.sidebar').count()) === 0, 'no staff sidebar');
    // A reload keeps the session (the refresh cookie) and never shows the PIN again.
    await p.reload();
    await p.getByTestId('my-diagnoses').waitFor();
    assert((await p.getByTestId('pin-reveal').count()) === 0, 'no PIN after a reload');
  });

  await test('patient: signs out, then signs in with name + phone + PIN', async () => {
    assert(fx?.pin, 'the sign-up of the previous step');
    await p.getByTestId('patient-logout').click();
    await p.getByTestId('patient-login-form').waitFor();
    await p.getByTestId('pl-name').fill(fx.name);
    await p.getByTestId('pl-phone').fill(fx.phone);
    const wrong = fx.pin === '000000' ? '111111' : '000000';
    await p.getByTestId('pl-pin').fill(wrong);
    await p.getByTestId('pl-submit').click();
    const err = p.getByTestId('patient-login-error');
    await err.waitFor();
    assert(/PIN/.test((await err.textContent()) ?? ''), `a wrong PIN is refused: ${await err.textContent()}`);
    await p.getByTestId('pl-pin').fill(fx.pin);
    await sizes(p, 'patient-login');
    await p.getByTestId('pl-submit').click();
    await p.getByTestId('patient-shell').waitFor();
    await p.getByTestId('my-diagnosis').first().waitFor();
    const name = (await p.getByTestId('patient-name').textContent()) ?? '';
    assert(name.includes(fx.name), `signed in as ${fx.name}: ${name}`);
    assert(new URL(p.url()).hash === '#/my', `lands on the results: ${p.url()}`);
    await sizes(p, 'patient-home');
  });

  await test('patient: the guide shows the same high-risk allergens as the doctor’s diagnosis, printable on A4', async () => {
    assert(fx, 'the set-up');
    await p.locator(`[data-testid="my-diagnosis"][data-id="${fx.diagnosisId}"]`).click();
    await p.getByTestId('patient-guide').waitFor();
    const shown = (await p.getByTestId('guide-high-risk').allTextContents()).map((s) => s.trim()).sort();
    assert(JSON.stringify(shown) === JSON.stringify(fx.highRisk), `guide shows ${JSON.stringify(shown)}, the doctor's diagnosis ${JSON.stringify(fx.highRisk)}`);
    assert((await p.getByTestId('result-row').count()) === fx.resultCount, 'every result has its row');
    const highRows = await p.locator('[data-testid="result-row"][data-risk="high_risk"] [data-testid="result-name"]').allTextContents();
    assert(JSON.stringify(highRows.map((s) => s.trim()).sort()) === JSON.stringify(fx.highRisk), `high-risk rows: ${highRows}`);
    // Foods per allergen, cross-reactivity, emergency with 119 and the auto-injector steps.
    for (const code of ['peanut', 'shrimp']) {
      const card = p.locator(`[data-testid="diet-card"][data-allergen="${code}"]`);
      await card.waitFor();
      assert((await card.getByTestId('diet-avoid').locator('li').count()) > 0, `${code}: foods to avoid`);
      assert((await card.getByTestId('diet-hidden').locator('li').count()) > 0, `${code}: hidden sources`);
    }
    assert((await p.getByTestId('cross-card').count()) > 0, 'cross-reactivity cautions');
    assert(((await p.getByTestId('call-119').textContent()) ?? '').includes('119'), '119 is shown');
    assert((await p.getByTestId('action-plan').locator('li').count()) > 0, 'the action plan');
    assert((await p.getByTestId('injector-steps').locator('li').count()) > 0, 'auto-injector steps');
    await sizes(p, 'patient-guide');

    // Printed: only the guide (no header, no buttons), on A4 pages.
    await p.emulateMedia({ media: 'print' });
    assert(!(await p.locator('.patient-top').isVisible()), 'the header is not printed');
    assert(!(await p.getByTestId('print-button').isVisible()), 'the print button is not printed');
    for (const id of ['guide-summary', 'guide-results', 'guide-diet', 'call-119']) {
      assert(await p.getByTestId(id).isVisible(), `${id} is printed`);
    }
    await p.setViewportSize({ width: 794, height: 1123 });
    await shot(p, 'patient-guide-print');
    const pdf = await p.pdf({ preferCSSPageSize: true, printBackground: true });
    const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? []).length;
    const box = /\/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]/.exec(pdf.toString('latin1'));
    assert(pages >= 2, `the guide prints on ${pages} pages`);
    assert(box && Math.abs(Number(box[1]) - 595.9) < 2 && Math.abs(Number(box[2]) - 842.9) < 2, `A4 pages: ${box?.[0]}`);
    await p.emulateMedia({ media: 'screen' });
    await p.setViewportSize({ width: 1440, height: 900 });
  });

  await test('patient: another patient’s diagnosis typed into the address shows 찾을 수 없음, no data', async () => {
    assert(fx, 'the set-up');
    await p.goto(`${BASE}/#/my/diagnoses/${fx.otherDiagnosisId}`);
    const nf = p.getByTestId('guide-not-found');
    await nf.waitFor();
    assert(((await nf.textContent()) ?? '').includes('찾을 수 없음'), `says 찾을 수 없음: ${await nf.textContent()}`);
    assert((await p.getByTestId('result-row').count()) === 0, 'no result of the other patient');
    assert(!((await p.locator('body').textContent()) ?? '').includes('우유'), 'nothing of the other diagnosis (milk) is shown');
    await sizes(p, 'patient-not-found');
  });

  await test('patient: 응급 대처 and 키트 등록 pages', async () => {
    assert(fx, 'the set-up');
    await p.getByTestId('patient-nav-emergency').click();
    await p.getByTestId('emergency-screen').waitFor();
    await p.getByTestId('severity-level').first().waitFor();
    assert(((await p.getByTestId('call-119').textContent()) ?? '').includes('119'), '119, big');
    assert((await p.getByTestId('injector-steps').locator('li').count()) > 0, 'auto-injector steps');
    await sizes(p, 'patient-emergency');

    await p.getByTestId('patient-nav-kits').click();
    await p.getByTestId('kits-screen').waitFor();
    await p.getByTestId('kit-status-serial').fill(fx.serial);
    await p.getByTestId('kit-status-submit').click();
    const status = p.getByTestId('kit-status');
    await status.waitFor();
    assert((await status.getAttribute('data-status')) === 'registered', `own kit is registered: ${await status.getAttribute('data-status')}`);
    // The same kit again: already registered.
    await p.getByTestId('kit-serial').fill(fx.serial);
    await p.getByTestId('kit-pin').fill(fx.kitPin);
    await p.getByTestId('kit-register-submit').click();
    const err = p.getByTestId('kit-register-error');
    await err.waitFor();
    assert(((await err.textContent()) ?? '').includes('이미 등록된 키트'), `already registered: ${await err.textContent()}`);
    await sizes(p, 'patient-kits');
  });

  await test('patient: a staff address leads a patient to their own results', async () => {
    for (const hash of ['#/customers', '#/today', '#/users', '#/research']) {
      await p.goto(`${BASE}/${hash}`);
      await p.getByTestId('my-diagnoses').waitFor();
      assert(new URL(p.url()).hash === '#/my', `${hash} → ${p.url()}`);
      assert((await p.locator('.sidebar').count()) === 0, `no staff shell at ${hash}`);
    }
  });

  await test('patient: a staff login never lands on the patients’ pages', async () => {
    const staff = await newSession(browser);
    const s = staff.page;
    await s.goto(`${BASE}/#/my/diagnoses/${fx?.diagnosisId ?? 'x'}`);
    // Nobody signed in at a patient address: the patient sign-in, with the way to the staff one.
    await s.getByTestId('patient-login-form').waitFor();
    await s.getByTestId('to-staff-login').click();
    await s.getByTestId('login-username').fill('doctor');
    await s.getByTestId('login-password').fill(PASSWORD);
    await s.getByTestId('login-submit').click();
    await s.getByTestId('today-screen').waitFor();
    await s.goto(`${BASE}/#/my`);
    await s.getByTestId('today-screen').waitFor();
    assert(new URL(s.url()).hash === '#/today', `a doctor at #/my is sent to #/today: ${s.url()}`);
    assert((await s.getByTestId('patient-shell').count()) === 0, 'no patient page for staff');
    assertClean(staff);
    await staff.context.close();
  });

  await test('no console errors, CSP violations or off-origin requests (patient)', async () => {
    assertClean(patient);
  });
  await patient.context.close();

  // ---------------------------------------------------------------------------------------
  // Research library
  const spec = await fetch(`${BASE}/api/v1/openapi.json`).then((r) => r.json());
  if (!Object.keys(spec.paths ?? {}).some((path) => path.includes('/pro/research/imports'))) {
    console.log('  - research: this server has no /pro/research/* yet, its steps are skipped');
    return;
  }

  const research = await newSession(browser);
  const r = research.page;
  const login = async (page, username) => {
    await page.goto(`${BASE}/`);
    await page.getByTestId('login-username').fill(username);
    await page.getByTestId('login-password').fill(PASSWORD);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('today-screen').waitFor();
  };

  await test('research: 연구 자료실 is a doctor’s and an administrator’s, not staff’s', async () => {
    const staff = await newSession(browser);
    await login(staff.page, 'staff');
    assert((await staff.page.getByTestId('nav-research').count()) === 0, 'staff has no 연구 자료실 entry');
    await staff.page.goto(`${BASE}/#/research`);
    await staff.page.getByTestId('research-forbidden').waitFor();
    await staff.context.close();

    await login(r, 'doctor');
    await r.getByTestId('nav-research').click();
    await r.getByTestId('research-screen').waitFor();
  });

  await test('research: a MEDLINE file is imported with a progress bar to done; a broken file is refused at its line', async () => {
    await r.getByTestId('research-tab-import').click();
    await r.getByTestId('research-file').setInputFiles(FIXTURE);
    await r.getByTestId('research-import-submit').click();
    const progress = r.getByTestId('import-progress');
    await progress.waitFor();
    await r.waitForFunction(() => {
      const s = document.querySelector('[data-testid="import-progress"]')?.getAttribute('data-status');
      return s === 'done' || s === 'failed';
    });
    assert((await progress.getAttribute('data-status')) === 'done', `the import ends done: ${await r.getByTestId('import-status').textContent()}`);
    const total = Number(await progress.getAttribute('data-total'));
    assert(total === 4, `the fixture has 4 records: ${total}`);
    assert((await r.getByTestId('recent-import').count()) > 0, 'the import is listed');
    // The bar has slid to its end.
    await r.waitForFunction(() => {
      const fill = document.querySelector('[data-testid="import-progress"] .sync-progress-fill');
      const track = fill?.parentElement;
      return !!fill && !!track && Math.abs(fill.getBoundingClientRect().width - track.getBoundingClientRect().width) < 1;
    });
    await sizes(r, 'research-import');

    // One line that is neither a tag nor a continuation: nothing imported, the line named.
    const broken = readFileSync(FIXTURE, 'utf8').split('\n');
    broken.splice(4, 0, 'this line is not MEDLINE');
    await r.getByTestId('research-file').setInputFiles({ name: 'broken.nbib', mimeType: 'text/plain', buffer: Buffer.from(broken.join('\n')) });
    await r.getByTestId('research-import-submit').click();
    const refused = r.getByTestId('import-refused');
    await refused.waitFor();
    assert((await refused.getAttribute('data-line')) === '5', `refused at line 5: ${await refused.textContent()}`);
    assert(((await r.getByTestId('import-refused-line').textContent()) ?? '').includes('5번째 줄'), 'the line is shown');
    await sizes(r, 'research-import-refused');
  });

  await test('research: searching "peanut" lists the fixture papers with an expandable abstract', async () => {
    await r.getByTestId('research-tab-search').click();
    await r.getByTestId('research-query').fill('peanut');
    await r.getByTestId('research-allergen').selectOption('peanut');
    await r.getByTestId('research-cross').check();
    await r.getByTestId('research-search-submit').click();
    await r.getByTestId('research-results').waitFor();
    const ids = await r.getByTestId('paper-result').evaluateAll((els) => els.map((e) => e.getAttribute('data-paper-id')));
    assert(ids.includes('pubmed:90000101'), `the hidden-peanut fixture is found: ${ids}`);
    const first = r.locator('[data-testid="paper-result"][data-paper-id="pubmed:90000101"]');
    await first.getByTestId('paper-abstract-toggle').click();
    assert(((await first.getByTestId('paper-abstract').textContent()) ?? '').includes('INVENTED'), 'the abstract opens');
    assert(((await first.getByTestId('paper-doi').textContent()) ?? '').includes('10.99999/cd-fixture.90000101'), 'the DOI is shown');
    await sizes(r, 'research-search');
  });

  await test('research: a question is answered with numbered citations that open the cited paper', async () => {
    await r.getByTestId('research-tab-qa').click();
    await r.getByTestId('qa-question').fill('땅콩 알레르기 환자가 피해야 할 숨겨진 식품은?');
    await r.getByTestId('qa-submit').click();
    await r.waitForFunction(() => document.querySelector('[data-testid="qa-result"], [data-testid="qa-no-answer"], [data-testid="qa-error"]'));
    if ((await r.getByTestId('qa-result').count()) !== 1) {
      throw new Error(`no answer: ${await r.locator('[data-testid="qa-no-answer"], [data-testid="qa-error"]').first().textContent()}`);
    }
    const markers = r.getByTestId('cite-marker');
    assert((await markers.count()) > 0, 'citation markers in the answer');
    const level = await r.getByTestId('qa-confidence').getAttribute('data-level');
    assert(['high', 'medium', 'low'].includes(level ?? ''), `a confidence level: ${level}`);
    await sizes(r, 'research-qa');
    const paperId = await markers.first().getAttribute('data-paper-id');
    await markers.first().click();
    const dialog = r.getByTestId('paper-dialog');
    await dialog.waitFor();
    await dialog.getByTestId('paper-detail-title').waitFor();
    assert((await dialog.locator('[data-paper-id]').getAttribute('data-paper-id')) === paperId, `the cited paper ${paperId} opens`);
    await sizes(r, 'research-paper', { window: true });
    // The dialog fits the small window: its title and its close button are in view.
    await r.setViewportSize({ width: 1024, height: 700 });
    const box = await dialog.boundingBox();
    assert(box && box.y >= 0 && box.y + box.height <= 700, `the paper dialog fits 1024×700: ${JSON.stringify(box)}`);
    await r.setViewportSize({ width: 1440, height: 900 });
    await r.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
  });

  await test('no console errors, CSP violations or off-origin requests (research)', async () => {
    assertClean(research);
  });
  await research.context.close();
}
