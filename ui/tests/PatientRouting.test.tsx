import { fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../src/App';
import { href, isPatientRoute, parseRoute } from '../src/router';
import { memoryStore, setupApi, type Call, type Handler } from './helpers';

const patientTokens = {
  access_token: 'pa', refresh_token: 'pr', token_type: 'Bearer', expires_in: 900,
  user: { id: 'u-p', username: 'patient-1', display_name: '윤서하', role: 'patient' },
};
const doctorTokens = {
  access_token: 'da', refresh_token: 'dr', token_type: 'Bearer', expires_in: 900,
  user: { id: 'u-d', username: 'doctor', display_name: '김의사', role: 'doctor' },
};

const diagnosis = {
  id: 'd-1', diagnosis_date: '2024-05-30', knowledge_version: '2024-05-01.1',
  results: [
    { allergen: 'shrimp', name_ko: '새우', grade: 5, grade_label: '매우 높음', grade_description: '매우 높은 수준의 감작입니다.', ku_l: null, risk_level: 'high_risk' },
    { allergen: 'peanut', name_ko: '땅콩', grade: 4, grade_label: '매우 높음', grade_description: '매우 높은 수준의 감작입니다.', ku_l: null, risk_level: 'high_risk' },
    { allergen: 'house_dust_mite', name_ko: '집먼지진드기', grade: 3, grade_label: '높음', grade_description: '높은 수준의 감작입니다.', ku_l: null, risk_level: 'moderate_risk' },
  ],
  guide: { avoid_foods: [], substitutes: [], lifestyle_tips: [], emergency_info: {} },
};
const guide = {
  diagnosis_id: 'd-1', diagnosis_date: '2024-05-30', knowledge_version: '2024-05-01.1',
  symptoms: { high_risk: [{ allergen: '새우', code: 'shrimp', grade: 5, symptoms: ['두드러기'] }], moderate_risk: [] },
  diet_management: {
    avoid: [{ allergen: '새우', code: 'shrimp', grade: 5, foods: ['새우젓'] }, { allergen: '땅콩', code: 'peanut', grade: 4, foods: ['땅콩버터'] }],
    hidden_sources: [{ allergen: '새우', code: 'shrimp', grade: 5, sources: ['김치'] }],
    substitutes: [{ allergen: '땅콩', code: 'peanut', grade: 4, alternatives: ['해바라기씨 버터'] }],
    cross_reactivity: [{ allergen: '게', code: 'crab', because_of: ['새우'], probability: 'high', rate: '50%', mechanism: '트로포미오신', related_foods: ['간장게장'], advice: '의사와 상의하세요.', tested_grade: null }],
  },
  lifestyle_tips: { allergen_specific: [{ allergen: '집먼지진드기', code: 'house_dust_mite', tips: ['침구를 뜨거운 물로 세탁하세요.'] }], common_tips: [] },
  emergency: {
    anaphylaxis_signs: ['숨쉬기 힘듦'], action_plan: ['눕히세요.', '자가주사기를 주사하세요.', '119에 전화하세요.'], always: ['망설이지 말고 주사하세요.'],
    epinephrine_guide: { how_to_use: { steps: ['허벅지 바깥쪽에 주사합니다.'], after_injection: ['응급실에 가세요.'] }, when_to_use: { rules: ['망설이지 말고 주사하세요.'] } },
    emergency_number: '119',
  },
  disclaimer: ['참고용입니다.'],
  sources: [{ id: 's1', citation: 'ASCIA 2023', url: 'https://example.org' }],
};

/** Every request a staff screen would make: none of them may come from a patient's session. */
const STAFF_PATHS = ['/api/v1/services', '/api/v1/today', '/api/v1/customers', '/api/v1/users', '/api/v1/sync', '/api/v1/audit', '/api/v1/pro/'];
const staffCalls = (calls: Call[]) => calls.filter((c) => STAFF_PATHS.some((p) => c.path.startsWith(p)));

function patientServer(overrides: Record<string, Handler> = {}) {
  return setupApi(
    {
      'POST /api/v1/auth/refresh': () => ({ data: patientTokens }),
      'GET /api/v1/consumer/my/diagnoses': () => ({
        data: { items: [{ id: 'd-1', diagnosis_date: '2024-05-30', summary: { high_risk_allergens: ['새우', '땅콩'], max_grade: 5, total_tested: 3 } }], total: 1 },
      }),
      'GET /api/v1/consumer/my/diagnoses/d-1': () => ({ data: diagnosis }),
      'GET /api/v1/consumer/my/diagnoses/d-1/guide': () => ({ data: guide }),
      'GET /api/v1/consumer/my/diagnoses/d-other': () => ({ status: 404, error: { code: 'DIAGNOSIS_NOT_FOUND', message: '진단을 찾을 수 없습니다' } }),
      'GET /api/v1/consumer/my/diagnoses/d-other/guide': () => ({ status: 404, error: { code: 'DIAGNOSIS_NOT_FOUND', message: '진단을 찾을 수 없습니다' } }),
      'POST /api/v1/auth/logout': () => ({ status: 204, raw: '' }),
      ...overrides,
    },
    memoryStore('pr'),
  );
}

function noStaffShell() {
  for (const id of ['nav-today', 'nav-search', 'nav-new-customer', 'nav-research', 'logout-button', 'today-screen', 'search-input']) {
    expect(screen.queryByTestId(id), id).toBeNull();
  }
  expect(document.querySelector('.sidebar')).toBeNull();
}

afterEach(() => {
  location.hash = '';
});

describe('routes', () => {
  it('the patient pages have their own addresses, none of them a staff one', () => {
    for (const hash of ['#/patient/login', '#/patient/signup', '#/my', '#/my/diagnoses/d-1', '#/my/emergency', '#/my/kits']) {
      const route = parseRoute(hash);
      expect(isPatientRoute(route), hash).toBe(true);
      expect(href(route)).toBe(hash);
    }
    for (const hash of ['#/today', '#/customers', '#/research', '#/users', '']) {
      expect(isPatientRoute(parseRoute(hash)), hash).toBe(false);
    }
  });
});

describe('a patient’s session', () => {
  it('never renders the staff navigation, whatever the address', async () => {
    const { calls } = patientServer();
    for (const hash of ['#/customers', '#/today', '#/users', '#/research', '#/sync', '#/customers/c-1']) {
      location.hash = hash;
      const view = render(<App />);
      await screen.findByTestId('patient-shell');
      await screen.findByTestId('my-diagnosis');
      await waitFor(() => expect(location.hash).toBe('#/my'));
      noStaffShell();
      view.unmount();
    }
    expect(staffCalls(calls)).toEqual([]);
  });

  it('shows the patient’s own guide: results, foods, cross-reactivity, 119 and the injector', async () => {
    const { calls } = patientServer();
    location.hash = '#/my/diagnoses/d-1';
    render(<App />);
    const g = await screen.findByTestId('patient-guide');
    noStaffShell();
    expect(screen.getAllByTestId('guide-high-risk').map((e) => e.textContent)).toEqual(['새우', '땅콩']);
    expect(screen.getAllByTestId('result-row').map((r) => r.getAttribute('data-risk'))).toEqual(['high_risk', 'high_risk', 'moderate_risk']);
    const peanut = g.querySelector('[data-testid="diet-card"][data-allergen="peanut"]')!;
    expect(peanut.textContent).toContain('땅콩버터');
    expect(peanut.textContent).toContain('해바라기씨 버터');
    expect(g.querySelector('[data-testid="diet-card"][data-allergen="shrimp"]')!.textContent).toContain('김치');
    expect(screen.getByTestId('cross-card').textContent).toContain('가능성 높음');
    expect(screen.getByTestId('call-119').textContent).toContain('119');
    expect(screen.getByTestId('action-plan').querySelectorAll('li')).toHaveLength(3);
    expect(screen.getByTestId('injector-steps').textContent).toContain('허벅지');
    // The "always" rule is said once, not again under "when to use".
    expect(g.textContent!.split('망설이지 말고 주사하세요.').length - 1).toBe(1);
    expect(screen.getByTestId('print-button').className).toContain('no-print');
    expect(staffCalls(calls)).toEqual([]);
  });

  it('another patient’s diagnosis is 찾을 수 없음, with nothing of it shown', async () => {
    patientServer();
    location.hash = '#/my/diagnoses/d-other';
    render(<App />);
    const nf = await screen.findByTestId('guide-not-found');
    expect(nf.textContent).toContain('찾을 수 없음');
    expect(screen.queryByTestId('patient-guide')).toBeNull();
    expect(screen.queryAllByTestId('result-row')).toHaveLength(0);
  });

  it('signs in with name, phone and the access PIN, and signs out to the patient sign-in', async () => {
    const { calls } = setupApi({
      'POST /api/v1/auth/simple/login': ({ body }) =>
        body.access_pin === '482913' ? { data: patientTokens } : { status: 401, error: { code: 'AUTH_INVALID_CREDENTIALS', message: 'x' } },
      'GET /api/v1/consumer/my/diagnoses': () => ({ data: { items: [], total: 0 } }),
      'POST /api/v1/auth/logout': () => ({ status: 204, raw: '' }),
    });
    location.hash = '#/patient/login';
    render(<App />);
    fireEvent.input(await screen.findByTestId('pl-name'), { target: { value: '윤서하' } });
    fireEvent.input(screen.getByTestId('pl-phone'), { target: { value: '010-9706-7057' } });
    fireEvent.input(screen.getByTestId('pl-pin'), { target: { value: '12345' } });
    fireEvent.click(screen.getByTestId('pl-submit'));
    expect(screen.getByTestId('patient-login-error').textContent).toBe('접속 PIN 6자리를 입력하세요.');
    fireEvent.input(screen.getByTestId('pl-pin'), { target: { value: '000000' } });
    fireEvent.click(screen.getByTestId('pl-submit'));
    expect((await screen.findByTestId('patient-login-error')).textContent).toContain('PIN 중 맞지 않는 것이 있습니다');
    fireEvent.input(screen.getByTestId('pl-pin'), { target: { value: '482913' } });
    fireEvent.click(screen.getByTestId('pl-submit'));
    await screen.findByTestId('my-diagnoses-empty');
    noStaffShell();
    expect(calls.filter((c) => c.path === '/api/v1/auth/simple/login').map((c) => c.body)).toContainEqual({ name: '윤서하', phone: '010-9706-7057', access_pin: '482913' });

    fireEvent.click(screen.getByTestId('patient-logout'));
    await screen.findByTestId('patient-login-form');
    expect(location.hash).toBe('#/patient/login');
  });
});

describe('a staff session', () => {
  it('never lands on the patients’ pages', async () => {
    setupApi(
      {
        'POST /api/v1/auth/refresh': () => ({ data: doctorTokens }),
        'GET /api/v1/services': () => ({ data: { services: [] } }),
      },
      memoryStore('dr'),
    );
    location.hash = '#/my/diagnoses/d-1';
    render(<App />);
    await screen.findByTestId('nav-today');
    await waitFor(() => expect(location.hash).toBe('#/today'));
    expect(screen.queryByTestId('patient-shell')).toBeNull();
    expect(screen.queryByTestId('patient-guide')).toBeNull();
    // A doctor has the research library in the navigation.
    expect(screen.getByTestId('nav-research').getAttribute('href')).toBe('#/research');
  });
});
