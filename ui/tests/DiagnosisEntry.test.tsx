import { fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clearKnowledgeCache } from '../src/allergyData';
import { Toasts } from '../src/components/ui';
import { DiagnosisEntryScreen } from '../src/screens/DiagnosisEntry';
import { diagnosisFixture } from './allergyFixtures';
import { setupApi, WithUser, type Handler } from './helpers';

const allergens = [
  { code: 'egg', name_ko: '알류(달걀)', name_en: "Egg (hen's egg)", aliases: ['달걀', '계란'], category: 'food', mfds_labelling: true },
  { code: 'milk', name_ko: '우유', name_en: "Cow's milk", aliases: ['milk', '유제품'], category: 'food', mfds_labelling: true },
  { code: 'peanut', name_ko: '땅콩', name_en: 'Peanut', aliases: ['groundnut', 'Ara h 2'], category: 'food', mfds_labelling: true },
  { code: 'house_dust_mite', name_ko: '집먼지진드기', name_en: 'House dust mite', aliases: ['Der p 1', '진드기'], category: 'inhalant', mfds_labelling: false },
  { code: 'latex', name_ko: '라텍스(천연고무)', name_en: 'Natural rubber latex', aliases: ['latex'], category: 'other', mfds_labelling: false },
];

const patient = {
  id: 'p-1', customer_id: 'p-1', patient_number: 'P-2026-0007', name: '한지민', phone: '010-1234-5678', birth_date: '1990-03-04',
  assigned_doctor: { id: 'u-doctor', name: '박준영' }, consent_signed: true, diagnosis_count: 0, last_diagnosis: null, registered_at: '2026-12-07T01:00:00Z',
};

const grades = [
  { grade: 0, label_ko: '음성', min_kU_L: null, max_kU_L: 0.35 },
  { grade: 1, label_ko: '매우 낮음', min_kU_L: 0.35, max_kU_L: 0.7 },
  { grade: 2, label_ko: '중간', min_kU_L: 0.7, max_kU_L: 3.5 },
  { grade: 3, label_ko: '높음', min_kU_L: 3.5, max_kU_L: 17.5 },
  { grade: 4, label_ko: '매우 높음', min_kU_L: 17.5, max_kU_L: 50 },
  { grade: 5, label_ko: '매우 높음', min_kU_L: 50, max_kU_L: 100 },
  { grade: 6, label_ko: '매우 높음', min_kU_L: 100, max_kU_L: null },
];

beforeEach(() => {
  clearKnowledgeCache();
  location.hash = '';
});
afterEach(() => {
  location.hash = '';
});

function renderEntry(save?: Handler) {
  const api = setupApi({
    'GET /api/v1/pro/patients/p-1': () => ({ data: patient }),
    'GET /api/v1/pro/allergens': () => ({ data: { knowledge_version: '2026-12-07.1', items: allergens } }),
    'GET /api/v1/pro/knowledge/current': () => ({
      data: { version: '2026-12-07.1', current: true, builtin: true, content_hash: 'x', published_at: '2026-12-07T00:00:00Z', published_by: null, document: { allergens: [], grades: { grades }, emergency: {}, sources: [] } },
    }),
    'GET /api/v1/pro/kits': () => ({ data: { items: [{ serial_number: 'AK-0001', batch: 'B', status: 'issued', issued_at: '2026-12-07T00:00:00Z', test_date: null, patient_id: null, diagnosis_id: null, registered_at: null }], page: 1, pages: 1, total: 1 } }),
    'POST /api/v1/pro/diagnosis': save ?? (() => ({ status: 201, data: { ...diagnosisFixture, diagnosis_id: 'd-1', patient_id: 'p-1' } })),
  });
  render(
    <WithUser role="doctor">
      <DiagnosisEntryScreen patientId="p-1" />
      <Toasts />
    </WithUser>,
  );
  return api;
}

const input = (code: string) => screen.getByTestId(`entry-input-${code}`) as HTMLInputElement;
const row = (code: string) => screen.getAllByTestId('entry-row').find((r) => r.getAttribute('data-code') === code)!;
const type = (code: string, value: string) => fireEvent.input(input(code), { target: { value } });

