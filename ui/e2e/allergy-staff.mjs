// Allergy care in the staff app: a doctor registers a new patient, issues a kit and enters a
// diagnosis from the keyboard (peanut 4, milk 2.1 kU/L, egg 0, house dust mite 3, with the kit
// serial); the guide shows 땅콩 under 고위험 and prints to an A4 PDF of 1–3 pages; staff opening
// that customer see the alert banner; a manager's dashboard counts the diagnosis.
//
// Screenshots: e2e/screenshots/allergy-<screen>-<w>x<h>.png at 1024×700 and 1920×1080 (each
// also checked like layout.mjs checks every screen), allergy-guide.pdf and, when pdftoppm (or
// Ghostscript) is there, the PDF's first page as allergy-guide-pdf-page1.png.

import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, renameSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { apiAs, kstDay } from './api.mjs';
import { layoutProblems, SIZES } from './layout.mjs';

const SHOTS = fileURLToPath(new URL('./screenshots/', import.meta.url));

async function signIn(page, BASE, PASSWORD, username) {
  await page.goto(`${BASE}/`);
  await page.getByTestId('login-username').waitFor();
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(PASSWORD);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('today-screen').waitFor();
}

/** Fonts in, nothing loading, toasts gone (they move around and may cover what is checked). */
async function settle(page) {
  await page.evaluate(() => document.fonts.ready);
  await page.waitForFunction(() => !document.querySelector('.is-loading, .spinner-wrap')).catch(() => {});
  for (const x of await page.locator('.toast-x').all()) await x.click().catch(() => {});
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
}

/** Which element has the focus: its data-code (a grid row), else its test id. */
async function focused(page) {
  return page.evaluate(() => document.activeElement?.getAttribute('data-code') ?? document.activeElement?.getAttribute('data-testid'));
}

function pdfPages(path) {
  const text = readFileSync(path).toString('latin1');
  const counted = (text.match(/\/Type\s*\/Page(?![s\w])/g) ?? []).length;
  const declared = /\/Type\s*\/Pages[^>]*?\/Count\s+(\d+)/.exec(text);
  return declared ? Number(declared[1]) : counted;
}

