import { fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { describe, expect, it } from 'vitest';
import { CustomerForm } from '../src/screens/CustomerForm';
import type { Role } from '../src/types';
import { setupApi, WithUser } from './helpers';

function renderForm(role: Role, routes: Parameters<typeof setupApi>[0], id?: string) {
  const api = setupApi(routes);
  render(
    <WithUser role={role}>
      <CustomerForm id={id} />
    </WithUser>,
  );
  return api;
}

const fill = (testid: string, value: string) => fireEvent.input(screen.getByTestId(testid), { target: { value } });

describe('CustomerForm', () => {
  it('shows every field error of one answer next to its field', async () => {
    renderForm('staff', {
      'POST /api/v1/customers': () => ({
        status: 422,
        error: {
          code: 'VALIDATION_ERROR',
          message: 'email 형식 오류',
          field: 'email',
          details: {
            errors: [
              { field: 'email', code: 'VALIDATION_ERROR', reason: 'format', message: 'email 형식 오류' },
              { field: 'gender', code: 'VALIDATION_ERROR', reason: 'not_allowed', message: 'gender 값 오류', allowed_values: ['male', 'female', 'other'] },
              { field: 'communication_preferences.contact_time', code: 'VALIDATION_ERROR', reason: 'not_allowed', message: '연락 시간 오류' },
              { field: 'consent.health_data', code: 'HEALTH_CONSENT_REQUIRED', reason: 'invalid', message: '건강 동의 필요' },
              { field: 'no_such_input', code: 'VALIDATION_ERROR', reason: 'unknown_field', message: '알 수 없는 항목입니다: no_such_input' },
            ],
          },
        },
      }),
    });
    fill('form-name', '홍길동');
    fill('form-phone', '010-1111-2222');
    fireEvent.click(screen.getByTestId('form-consent_privacy'));
    fireEvent.click(screen.getByTestId('form-submit'));
    expect((await screen.findByTestId('error-email')).textContent).toBe('email 형식 오류');
    expect(screen.getByTestId('error-gender').textContent).toBe('gender 값 오류 (허용 값: male, female, other)');
    expect(screen.getByTestId('error-contact_time').textContent).toBe('연락 시간 오류');
    expect(screen.getByTestId('error-consent_health_data').textContent).toBe('건강 동의 필요');
    // What no input shows is said above the form.
    expect(screen.getByTestId('form-error').textContent).toContain('알 수 없는 항목입니다: no_such_input');
    await waitFor(() => expect(document.activeElement).toBe(screen.getByTestId('form-email')));
  });

  it('shows the server message next to the field named by error.field and focuses it', async () => {
    renderForm('staff', {
      'POST /api/v1/customers': () => ({
        status: 422,
        error: { code: 'VALIDATION_ERROR', message: '전화번호 형식이 올바르지 않습니다', field: 'phone', details: { received_value: '123' } },
      }),
    });
    fill('form-name', '홍길동');
    fill('form-phone', '123');
    fireEvent.click(screen.getByTestId('form-consent_privacy'));
    fireEvent.click(screen.getByTestId('form-submit'));
    const err = await screen.findByTestId('error-phone');
    expect(err.textContent).toContain('전화번호 형식이 올바르지 않습니다');
    await waitFor(() => expect(document.activeElement).toBe(screen.getByTestId('form-phone')));
    expect(screen.getByTestId('form-phone').getAttribute('aria-invalid')).toBe('true');
  });

  it('maps nested error fields (consent.marketing) to their input', async () => {
    renderForm('staff', {
      'POST /api/v1/customers': () => ({ status: 422, error: { code: 'VALIDATION_ERROR', message: '동의 값 오류', field: 'consent.marketing' } }),
    });
    fill('form-name', '홍길동');
    fill('form-phone', '010-1111-2222');
    fireEvent.click(screen.getByTestId('form-consent_privacy'));
    fireEvent.click(screen.getByTestId('form-submit'));
    expect((await screen.findByTestId('error-consent_marketing')).textContent).toContain('동의 값 오류');
  });

  it('lists allowed values when the server gives them', async () => {
    renderForm('staff', {
      'POST /api/v1/customers': () => ({
        status: 422,
        error: { code: 'VALIDATION_ERROR', message: '허용되지 않는 값', field: 'membership_level', details: { allowed_values: ['basic', 'premium', 'vip'] } },
      }),
    });
    fill('form-name', '홍길동');
    fill('form-phone', '010-1111-2222');
    fireEvent.click(screen.getByTestId('form-consent_privacy'));
    fireEvent.click(screen.getByTestId('form-submit'));
    expect((await screen.findByTestId('error-membership_level')).textContent).toContain('basic, premium, vip');
  });

  it('checks required fields before calling the server', async () => {
    const { calls } = renderForm('staff', {});
    fireEvent.click(screen.getByTestId('form-submit'));
    expect((await screen.findByTestId('error-name')).textContent).toBe('필수 항목입니다.');
    expect(screen.getByTestId('error-phone')).toBeTruthy();
    expect(screen.getByTestId('error-consent_privacy').textContent).toBe('개인정보 수집·이용에 동의해야 고객을 등록할 수 있습니다.');
    expect(calls.length).toBe(0);
  });

  it('shows the statutory items of the privacy consent and sends it with the new customer', async () => {
    const { calls } = renderForm('staff', { 'POST /api/v1/customers': () => ({ status: 201, data: { id: 'c-9' } }) });
    const notice = screen.getByTestId('consent-notice').textContent ?? '';
    for (const item of ['수집 항목', '이용 목적', '보유 기간', '동의 거부 권리']) expect(notice).toContain(item);
    fill('form-name', '홍길동');
    fill('form-phone', '010-1111-2222');
    fireEvent.click(screen.getByTestId('form-submit'));
    expect(await screen.findByTestId('error-consent_privacy')).toBeTruthy();
    expect(calls.length).toBe(0);
    fireEvent.click(screen.getByTestId('form-consent_privacy'));
    fireEvent.click(screen.getByTestId('form-submit'));
    await waitFor(() => expect(calls.some((c) => c.method === 'POST')).toBe(true));
    expect(calls.find((c) => c.method === 'POST')!.body.consent).toEqual({ privacy: true, marketing: false, health_data: false });
  });

  it('asks for the health-data consent before sending health fields', async () => {
    const { calls } = renderForm('doctor', {});
    fill('form-name', '홍길동');
    fill('form-phone', '010-1111-2222');
    fireEvent.click(screen.getByTestId('form-consent_privacy'));
    fireEvent.input(screen.getByTestId('form-health_goals'), { target: { value: '수면 개선' } });
    fireEvent.click(screen.getByTestId('form-submit'));
    expect((await screen.findByTestId('error-consent_health_data')).textContent).toBe('건강정보 수집·이용 동의가 있어야 건강 항목을 저장할 수 있습니다.');
    expect(calls.length).toBe(0);
  });

  it('offers a link to the existing customer on DUPLICATE_CUSTOMER', async () => {
    renderForm('staff', {
      'POST /api/v1/customers': () => ({ status: 409, error: { code: 'DUPLICATE_CUSTOMER', message: 'dup', details: { existing_customer_id: 'c-42' } } }),
    });
    fill('form-name', '김영희');
    fill('form-phone', '010-1234-5678');
    fireEvent.click(screen.getByTestId('form-consent_privacy'));
    fireEvent.click(screen.getByTestId('form-submit'));
    const link = await screen.findByTestId('duplicate-link');
    expect(link.getAttribute('href')).toBe('#/customers/c-42');
  });

  it('shows health fields to doctors and admins only', () => {
    renderForm('doctor', {});
    expect(screen.queryByTestId('form-health-section')).not.toBeNull();
    expect(screen.queryByTestId('form-health_goals')).not.toBeNull();
  });

  it('hides health fields from staff and managers', () => {
    renderForm('manager', {});
    expect(screen.queryByTestId('form-health-section')).toBeNull();
    expect(screen.queryByTestId('form-health_goals')).toBeNull();
  });

  it('edit sends only the changed fields with PUT', async () => {
    const { calls } = renderForm(
      'staff',
      {
        'GET /api/v1/customers/c-1': () => ({
          data: { id: 'c-1', name: '김영희', phone: '010-****-5678', email: 'k***@example.com', occupation: '회사원', membership_level: 'vip', customer_status: 'active', health_goals: null },
        }),
        'PUT /api/v1/customers/c-1': () => ({ data: { id: 'c-1', updated_fields: ['occupation'] } }),
      },
      'c-1',
    );
    await screen.findByDisplayValue('회사원');
    fill('form-occupation', '프리랜서');
    fireEvent.click(screen.getByTestId('form-submit'));
    await waitFor(() => expect(calls.some((c) => c.method === 'PUT')).toBe(true));
    expect(calls.find((c) => c.method === 'PUT')!.body).toEqual({ occupation: '프리랜서' });
  });

  it('warns that withdrawing the health-data consent erases the health data', async () => {
    renderForm(
      'doctor',
      {
        'GET /api/v1/customers/c-1': () => ({
          data: { id: 'c-1', name: '김영희', phone: '010-1234-5678', health_goals: '수면', consent: { privacy: true, marketing: false, health_data: true } },
        }),
      },
      'c-1',
    );
    await screen.findByDisplayValue('김영희');
    expect(screen.queryByTestId('health-withdrawal-warning')).toBeNull();
    fireEvent.click(screen.getByTestId('form-consent_health_data'));
    expect(screen.getByTestId('health-withdrawal-warning').textContent).toContain('삭제');
  });

  it('says so when nothing changed', async () => {
    const { calls } = renderForm(
      'staff',
      { 'GET /api/v1/customers/c-1': () => ({ data: { id: 'c-1', name: '김영희', phone: '010-****-5678' } }) },
      'c-1',
    );
    await screen.findByDisplayValue('김영희');
    fireEvent.click(screen.getByTestId('form-submit'));
    expect((await screen.findByTestId('form-info')).textContent).toBe('변경된 항목이 없습니다.');
    expect(calls.filter((c) => c.method === 'PUT').length).toBe(0);
  });
});