describe('DiagnosisEntry: the grid', () => {
  it('lists every allergen grouped by category, one input a row', async () => {
    renderEntry();
    await screen.findByTestId('entry-grid');
    expect(screen.getByTestId('entry-patient').textContent).toContain('P-2026-0007');
    expect(within(screen.getByTestId('entry-cat-food')).getAllByTestId('entry-row').map((r) => r.getAttribute('data-code'))).toEqual(['egg', 'milk', 'peanut']);
    expect(within(screen.getByTestId('entry-cat-inhalant')).getByRole('heading').textContent).toBe('흡입');
    expect(within(screen.getByTestId('entry-cat-other')).getAllByTestId('entry-row')).toHaveLength(1);
    expect(screen.getAllByTestId('entry-row')).toHaveLength(5);
  });

  it('reads a grade, a kU/L value (with the grade it maps to, the server deciding) and refuses the rest', async () => {
    renderEntry();
    await screen.findByTestId('entry-grid');
    type('peanut', '4');
    expect(row('peanut').getAttribute('data-kind')).toBe('grade');
    expect(screen.getByTestId('entry-preview-peanut').textContent).toContain('매우 높음');
    type('milk', '2.1');
    expect(row('milk').getAttribute('data-grade')).toBe('2');
    expect(screen.getByTestId('entry-preview-milk').textContent).toContain('→ 등급 2');
    expect(screen.getByTestId('entry-preview-milk').textContent).toContain('서버가 최종 판정');
    type('house_dust_mite', '12 kU');
    expect(row('house_dust_mite').getAttribute('data-grade')).toBe('3');
    type('egg', '9');
    expect(row('egg').getAttribute('data-error')).toBe('input');
    expect(screen.getByTestId('entry-preview-egg').textContent).toContain('9 kU');
    expect(screen.getByTestId('entry-counts').getAttribute('data-entered')).toBe('3');
    expect(screen.getByTestId('entry-counts').getAttribute('data-high')).toBe('1');
    expect(screen.getByTestId('entry-scale').textContent).toContain('0.35 / 0.70 / 3.5 / 17.5 / 50 / 100');
  });

  it('moves with Enter and ↓ to the next row, ↑ to the previous; past the ends to the filter and the save button', async () => {
    renderEntry();
    await screen.findByTestId('entry-grid');
    input('egg').focus();
    fireEvent.keyDown(input('egg'), { key: 'ArrowDown' });
    expect(document.activeElement).toBe(input('milk'));
    fireEvent.keyDown(input('milk'), { key: 'Enter' });
    expect(document.activeElement).toBe(input('peanut'));
    // Across the category: food → inhalant → other.
    fireEvent.keyDown(input('peanut'), { key: 'Enter' });
    expect(document.activeElement).toBe(input('house_dust_mite'));
    fireEvent.keyDown(input('house_dust_mite'), { key: 'ArrowUp' });
    expect(document.activeElement).toBe(input('peanut'));
    input('latex').focus();
    fireEvent.keyDown(input('latex'), { key: 'Enter' });
    expect(document.activeElement).toBe(screen.getByTestId('entry-save'));
    input('egg').focus();
    fireEvent.keyDown(input('egg'), { key: 'ArrowUp' });
    expect(document.activeElement).toBe(screen.getByTestId('entry-filter'));
    // Tab is left alone (the browser moves the focus).
    input('egg').focus();
    const tab = fireEvent.keyDown(input('egg'), { key: 'Tab' });
    expect(tab).toBe(true);
    expect(document.activeElement).toBe(input('egg'));
  });

  it('the filter finds an allergen by name or alias; Enter jumps to it, Esc clears', async () => {
    renderEntry();
    await screen.findByTestId('entry-grid');
    const filter = screen.getByTestId('entry-filter') as HTMLInputElement;
    fireEvent.input(filter, { target: { value: '진드기' } });
    expect(screen.getAllByTestId('entry-row').map((r) => r.getAttribute('data-code'))).toEqual(['house_dust_mite']);
    fireEvent.keyDown(filter, { key: 'Enter' });
    expect(document.activeElement).toBe(input('house_dust_mite'));
    fireEvent.input(filter, { target: { value: 'groundnut' } });
    expect(screen.getAllByTestId('entry-row').map((r) => r.getAttribute('data-code'))).toEqual(['peanut']);
    fireEvent.keyDown(filter, { key: 'Escape' });
    expect(screen.getAllByTestId('entry-row')).toHaveLength(5);
    fireEvent.input(filter, { target: { value: 'zzz' } });
    expect(screen.queryAllByTestId('entry-row')).toHaveLength(0);
    expect(screen.getByText('“zzz”에 맞는 항목이 없습니다.')).toBeTruthy();
  });
});