function which(cmd) {
  try {
    return execFileSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}

export async function run(t) {
  const { browser, BASE, PASSWORD, test, assert, newSession, assertClean } = t;

  /** Screenshots at both window sizes, each checked for the layout problems of layout.mjs. */
  async function sizes(page, name, { dialog, check = true } = {}) {
    for (const [w, h] of SIZES) {
      await page.setViewportSize({ width: w, height: h });
      await settle(page);
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.screenshot({ path: `${SHOTS}allergy-${name}-${w}x${h}.png` });
      if (check) {
        const { problems } = await layoutProblems(page, dialog);
        assert(problems.length === 0, `allergy-${name} at ${w}×${h}:\n        ${problems.join('\n        ')}`);
      }
    }
    await page.setViewportSize({ width: 1440, height: 900 });
  }

  const doctor = await newSession(browser);
  const staff = await newSession(browser);
  const manager = await newSession(browser);
  const page = doctor.page;
  const stamp = Date.now().toString(36).toUpperCase();
  const digits = String(Date.now()).slice(-7);
  const person = { name: '한지민', phone: `010-7${digits.slice(0, 3)}-${digits.slice(3, 7)}`, birth: '1990-03-04' };
  const kitSerial = `E2E-${stamp}`;
  let patient = null; // { id, number }
  let baseline = null; // the dashboard before the diagnosis

  await test('allergy: a doctor registers a new patient; the consent must be ticked; a duplicate is caught', async () => {
    baseline = await (await apiAs(BASE, PASSWORD, 'manager'))('GET', '/api/v1/pro/dashboard/stats');
    await signIn(page, BASE, PASSWORD, 'doctor');
    for (const id of ['nav-allergy-patients', 'nav-kits', 'nav-allergy-stats', 'nav-knowledge']) {
      assert((await page.getByTestId(id).count()) === 1, `the doctor has the ${id} entry`);
    }
    await page.getByTestId('nav-allergy-patients').click();
    await page.getByTestId('allergy-patients-screen').waitFor();
    await page.getByTestId('patient-new-button').click();
    await page.getByTestId('register-form').waitFor();
    await page.getByTestId('register-name').fill(person.name);
    await page.getByTestId('register-phone').fill(person.phone);
    await page.getByTestId('register-birth').fill(person.birth);
    await page.getByTestId('register-birth').press('Tab');
    // Without the consent nothing is sent.
    const posts = [];
    const onRequest = (r) => r.method() === 'POST' && r.url().includes('/pro/patients/new') && posts.push(r.url());
    page.on('request', onRequest);
    await page.getByTestId('register-submit').click();
    await page.getByTestId('error-consent').waitFor();
    assert(posts.length === 0, 'no registration without the consent');
    assert(((await page.getByTestId('register-consent-notice').textContent()) ?? '').includes('이용 목적'), 'the consent wording is shown');
    await page.getByTestId('register-consent').check();
    await page.getByTestId('register-submit').click();
    const screen = page.getByTestId('allergy-patient-screen');
    await screen.waitFor();
    page.off('request', onRequest);
    patient = { id: await screen.getAttribute('data-patient-id'), number: await screen.getAttribute('data-patient-number') };
    assert(/^P-\d{4}-\d{4,}$/.test(patient.number ?? ''), `patient number ${patient.number}`);
    assert((await page.getByTestId('patient-title').textContent())?.trim() === person.name, 'the patient page names the patient');
    await page.getByTestId('patient-history-empty').waitFor();

    // The same person again: the candidate is offered; registering that customer says it is a patient already.
    await page.goto(`${BASE}/#/allergy/patients/new`);
    await page.getByTestId('register-name').fill(person.name);
    await page.getByTestId('register-phone').fill(person.phone);
    await page.getByTestId('register-consent').check();
    await page.getByTestId('register-submit').click();
    const dup = page.getByTestId('register-duplicates');
    await dup.waitFor();
    assert((await dup.getByTestId('register-duplicate').count()) >= 1, 'the duplicate lists the existing customer');
    await dup.locator(`[data-testid="register-duplicate"][data-customer-id="${patient.id}"] [data-testid="register-duplicate-use"]`).click();
    await page.getByTestId('register-already').waitFor();
    assert((await page.getByTestId('register-already-link').getAttribute('href'))?.includes(patient.id), 'the link opens the patient');
  });

  await test('allergy: the patients list finds the patient by number, phone masked', async () => {
    assert(patient, 'the patient of the first step');
    await page.getByTestId('nav-allergy-patients').click();
    await page.getByTestId('patients-search').fill(patient.number);
    const row = page.locator(`[data-testid="patient-row"][data-id="${patient.id}"]`);
    await row.waitFor();
    const phone = (await row.locator('td').nth(2).textContent()) ?? '';
    assert(phone.includes('*') && phone.endsWith(person.phone.slice(-4)), `masked phone: ${phone}`);
    assert(((await row.textContent()) ?? '').includes('진단 없음'), 'no diagnosis yet');
    await page.getByTestId('patients-search').fill('');
    await page.locator('[data-testid="patient-row"]').first().waitFor();
    await sizes(page, 'patients');
  });

  await test('allergy: a doctor issues a kit; a bad line is named before anything is sent', async () => {
    await page.getByTestId('nav-kits').click();
    await page.getByTestId('kits-screen').waitFor();
    await page.getByTestId('kit-batch').fill(`E2E ${stamp}`);
    await page.getByTestId('kit-lines').fill(`${kitSerial},123456\nBAD,12`);
    await page.getByTestId('kit-problem').first().waitFor();
    const problem = (await page.getByTestId('kit-problem').first().textContent()) ?? '';
    assert(problem.startsWith('2번째 줄'), `the second line is named: ${problem}`);
    assert(await page.getByTestId('kit-issue-submit').isDisabled(), 'a bad line keeps the batch from being sent');
    await page.getByTestId('kit-lines').fill(`${kitSerial},123456`);
    assert(((await page.getByTestId('kit-issue-submit').textContent()) ?? '').includes('1개 발급'), 'one kit to issue');
    await page.getByTestId('kit-issue-submit').click();
    await page.getByTestId('toast').filter({ hasText: '키트 1개를 발급했습니다' }).waitFor();
    const row = page.locator(`[data-testid="kit-row"][data-serial="${kitSerial}"]`);
    await row.waitFor();
    assert((await row.getAttribute('data-status')) === 'issued', 'the new kit awaits its result');
    await sizes(page, 'kits');
  });

  await test('allergy: the diagnosis is entered from the keyboard and saved after a confirmation', async () => {
    assert(patient, 'the patient of the first step');
    await page.goto(`${BASE}/#/allergy/patients/${encodeURIComponent(patient.id)}`);
    await page.getByTestId('allergy-patient-screen').waitFor();
    await page.locator('body').click({ position: { x: 5, y: 400 } });
    await page.keyboard.press('d');
    await page.getByTestId('entry-grid').waitFor();
    await page.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'entry-filter');

    // ↓ from the filter to the first row (egg), then Enter down the food rows.
    await page.keyboard.press('ArrowDown');
    assert((await focused(page)) === 'egg', `first row focused, got ${await focused(page)}`);
    await page.keyboard.type('0');
    await page.keyboard.press('Enter');
    assert((await focused(page)) === 'milk', `Enter moves to milk, got ${await focused(page)}`);
    await page.keyboard.type('2.1');
    await page.keyboard.press('Enter');
    assert((await focused(page)) === 'buckwheat', `then buckwheat, got ${await focused(page)}`);
    await page.keyboard.press('ArrowDown');
    assert((await focused(page)) === 'peanut', `↓ to peanut, got ${await focused(page)}`);
    await page.keyboard.type('4');
    await page.keyboard.press('ArrowUp');
    assert((await focused(page)) === 'buckwheat', `↑ back to buckwheat, got ${await focused(page)}`);
    // Ctrl+F: the filter finds the mite by its alias; Enter jumps to it.
    await page.keyboard.press('Control+f');
    assert((await focused(page)) === 'entry-filter', 'Ctrl+F goes to the filter');
    await page.keyboard.type('진드기');
    await page.keyboard.press('Enter');
    assert((await focused(page)) === 'house_dust_mite', `the filter jumps to the mite, got ${await focused(page)}`);
    await page.keyboard.type('3');
    await page.keyboard.press('Control+f');
    await page.keyboard.press('Escape');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="entry-row"]').length > 40);

    const milk = page.locator('[data-testid="entry-row"][data-code="milk"]');
    assert((await milk.getAttribute('data-kind')) === 'kul' && (await milk.getAttribute('data-grade')) === '2', 'milk 2.1 kU/L previews grade 2');
    assert(((await page.getByTestId('entry-preview-milk').textContent()) ?? '').includes('서버가 최종 판정'), 'the server decides');
    const counts = page.getByTestId('entry-counts');
    assert((await counts.getAttribute('data-entered')) === '4' && (await counts.getAttribute('data-high')) === '1', `4 entered, 1 high: ${await counts.textContent()}`);
    await page.getByTestId('entry-kit').fill(kitSerial);
    await page.getByTestId('entry-kit').press('Tab');
    await sizes(page, 'diagnosis-entry');

    await page.getByTestId('entry-kit').focus();
    await page.keyboard.press('Control+s');
    const dialog = page.getByTestId('entry-confirm-dialog');
    await dialog.waitFor();
    assert((await page.getByTestId('entry-confirm-count').getAttribute('data-value')) === '4', 'the confirmation counts 4 results');
    assert(((await page.getByTestId('entry-confirm-high').textContent()) ?? '').includes('땅콩'), 'and names 땅콩 as high');
    assert((await page.getByTestId('entry-confirm-kit').textContent())?.trim() === kitSerial, 'and the kit');
    await sizes(page, 'diagnosis-confirm', { dialog: 'entry-confirm-dialog' });
    // Enter on the summary does not save: the doctor presses the button.
    await page.keyboard.press('Enter');
    assert((await dialog.count()) === 1, 'Enter does not confirm');
    await page.getByTestId('entry-confirm').click();
    await page.getByTestId('diagnosis-screen').waitFor();
  });

  await test('allergy: the guide shows 땅콩 under 고위험 and prints to an A4 PDF of 1–3 pages', async () => {
    const high = page.getByTestId('guide-high_risk');
    await high.waitFor();
    assert((await high.locator('[data-testid="guide-entry"][data-allergen="peanut"]').count()) === 1, '땅콩 is in 고위험');
    assert(((await high.textContent()) ?? '').includes('땅콩'), 'by its Korean name');
    const grades = await page.getByTestId('guide-result-row').evaluateAll((rows) => Object.fromEntries(rows.map((r) => [r.getAttribute('data-allergen'), Number(r.getAttribute('data-grade'))])));
    assert(grades.peanut === 4 && grades.milk === 2 && grades.egg === 0 && grades.house_dust_mite === 3, `grades ${JSON.stringify(grades)}`);
    assert((await page.getByTestId('guide-kit').textContent())?.trim() === kitSerial, 'the guide names the kit');
    assert(((await page.getByTestId('guide-119').textContent()) ?? '').includes('119'), 'the emergency plan has 119');
    await page.getByTestId('guide-sources').waitFor();
    await sizes(page, 'guide');

    await page.emulateMedia({ media: 'print' });
    await sizes(page, 'print-preview', { check: false });
    const sidebarShown = await page.evaluate(() => getComputedStyle(document.querySelector('.sidebar')).display !== 'none');
    assert(!sidebarShown, 'no navigation on paper');
    await page.evaluate(() => document.fonts.ready);
    const pdf = `${SHOTS}allergy-guide.pdf`;
    await page.pdf({ format: 'A4', printBackground: true, path: pdf });
    await page.emulateMedia({ media: 'screen' });
    const pages = pdfPages(pdf);
    assert(pages >= 1 && pages <= 3, `the guide prints on ${pages} A4 pages`);
    console.log(`      allergy-guide.pdf: ${pages} pages`);
    // The first page as an image for review.
    const out = `${SHOTS}allergy-guide-pdf-page1`;
    if (which('pdftoppm')) {
      execFileSync('pdftoppm', ['-png', '-r', '80', '-f', '1', '-l', '1', '-singlefile', pdf, out]);
    } else if (which('gs')) {
      execFileSync('gs', ['-q', '-dSAFER', '-dBATCH', '-dNOPAUSE', '-sDEVICE=png16m', '-r80', '-dFirstPage=1', '-dLastPage=1', `-sOutputFile=${out}.png`, pdf]);
    }
    if (existsSync(`${out}-1.png`)) renameSync(`${out}-1.png`, `${out}.png`);

    // The kit now carries the result.
    const kits = await (await apiAs(BASE, PASSWORD, 'doctor'))('GET', '/api/v1/pro/kits?status=result_entered&limit=100');
    assert(kits.items.some((k) => k.serial_number === kitSerial && k.patient_id === patient.id), 'the kit is result_entered for the patient');
  });

  await test('allergy: the patient page lists the diagnosis, which opens its guide', async () => {
    await page.getByTestId('diagnosis-back').click();
    const row = page.getByTestId('patient-diagnosis-row').first();
    await row.waitFor();
    assert(((await row.textContent()) ?? '').includes(kstDay(0)), 'dated today');
    await sizes(page, 'patient');
    await row.click();
    await page.getByTestId('allergy-guide').waitFor();
  });

  await test('allergy: staff opening that customer see the red alert banner, and no allergy menu', async () => {
    const p = staff.page;
    await signIn(p, BASE, PASSWORD, 'staff');
    for (const id of ['nav-allergy-patients', 'nav-kits', 'nav-allergy-stats', 'nav-knowledge']) {
      assert((await p.getByTestId(id).count()) === 0, `staff has no ${id} entry`);
    }
    await p.goto(`${BASE}/#/customers/${encodeURIComponent(patient.id)}`);
    const banner = p.getByTestId('allergy-alert');
    await banner.waitFor();
    const text = (await p.getByTestId('allergy-alert-text').textContent()) ?? '';
    assert(text.includes('알레르기 주의') && text.includes('땅콩') && text.includes('고위험'), `banner: ${text}`);
    assert(!text.includes('우유'), 'only the high-risk allergens');
    assert((await p.getByTestId('allergy-patient-link').count()) === 0, 'staff get no link into the allergy records');
    await sizes(p, 'customer-alert');
  });

  await test('allergy: a manager sees the dashboard counting the diagnosis', async () => {
    const p = manager.page;
    await signIn(p, BASE, PASSWORD, 'manager');
    assert((await p.getByTestId('nav-allergy-patients').count()) === 0, 'managers have no patients entry');
    await p.getByTestId('nav-allergy-stats').click();
    await p.getByTestId('allergy-stats-screen').waitFor();
    const total = p.getByTestId('kpi-diagnoses-total');
    await total.waitFor();
    const expected = baseline.diagnoses.total + 1;
    await p.waitForFunction((n) => document.querySelector('[data-testid="kpi-diagnoses-total"]')?.getAttribute('data-value') === String(n), expected);
    const month = Number(await p.getByTestId('kpi-diagnoses-month').getAttribute('data-value'));
    assert(month === baseline.diagnoses.this_month + 1, `this month ${baseline.diagnoses.this_month} → ${month}`);
    const patients = Number(await p.getByTestId('kpi-patients-total').getAttribute('data-value'));
    assert(patients === baseline.patients.total + 1, `patients ${baseline.patients.total} → ${patients}`);
    const peanut = p.locator('[data-testid="stats-allergen-bar"][data-allergen="peanut"]');
    await peanut.waitFor();
    const before = baseline.allergen_distribution.find((x) => x.allergen === 'peanut')?.count ?? 0;
    assert(Number(await peanut.getAttribute('data-count')) === before + 1, 'peanut counted once more');
    const grade4 = p.locator('[data-testid="stats-grade-bar"][data-grade="4"]');
    const g4before = baseline.grade_distribution.find((x) => x.grade === 4)?.count ?? 0;
    assert(Number(await grade4.getAttribute('data-count')) === g4before + 1, 'grade 4 counted once more');
    await sizes(p, 'dashboard');
  });

  await test('allergy: the knowledge base lists the built-in version in use (doctor, read only)', async () => {
    await page.getByTestId('nav-knowledge').click();
    const current = page.locator('[data-testid="knowledge-version-row"][data-current="true"]');
    await current.waitFor();
    assert((await current.getAttribute('data-builtin')) === 'true', 'the built-in version is in use');
    await page.getByTestId('knowledge-allergen-count').waitFor();
    assert(Number(await page.getByTestId('knowledge-allergen-count').getAttribute('data-value')) >= 19, 'at least the 19 MFDS allergens');
    assert((await page.getByTestId('knowledge-publish').count()) === 0, 'a doctor cannot publish');
    await sizes(page, 'knowledge');
  });

  const admin = await newSession(browser);
  await test('allergy: an administrator’s invalid knowledge document is refused with every problem, after a confirmation', async () => {
    const p = admin.page;
    await signIn(p, BASE, PASSWORD, 'admin');
    await p.getByTestId('nav-knowledge').click();
    await p.getByTestId('knowledge-publish').waitFor();
    const current = await (await apiAs(BASE, PASSWORD, 'admin'))('GET', '/api/v1/pro/knowledge/current');
    const doc = structuredClone(current.document);
    const version = `e2e-${stamp.toLowerCase()}`;
    doc.version = version;
    doc.allergens[0].category = 'meat';
    doc.allergens[1].name_ko = '';
    await p.getByTestId('knowledge-file').setInputFiles({ name: 'knowledge-e2e.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(doc)) });
    await p.waitForFunction((v) => document.querySelector('[data-testid="knowledge-version"]')?.value === v, version);
    await p.getByTestId('knowledge-publish-button').click();
    await p.getByTestId('knowledge-confirm-dialog').waitFor();
    assert(((await p.getByTestId('knowledge-confirm-dialog').textContent()) ?? '').includes(version), 'the confirmation names the version');
    await p.getByTestId('knowledge-confirm').click();
    const problems = p.getByTestId('knowledge-problems');
    await problems.waitFor();
    const rows = await p.getByTestId('knowledge-problem').allTextContents();
    assert(rows.length >= 2, `every problem is listed: ${rows.join(' | ')}`);
    assert(rows.some((r) => r.includes('allergens[0].category')) && rows.some((r) => r.includes('allergens[1].name_ko')), `with its path: ${rows.join(' | ')}`);
    const versions = await (await apiAs(BASE, PASSWORD, 'admin'))('GET', '/api/v1/pro/knowledge');
    assert(!versions.versions.some((v) => v.version === version), 'nothing was published');
    await p.locator('[data-testid="knowledge-publish"]').scrollIntoViewIfNeeded();
    await sizes(p, 'knowledge-admin');
  });

  await test('no console errors, CSP violations or off-origin requests (allergy)', async () => {
    for (const s of [doctor, staff, manager, admin]) assertClean(s);
  });
  for (const s of [doctor, staff, manager, admin]) await s.context.close();
}
