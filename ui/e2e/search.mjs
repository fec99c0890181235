// Issue 8, search and package correctness: Korean search habits (initial consonants, several
// words), the package column's wording, the expiry column and sort under a package-status
// filter, and an expired package card that says 만료됨 with its date — at 1024×700 and 1920×1080.

const CHOSEONG = 'ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ';

function initials(name) {
  return [...name]
    .map((c) => {
      const n = c.codePointAt(0);
      return n >= 0xac00 && n <= 0xd7a3 ? CHOSEONG[Math.floor((n - 0xac00) / 588)] : c;
    })
    .join('');
}

const SIZES = [
  { width: 1024, height: 700 },
  { width: 1920, height: 1080 },
];

export async function run({ browser, test, assert, shot, newSession, assertClean, login, readRows, waitForRows, searchFor }) {
  const session = await newSession(browser);
  const { page } = session;

  /** Rows of the current list with their package cells as shown. */
  const packageRows = () =>
    page.getByTestId('result-row').evaluateAll((rows) =>
      rows.map((r) => ({
        id: r.getAttribute('data-id'),
        name: r.querySelector('[data-testid="result-name"]')?.textContent?.trim() ?? '',
        left: r.querySelector('[data-testid="result-package-left"]')?.textContent ?? '',
        expiry: r.querySelector('[data-testid="result-expiry-date"]')?.textContent?.trim() ?? null,
        state: r.querySelector('[data-testid="result-expiry-state"]')?.getAttribute('data-state') ?? null,
        stateText: r.querySelector('[data-testid="result-expiry-state"]')?.textContent?.trim() ?? '',
      })),
    );

  const settle = () => page.waitForFunction(() => !document.querySelector('.table-wrap.is-loading'));

  /** The customer search, wherever the login landed. */
  const toSearch = async () => {
    await page.evaluate(() => {
      location.hash = '#/customers';
    });
    await page.getByTestId('search-input').waitFor();
  };

  const clearSearch = async () => {
    if ((await page.getByTestId('search-input').inputValue()) === '') return;
    const answered = page.waitForResponse((r) => r.url().includes('/customers/search') && !/[?&]q=/.test(r.url()));
    await page.getByTestId('search-input').fill('');
    await answered;
    await settle();
  };

  await test('initial-consonant search finds the customer', async () => {
    await login(page, 'staff');
    await toSearch();
    await waitForRows(page);
    const rows = await readRows(page);
    const korean = rows.find((r) => /^[가-힣]{3}$/.test(r.name));
    assert(korean, `a three-syllable Korean name among ${rows.map((r) => r.name).join(', ')}`);
    const full = initials(korean.name);
    assert(/^[ㄱ-ㅎ]{3}$/.test(full), `initials of ${korean.name}: ${full}`);

    await searchFor(page, full);
    await waitForRows(page);
    let found = await readRows(page);
    assert(found.some((r) => r.id === korean.id), `"${full}" finds ${korean.name}`);
    assert(
      found.every((r) => initials(r.name).includes(full)),
      `every row's initials contain ${full}: ${found.map((r) => r.name).join(', ')}`,
    );
    await shot(page, 'issue8-search-initials');

    const partial = full.slice(0, 2);
    await searchFor(page, partial);
    await waitForRows(page);
    found = await readRows(page);
    assert(found.length > 0 && found.every((r) => initials(r.name).includes(partial)), `"${partial}" lists only names with those initials`);
    const total = Number(await page.getByTestId('search-total').getAttribute('data-total'));
    if (total <= found.length) assert(found.some((r) => r.id === korean.id), `"${partial}" finds ${korean.name}`);

    // As typed through the IME: a syllable, then initials.
    const typed = korean.name[0] + full.slice(1);
    await searchFor(page, typed);
    await waitForRows(page);
    found = await readRows(page);
    assert(found.some((r) => r.id === korean.id), `"${typed}" finds ${korean.name}`);

    // Two words: both must match.
    const words = `${korean.name[0]} ${korean.name[2]}`;
    await searchFor(page, words);
    await waitForRows(page);
    found = await readRows(page);
    assert(found.some((r) => r.id === korean.id), `"${words}" finds ${korean.name}`);
    assert(
      found.every((r) => r.name.includes(korean.name[0]) && r.name.includes(korean.name[2])),
      `every row for "${words}" has both: ${found.map((r) => r.name).join(', ')}`,
    );
    await clearSearch();
  });

  await test('search list says what is left and, under a package filter, when it expires (sortable)', async () => {
    await waitForRows(page);
    const plain = await packageRows();
    const withPackage = plain.filter((r) => r.left);
    assert(withPackage.length > 0, 'some rows show a package');
    for (const r of withPackage) assert(/\d+회 남음 \/ \d+회/.test(r.left), `"${r.left}" says what is left`);
    assert((await page.getByTestId('sort-package_expiry').count()) === 0, 'no expiry column without a package filter');

    const answered = page.waitForResponse((r) => r.url().includes('/customers/search') && r.url().includes('package_status=expired'));
    await page.getByTestId('filter-package-status').selectOption('expired');
    await answered;
    await settle();
    await page.getByTestId('sort-package_expiry').waitFor();
    const sorted = page.waitForResponse((r) => r.url().includes('sort_by=package_expiry') && r.url().includes('sort_order=asc'));
    await page.getByTestId('sort-package_expiry').click();
    await sorted;
    await settle();
    const expired = await packageRows();
    assert(expired.length > 0, 'the demo data has customers whose packages all ended');
    for (const r of expired) {
      assert(r.expiry && /^\d{4}-\d{2}-\d{2}$/.test(r.expiry), `${r.name}: expiry date shown (${r.expiry})`);
      assert(r.state === 'lapsed' || r.state === 'used_up', `${r.name}: ended (${r.state})`);
      assert(!/D-Day/.test(r.stateText), `${r.name}: an expired package never reads D-Day`);
    }
    const dates = expired.map((r) => r.expiry);
    assert(dates.every((d, i) => i === 0 || dates[i - 1] <= d), `sorted by expiry ascending: ${dates.join(', ')}`);
    assert(expired.some((r) => r.stateText === '만료됨'), 'a lapsed package says 만료됨');
    for (const size of SIZES) {
      await page.setViewportSize(size);
      await shot(page, `issue8-search-expired-${size.width}`);
    }

    const active = page.waitForResponse((r) => r.url().includes('package_status=expiring'));
    await page.getByTestId('filter-package-status').selectOption('expiring');
    await active;
    await settle();
    const expiring = await packageRows();
    assert(expiring.length > 0, 'some customers have packages running out');
    const soon = expiring.map((r) => r.expiry);
    assert(soon.every((d, i) => i === 0 || soon[i - 1] <= d), `expiring sorted by expiry: ${soon.join(', ')}`);
    for (const size of SIZES) {
      await page.setViewportSize(size);
      await shot(page, `issue8-search-expiring-${size.width}`);
    }
    await page.setViewportSize({ width: 1440, height: 900 });
  });

  await test('an expired package card says 만료됨 with its date', async () => {
    const answered = page.waitForResponse((r) => r.url().includes('package_status=expired'));
    await page.getByTestId('filter-package-status').selectOption('expired');
    await answered;
    await settle();
    const lapsed = (await packageRows()).find((r) => r.state === 'lapsed');
    assert(lapsed, 'a customer whose last package lapsed');
    await page.locator(`[data-testid="result-row"][data-id="${lapsed.id}"]`).click();
    await page.getByTestId('customer-name').waitFor();
    await page.getByTestId('toggle-past-packages').click();
    const card = page.getByTestId('past-package-card').first();
    await card.waitFor();
    const chips = await page.locator('[data-testid="past-package-card"] [data-testid="package-days-remaining"]').evaluateAll((els) =>
      els.map((e) => ({ text: e.textContent?.trim() ?? '', state: e.getAttribute('data-state'), days: Number(e.getAttribute('data-value')) })),
    );
    assert(chips.length > 0, 'past package cards show their expiry');
    for (const c of chips) {
      assert(c.text !== 'D-Day', `an expired card reads "${c.text}"`);
      if (c.days < 0) assert(/^만료됨 \d{4}-\d{2}-\d{2}$/.test(c.text) && c.state === 'lapsed', `lapsed card reads "${c.text}"`);
    }
    assert(
      chips.some((c) => c.text === `만료됨 ${lapsed.expiry}`),
      `a card reads 만료됨 ${lapsed.expiry}: ${chips.map((c) => c.text).join(', ')}`,
    );
    await page.locator('[data-testid="past-package-card"] [data-state="lapsed"]').first().scrollIntoViewIfNeeded();
    for (const size of SIZES) {
      await page.setViewportSize(size);
      await page.locator('[data-testid="past-package-card"] [data-state="lapsed"]').first().scrollIntoViewIfNeeded();
      await page.screenshot({ path: new URL(`./screenshots/issue8-search-expired-card-${size.width}.png`, import.meta.url).pathname });
    }
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.getByTestId('back-to-search').click();
    await page.getByTestId('search-input').waitFor();
    assertClean(session);
  });

  await session.context.close();
}