describe('DiagnosisEntry: saving', () => {
  it('asks first, listing how many results and the high grades, then sends them and opens the guide', async () => {
    const api = renderEntry();
    await screen.findByTestId('entry-grid');
    type('peanut', '4');
    type('milk', '2.1');
    type('egg', '0');
    type('house_dust_mite', '3');
    fireEvent.input(screen.getByTestId('entry-kit'), { target: { value: 'ak-0001' } });
    fireEvent.click(screen.getByTestId('entry-save'));
    const dialog = await screen.findByTestId('entry-confirm-dialog');
    expect(screen.getByTestId('entry-confirm-count').getAttribute('data-value')).toBe('4');
    expect(screen.getByTestId('entry-confirm-high').textContent).toContain('땅콩');
    expect(screen.getByTestId('entry-confirm-high').textContent).not.toContain('우유');
    expect(screen.getByTestId('entry-confirm-moderate').textContent).toContain('집먼지진드기');
    expect(screen.getByTestId('entry-confirm-moderate').textContent).toContain('우유*');
    expect(screen.getByTestId('entry-confirm-kit').textContent).toBe('AK-0001');
    // Nothing was sent yet; Enter on the summary does not save.
    expect(api.calls.filter((c) => c.method === 'POST')).toHaveLength(0);
    fireEvent.keyDown(screen.getByTestId('entry-confirm-summary'), { key: 'Enter' });
    expect(api.calls.filter((c) => c.method === 'POST')).toHaveLength(0);
    fireEvent.click(within(dialog).getByTestId('entry-confirm'));
    await waitFor(() => expect(location.hash).toBe('#/allergy/diagnoses/d-1'));
    const post = api.calls.find((c) => c.method === 'POST')!;
    expect(post.body).toEqual({
      patient_id: 'p-1',
      diagnosis_date: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
      kit_serial: 'AK-0001',
      results: [
        { allergen: 'egg', grade: 0 },
        { allergen: 'milk', ku_l: 2.1 },
        { allergen: 'peanut', grade: 4 },
        { allergen: 'house_dust_mite', grade: 3 },
      ],
    });
    expect((await screen.findByTestId('toast')).textContent).toContain('진단을 저장했습니다');
  });

  it('Ctrl+S asks too; nothing entered or an invalid cell stops it before the dialog', async () => {
    renderEntry();
    await screen.findByTestId('entry-grid');
    fireEvent.keyDown(window, { key: 's', ctrlKey: true });
    expect(screen.queryByTestId('entry-confirm-dialog')).toBeNull();
    expect(screen.getByTestId('entry-error').textContent).toContain('입력한 결과가 없습니다');
    type('egg', '8');
    fireEvent.keyDown(window, { key: 's', ctrlKey: true });
    expect(screen.queryByTestId('entry-confirm-dialog')).toBeNull();
    expect(screen.getByTestId('entry-error').textContent).toContain('1개');
    type('egg', '1');
    fireEvent.keyDown(window, { key: 's', ctrlKey: true });
    expect(await screen.findByTestId('entry-confirm-dialog')).toBeTruthy();
  });

  it('a 422 marks the rows it names (results[i] is the i-th result sent) and the fields', async () => {
    renderEntry(() => ({
      status: 422,
      error: {
        code: 'VALIDATION_ERROR',
        message: 'kU/L 수치는 0 이상의 숫자여야 합니다',
        field: 'results[1].ku_l',
        details: {
          errors: [
            { field: 'results[1].ku_l', code: 'VALIDATION_ERROR', message: 'kU/L 수치가 너무 큽니다' },
            { field: 'results[2].allergen', code: 'VALIDATION_ERROR', message: '같은 알레르겐입니다' },
            { field: 'diagnosis_date', code: 'VALIDATION_ERROR', message: '진단일은 오늘 이후일 수 없습니다' },
          ],
        },
      },
    }));
    await screen.findByTestId('entry-grid');
    type('egg', '1');
    type('milk', '2.1');
    type('house_dust_mite', '3');
    fireEvent.click(screen.getByTestId('entry-save'));
    fireEvent.click(await screen.findByTestId('entry-confirm'));
    await waitFor(() => expect(row('milk').getAttribute('data-error')).toBe('server'));
    expect(screen.getByTestId('entry-preview-milk').textContent).toBe('kU/L 수치가 너무 큽니다');
    expect(row('house_dust_mite').getAttribute('data-error')).toBe('server');
    expect(row('egg').getAttribute('data-error')).toBe('');
    expect(row('peanut').getAttribute('data-error')).toBe('');
    expect(screen.getByTestId('error-entry-date').textContent).toContain('오늘 이후');
    expect(screen.queryByTestId('entry-confirm-dialog')).toBeNull();
    expect(location.hash).toBe('');
    await waitFor(() => expect(document.activeElement).toBe(input('milk')));
    // Editing the row clears its mark.
    type('milk', '2.2');
    expect(row('milk').getAttribute('data-error')).toBe('');
  });

  it('an unknown kit is shown at the kit field', async () => {
    renderEntry(() => ({ status: 404, error: { code: 'KIT_NOT_FOUND', message: '키트를 찾을 수 없습니다' } }));
    await screen.findByTestId('entry-grid');
    type('egg', '1');
    fireEvent.input(screen.getByTestId('entry-kit'), { target: { value: 'NOPE-1' } });
    fireEvent.click(screen.getByTestId('entry-save'));
    fireEvent.click(await screen.findByTestId('entry-confirm'));
    expect((await screen.findByTestId('error-entry-kit')).textContent).toContain('키트를 찾을 수 없습니다');
  });

  it('is for doctors and administrators only', async () => {
    setupApi({});
    render(
      <WithUser role="staff">
        <DiagnosisEntryScreen patientId="p-1" />
      </WithUser>,
    );
    expect(screen.getByTestId('allergy-forbidden').textContent).toContain('의사와 관리자만');
  });
});
