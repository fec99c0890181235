import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import { Toasts } from '../src/components/ui';
import { parseRoute } from '../src/router';
import { ClinicSettingsScreen, formatBusinessNumber, type ClinicSettings } from '../src/screens/ClinicSettings';
import type { Role } from '../src/types';
import { setupApi, WithUser, type Handler } from './helpers';

afterEach(() => {
  cleanup();
  location.hash = '';
});

const stored: ClinicSettings = { name: '행복한 웰니스 의원', business_number: '123-45-67890', address: '서울시 강남구 테헤란로 1', phone: '02-123-4567' };

function renderSettings(role: Role, routes: Record<string, Handler> = {}) {
  const api = setupApi({
    'GET /api/v1/settings/clinic': () => ({ data: stored }),
    'PUT /api/v1/settings/clinic': ({ body }) => ({ data: body }),
    ...routes,
  });
  render(
    <WithUser role={role}>
      <ClinicSettingsScreen />
      <Toasts />
    </WithUser>,
  );
  return api;
}

const input = (testid: string) => screen.getByTestId(testid) as HTMLInputElement;
const type = (testid: string, value: string) => fireEvent.input(input(testid), { target: { value } });

describe('Clinic settings', () => {
  it('has its own address', () => {
    expect(parseRoute('#/settings/clinic')).toEqual({ name: 'clinicSettings' });
  });

  it('shows the stored details and says where they appear', async () => {
    renderSettings('admin');
    await waitFor(() => expect(input('clinic-name').value).toBe('행복한 웰니스 의원'));
    expect(input('clinic-business_number').value).toBe('123-45-67890');
    expect(input('clinic-address').value).toBe('서울시 강남구 테헤란로 1');
    expect(input('clinic-phone').value).toBe('02-123-4567');
    expect(screen.getByTestId('clinic-screen').textContent).toContain('영수증');
    expect(screen.getByTestId('clinic-screen').textContent).toContain('일일 정산');
    expect(screen.getByTestId('clinic-screen').textContent).toContain('NNN-NN-NNNNN');
  });

  it('saves every field, an emptied one as null, and confirms', async () => {
    const { calls } = renderSettings('admin', {
      'GET /api/v1/settings/clinic': () => ({ data: { name: null, business_number: null, address: null, phone: null } }),
    });
    await screen.findByTestId('clinic-form');
    type('clinic-name', '  새봄 의원 ');
    type('clinic-business_number', '2208112345');
    expect(input('clinic-business_number').value).toBe('220-81-12345');
    type('clinic-phone', '031-555-0101');
    fireEvent.click(screen.getByTestId('clinic-save'));
    expect((await screen.findByTestId('toast')).textContent).toContain('의원 정보를 저장했습니다.');
    const put = calls.find((c) => c.method === 'PUT')!;
    expect(put.path).toBe('/api/v1/settings/clinic');
    expect(put.body).toEqual({ name: '새봄 의원', business_number: '220-81-12345', address: null, phone: '031-555-0101' });
    expect(input('clinic-name').value).toBe('새봄 의원');
  });

  it('shows every field error of a 422 at its field at once', async () => {
    const { calls } = renderSettings('admin', {
      'PUT /api/v1/settings/clinic': () => ({
        status: 422,
        error: {
          code: 'VALIDATION_ERROR',
          message: '입력값이 올바르지 않습니다',
          field: 'name',
          details: {
            errors: [
              { field: 'name', code: 'VALIDATION_ERROR', reason: 'too_long', message: '의원 이름은 100자 이하여야 합니다' },
              { field: 'business_number', code: 'VALIDATION_ERROR', reason: 'format', message: '사업자등록번호 형식이 올바르지 않습니다 (NNN-NN-NNNNN)' },
              { field: 'phone', code: 'VALIDATION_ERROR', reason: 'format', message: '전화번호에는 숫자, 공백, - + ( )만 쓸 수 있습니다' },
              { field: 'address', code: 'VALIDATION_ERROR', reason: 'too_long', message: '주소는 200자 이하여야 합니다' },
              { field: 'fax', code: 'VALIDATION_ERROR', reason: 'unknown', message: '알 수 없는 항목: fax' },
            ],
          },
        },
      }),
    });
    await waitFor(() => expect(input('clinic-name').value).toBe('행복한 웰니스 의원'));
    type('clinic-phone', '02-123-4567#1');
    fireEvent.click(screen.getByTestId('clinic-save'));
    expect((await screen.findByTestId('error-name')).textContent).toBe('의원 이름은 100자 이하여야 합니다');
    expect(screen.getByTestId('error-business_number').textContent).toBe('사업자등록번호 형식이 올바르지 않습니다 (NNN-NN-NNNNN)');
    expect(screen.getByTestId('error-phone').textContent).toBe('전화번호에는 숫자, 공백, - + ( )만 쓸 수 있습니다');
    expect(screen.getByTestId('error-address').textContent).toBe('주소는 200자 이하여야 합니다');
    // What has no field is said above the form.
    expect(screen.getByTestId('clinic-error').textContent).toContain('알 수 없는 항목: fax');
    expect(input('clinic-name').getAttribute('aria-invalid')).toBe('true');
    await waitFor(() => expect(document.activeElement).toBe(input('clinic-name')));
    expect(calls.find((c) => c.method === 'PUT')!.body).toEqual({ ...stored, phone: '02-123-4567#1' });
    expect(screen.queryByTestId('toast')).toBeNull();

    // Correcting a field clears its message only.
    type('clinic-phone', '02-123-4567');
    expect(screen.queryByTestId('error-phone')).toBeNull();
    expect(screen.getByTestId('error-name')).toBeTruthy();
  });

  it('checks the name and the business number format before sending', async () => {
    const { calls } = renderSettings('admin');
    await waitFor(() => expect(input('clinic-name').value).toBe('행복한 웰니스 의원'));
    type('clinic-name', '   ');
    type('clinic-business_number', '123-45');
    fireEvent.click(screen.getByTestId('clinic-save'));
    expect((await screen.findByTestId('error-name')).textContent).toBe('의원 이름을 입력하세요.');
    expect(screen.getByTestId('error-business_number').textContent).toBe('사업자등록번호는 NNN-NN-NNNNN 형식으로 입력하세요.');
    expect(calls.some((c) => c.method === 'PUT')).toBe(false);
  });

  it('lets others read the details but not change them', async () => {
    const { calls } = renderSettings('manager');
    await waitFor(() => expect(input('clinic-name').value).toBe('행복한 웰니스 의원'));
    expect(screen.getByTestId('clinic-readonly').textContent).toBe('관리자만 수정할 수 있습니다.');
    expect(input('clinic-name').disabled).toBe(true);
    expect(screen.queryByTestId('clinic-save')).toBeNull();
    fireEvent.submit(screen.getByTestId('clinic-form'));
    expect(calls.some((c) => c.method === 'PUT')).toBe(false);
  });

  it('groups a business number as it is typed', () => {
    expect(formatBusinessNumber('123')).toBe('123');
    expect(formatBusinessNumber('12345')).toBe('123-45');
    expect(formatBusinessNumber('1234567890')).toBe('123-45-67890');
    expect(formatBusinessNumber('123 45 67890 1')).toBe('123-45-67890');
    expect(formatBusinessNumber('12a-45')).toBe('12a-45');
  });
});
