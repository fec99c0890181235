import { fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../src/App';
import { setLang } from '../src/i18n';
import { memoryStore, setupApi, type Handler } from './helpers';

const PIN = '482913';

const registered = {
  access_pin: PIN,
  access_token: 'patient-access',
  refresh_token: 'patient-refresh',
  token_type: 'Bearer',
  expires_in: 900,
  patient_id: 'p-1',
  diagnosis_id: 'd-1',
  user: { id: 'u-p', username: 'patient-p-1', display_name: '윤서하', role: 'patient' },
};

const diagnoses = {
  items: [{ id: 'd-1', diagnosis_date: '2024-05-30', summary: { high_risk_allergens: ['새우', '땅콩'], max_grade: 5, total_tested: 3 } }],
  total: 1,
};

function server(overrides: Record<string, Handler> = {}) {
  const store = memoryStore();
  const api = setupApi(
    {
      'GET /api/v1/setup': () => ({ data: { needs_setup: false, setup_allowed: false } }),
      'POST /api/v1/auth/simple/register': () => ({ status: 201, data: registered }),
      'GET /api/v1/consumer/my/diagnoses': () => ({ data: diagnoses }),
      ...overrides,
    },
    store,
  );
  return { ...api, store };
}

async function fillSignup(opts: { birth?: string } = {}) {
  fireEvent.input(await screen.findByTestId('ps-name'), { target: { value: '윤서하' } });
  if (opts.birth) {
    fireEvent.click(screen.getByTestId('ps-by-birth'));
    const birth = await screen.findByTestId('ps-birth');
    fireEvent.input(birth, { target: { value: opts.birth } });
    fireEvent.blur(birth);
  } else {
    fireEvent.input(screen.getByTestId('ps-phone'), { target: { value: '01097067057' } });
  }
  fireEvent.input(screen.getByTestId('ps-serial'), { target: { value: 'kit-0001' } });
  fireEvent.input(screen.getByTestId('ps-kit-pin'), { target: { value: '4321' } });
}

afterEach(() => {
  location.hash = '';
  setLang('ko');
});

describe('patient sign-up with a kit', () => {
  it('the staff login screen leads patients to their sign-in and sign-up', async () => {
    server();
    location.hash = '';
    render(<App />);
    const entry = await screen.findByTestId('patient-entry');
    expect(entry.textContent).toContain('환자 로그인');
    expect(screen.getByTestId('patient-login-link').getAttribute('href')).toBe('#/patient/login');
    expect(screen.getByTestId('patient-signup-link').textContent).toBe('처음이신가요? 키트로 가입');
    expect(screen.getByTestId('patient-signup-link').getAttribute('href')).toBe('#/patient/signup');
  });

  it('shows the access PIN once, big, and opens the patient pages only after 확인했습니다', async () => {
    const { calls, store } = server();
    location.hash = '#/patient/signup';
    render(<App />);
    await fillSignup();
    expect((screen.getByTestId('ps-phone') as HTMLInputElement).value).toBe('010-9706-7057');
    fireEvent.click(screen.getByTestId('ps-submit'));

    const pin = await screen.findByTestId('access-pin');
    expect(pin.textContent).toBe(PIN);
    expect(pin.querySelectorAll('.pin-digit')).toHaveLength(6);
    expect(screen.getByTestId('pin-warning').textContent).toContain('이 PIN은 지금 한 번만 보여 드립니다.');
    expect(screen.getByTestId('pin-confirm').textContent).toBe('확인했습니다');
    // The request: the identity chosen (the phone, formatted), the kit's serial and PIN.
    const reg = calls.filter((c) => c.path === '/api/v1/auth/simple/register');
    expect(reg).toHaveLength(1);
    expect(reg[0].body).toEqual({ name: '윤서하', phone: '010-9706-7057', serial_number: 'KIT-0001', pin: '4321' });
    // No session and no patient page yet: the PIN screen stays until confirmed.
    expect(screen.queryByTestId('patient-shell')).toBeNull();
    expect(store.value).toBeNull();
    expect(calls.some((c) => c.path.startsWith('/api/v1/consumer/'))).toBe(false);

    fireEvent.click(screen.getByTestId('pin-confirm'));
    await screen.findByTestId('patient-shell');
    expect((await screen.findByTestId('my-diagnosis')).textContent).toContain('2024-05-30');
    // Gone for good: nowhere on the page, never asked for again.
    expect(screen.queryByTestId('access-pin')).toBeNull();
    expect(document.body.textContent).not.toContain(PIN);
    expect(location.hash).toBe('#/my');
    // The session is the usual one: the refresh token in the token store, the access token used.
    expect(store.value).toBe('patient-refresh');
    const list = calls.find((c) => c.path === '/api/v1/consumer/my/diagnoses');
    expect(list?.headers.Authorization).toBe('Bearer patient-access');
    expect(calls.filter((c) => c.path === '/api/v1/auth/simple/register')).toHaveLength(1);
  });

  it('sends the birth date instead of the phone when the patient identifies by it', async () => {
    const { calls } = server();
    location.hash = '#/patient/signup';
    render(<App />);
    await fillSignup({ birth: '1985-03-21' });
    fireEvent.click(screen.getByTestId('ps-submit'));
    await screen.findByTestId('access-pin');
    const body = calls.find((c) => c.path === '/api/v1/auth/simple/register')?.body;
    expect(body).toEqual({ name: '윤서하', birth_date: '1985-03-21', serial_number: 'KIT-0001', pin: '4321' });
  });

  it('says what is wrong, in Korean, for each refusal of the sign-up', async () => {
    const answers: Record<string, { status: number; error: Record<string, unknown> }> = {
      KIT_INVALID_PIN: { status: 400, error: { code: 'KIT_INVALID_PIN', message: 'x' } },
      KIT_RESULT_PENDING: { status: 409, error: { code: 'KIT_RESULT_PENDING', message: 'x' } },
      AUTH_INVALID_CREDENTIALS: { status: 401, error: { code: 'AUTH_INVALID_CREDENTIALS', message: 'x' } },
      PATIENT_ACCOUNT_EXISTS: { status: 409, error: { code: 'PATIENT_ACCOUNT_EXISTS', message: 'x' } },
      RATE_LIMIT_EXCEEDED: { status: 429, error: { code: 'RATE_LIMIT_EXCEEDED', message: 'x', details: { retry_after_seconds: 600 } } },
    };
    const expected: Record<string, string> = {
      KIT_INVALID_PIN: '키트 번호나 키트 PIN이 올바르지 않습니다',
      KIT_RESULT_PENDING: '아직 이 키트의 검사 결과가 나오지 않았습니다',
      AUTH_INVALID_CREDENTIALS: '병원에 등록된 정보와 다릅니다',
      PATIENT_ACCOUNT_EXISTS: '이미 가입하셨습니다',
      RATE_LIMIT_EXCEEDED: '10분 뒤에 다시 시도하세요',
    };
    let current = 'KIT_INVALID_PIN';
    server({ 'POST /api/v1/auth/simple/register': () => answers[current] });
    location.hash = '#/patient/signup';
    render(<App />);
    await fillSignup();
    for (const code of Object.keys(answers)) {
      current = code;
      fireEvent.click(screen.getByTestId('ps-submit'));
      await waitFor(() => expect(screen.getByTestId('patient-signup-error').textContent).toContain(expected[code]));
      expect(screen.queryByTestId('access-pin')).toBeNull();
    }
    // An existing account is pointed to the patient sign-in.
    current = 'PATIENT_ACCOUNT_EXISTS';
    fireEvent.click(screen.getByTestId('ps-submit'));
    expect((await screen.findByTestId('signup-to-login')).getAttribute('href')).toBe('#/patient/login');
  });

  it('checks the fields before sending anything', async () => {
    const { calls } = server();
    location.hash = '#/patient/signup';
    render(<App />);
    fireEvent.click(await screen.findByTestId('ps-submit'));
    expect(screen.getByTestId('patient-signup-error').textContent).toBe('이름을 입력하세요.');
    fireEvent.input(screen.getByTestId('ps-name'), { target: { value: '윤서하' } });
    fireEvent.input(screen.getByTestId('ps-phone'), { target: { value: '010' } });
    fireEvent.click(screen.getByTestId('ps-submit'));
    expect(screen.getByTestId('patient-signup-error').textContent).toContain('전화번호를 끝까지 입력하세요');
    fireEvent.input(screen.getByTestId('ps-phone'), { target: { value: '010-1234-5678' } });
    fireEvent.click(screen.getByTestId('ps-submit'));
    expect(screen.getByTestId('patient-signup-error').textContent).toBe('키트 번호를 입력하세요.');
    expect(calls.some((c) => c.path === '/api/v1/auth/simple/register')).toBe(false);
  });
});
