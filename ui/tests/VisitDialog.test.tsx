import { fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { describe, expect, it, vi } from 'vitest';
import { VisitDialog } from '../src/components/VisitDialog';
import { todayISO, addDays } from '../src/logic/format';
import type { PackageUsage } from '../src/types';
import { setupApi, WithUser } from './helpers';

const today = todayISO();
const SERVICES = [
  { service_type: 'brain', name: '브레인 피드백', duration_minutes: 40, price: 80000 },
  { service_type: 'pulse', name: '펄스 케어', duration_minutes: 30, price: 60000 },
  { service_type: 'lymph', name: '림프 순환', duration_minutes: 50, price: 90000 },
  { service_type: 'red', name: '레드 테라피', duration_minutes: 30, price: 50000 },
  { service_type: 'ai_bike', name: 'AI 바이크', duration_minutes: 20, price: 30000 },
];

function usage(id: string, name: string, expiresIn: number, breakdown: Record<string, [number, number]>): PackageUsage {
  return {
    package_usage_id: id,
    package_name: name,
    purchase_date: addDays(today, -30),
    expiry_date: addDays(today, expiresIn),
    days_remaining: expiresIn,
    package_status: 'active',
    service_breakdown: Object.fromEntries(Object.entries(breakdown).map(([s, [u, t]]) => [s, { used: u, total: t, remaining: t - u }])),
  };
}

const premium = usage('pu-premium', '프리미엄 케어', 60, { brain: [8, 10], pulse: [10, 10], lymph: [1, 10] });
const focus = usage('pu-focus', '브레인 집중', 10, { brain: [3, 10], ai_bike: [0, 5] });

function renderDialog(routes = {}, props: Partial<Parameters<typeof VisitDialog>[0]> = {}) {
  const api = setupApi({ 'GET /api/v1/services': () => ({ data: { services: SERVICES } }), ...routes });
  const onDone = vi.fn();
  const onClose = vi.fn();
  render(
    <WithUser role="staff">
      <VisitDialog customerId="c-1" customerName="김영희" packages={[premium, focus]} initialService="brain" onClose={onClose} onDone={onDone} {...props} />
    </WithUser>,
  );
  return { ...api, onDone, onClose };
}

/** Services come from GET /api/v1/services; wait until they (and the default duration) landed. */
const loaded = (minutes = '40') => waitFor(() => expect((screen.getByTestId('visit-duration') as HTMLInputElement).value).toBe(minutes));
const pkgSelect = () => screen.getByTestId('visit-package') as HTMLSelectElement;
const svcSelect = () => screen.getByTestId('visit-service') as HTMLSelectElement;

describe('VisitDialog', () => {
  it('focuses the service and pre-selects the package that expires first', async () => {
    renderDialog();
    await loaded();
    expect(document.activeElement).toBe(svcSelect());
    expect(svcSelect().value).toBe('brain');
    expect(pkgSelect().value).toBe('pu-focus');
  });

  it('re-picks the package when a number key picks another service, and never a paid visit', async () => {
    renderDialog();
    await loaded();
    fireEvent.keyDown(svcSelect(), { key: '3' });
    expect(svcSelect().value).toBe('lymph');
    expect(pkgSelect().value).toBe('pu-premium');
    // pulse is used up in the only package covering it: nothing is chosen (not a paid visit).
    fireEvent.keyDown(svcSelect(), { key: '2' });
    expect(svcSelect().value).toBe('pulse');
    expect(pkgSelect().value).toBe('');
    const exhausted = [...pkgSelect().options].find((o) => o.value === 'pu-premium')!;
    expect(exhausted.disabled).toBe(true);
    expect(exhausted.textContent).toContain('펄스 케어 0회 남음');
    expect(exhausted.textContent).toContain('소진');
    expect(pkgSelect().selectedOptions[0].textContent).toContain('선택하세요');
    const note = screen.getByTestId('visit-no-usable-package');
    expect(note.textContent).toContain('프리미엄 케어 · 펄스 케어 0회 남음');
    // Its key says the same: none left (not a blank as for a service no package covers).
    expect(screen.getByTestId('visit-service-key-pulse').textContent).toContain('0회 남음');
    // The paid visit is offered, with its price, but not chosen.
    const single = [...pkgSelect().options].find((o) => o.value === 'single')!;
    expect(single.textContent).toBe('단건 결제 (₩60,000)');
    expect(single.selected).toBe(false);
    expect(screen.queryByTestId('visit-method')).toBeNull();
  });

  it('an exhausted package never turns into a paid visit without the person choosing it', async () => {
    const { calls, onDone } = renderDialog(
      { 'POST /api/v1/customers/c-1/sessions': ({ body }: { body: any }) => ({ status: 201, data: { session_id: 's-9', ...body } }) },
      { initialService: 'pulse' },
    );
    await loaded('30');
    expect(svcSelect().value).toBe('pulse');
    expect(pkgSelect().value).toBe('');
    // Enter (and the button) ask for a choice; nothing is sent.
    fireEvent.keyDown(screen.getByTestId('visit-staff'), { key: 'Enter' });
    expect((await screen.findByTestId('error-package_usage_id')).textContent).toBe('패키지 또는 단건 결제를 선택하세요.');
    expect(document.activeElement).toBe(pkgSelect());
    fireEvent.click(screen.getByTestId('visit-submit'));
    expect(calls.filter((c) => c.method === 'POST')).toEqual([]);
    expect(pkgSelect().closest('.field')!.className).toContain('has-error');

    // Chosen on purpose: the payment method is then required, with no default.
    fireEvent.change(pkgSelect(), { target: { value: 'single' } });
    expect(pkgSelect().value).toBe('single');
    for (const m of ['card', 'cash', 'transfer']) expect(screen.getByTestId(`visit-method-${m}`).getAttribute('aria-checked')).toBe('false');
    expect(screen.getByTestId('visit-submit').textContent).toBe('방문 기록 · ₩60,000 결제');
    fireEvent.click(screen.getByTestId('visit-submit'));
    expect((await screen.findByTestId('error-payment_method')).textContent).toBe('단건 결제의 결제 수단을 선택하세요.');
    expect(calls.filter((c) => c.method === 'POST')).toEqual([]);

    fireEvent.click(screen.getByTestId('visit-method-card'));
    fireEvent.click(screen.getByTestId('visit-submit'));
    await waitFor(() => expect(onDone).toHaveBeenCalled());
    const sent = calls.filter((c) => c.method === 'POST');
    expect(sent).toHaveLength(1);
    expect(sent[0].body.payment_method).toBe('card');
    expect(sent[0].body).not.toHaveProperty('package_usage_id');
  });

  it('says why a cancelled package cannot be chosen', async () => {
    const cancelled: PackageUsage = {
      ...usage('pu-gone', '환불한 패키지', 40, { red: [1, 10] }),
      package_status: 'cancelled',
      cancellation: { reason: '고객 요청', refund_amount: 100000, refund_method: 'card', cancelled_at: '2024-05-30T01:00:00Z', cancelled_by: '매니저' },
    };
    renderDialog({}, { packages: [premium, focus, cancelled], initialService: 'red' });
    await loaded('30');
    expect(svcSelect().value).toBe('red');
    const option = [...pkgSelect().options].find((o) => o.value === 'pu-gone')!;
    expect(option.disabled).toBe(true);
    expect(option.textContent).toContain('취소됨');
    expect(pkgSelect().value).toBe('');
  });

  it('submits with Enter and sends the visit body', async () => {
    const { calls, onDone } = renderDialog({
      'POST /api/v1/customers/c-1/sessions': ({ body }: { body: any }) => ({ status: 201, data: { session_id: 's-1', ...body } }),
    });
    await loaded();
    fireEvent.click(screen.getByTestId('visit-satisfaction-4'));
    fireEvent.input(screen.getByTestId('visit-notes'), { target: { value: '컨디션 좋음' } });
    fireEvent.keyDown(screen.getByTestId('visit-staff'), { key: 'Enter' });
    await waitFor(() => expect(onDone).toHaveBeenCalled());
    const post = calls.find((c) => c.method === 'POST')!;
    expect(post.path).toBe('/api/v1/customers/c-1/sessions');
    expect(post.body).toEqual({
      service_type: 'brain',
      service_date: today,
      package_usage_id: 'pu-focus',
      duration_minutes: 40,
      satisfaction_rating: 4,
      session_notes: '컨디션 좋음',
      staff_name: 'staff 사용자',
    });
  });

  it('shows PACKAGE_EXHAUSTED in Korean, stays open and does not switch to a paid visit', async () => {
    const { calls, onDone } = renderDialog({
      'POST /api/v1/customers/c-1/sessions': () => ({ status: 422, error: { code: 'PACKAGE_EXHAUSTED', message: 'no sessions left', field: 'package_usage_id' } }),
    });
    await loaded();
    fireEvent.click(screen.getByTestId('visit-submit'));
    const err = await screen.findByTestId('visit-error');
    expect(err.textContent).toBe('이 패키지에 해당 서비스의 남은 횟수가 없습니다.');
    expect(onDone).not.toHaveBeenCalled();
    expect(screen.getByTestId('visit-dialog')).toBeTruthy();
    // The refused package is marked and no longer chosen; the other one covering brain is not
    // chosen by itself either, and nothing paid is.
    expect(pkgSelect().value).toBe('');
    expect([...pkgSelect().options].find((o) => o.value === 'pu-focus')!.disabled).toBe(true);
    fireEvent.keyDown(screen.getByTestId('visit-staff'), { key: 'Enter' });
    const sent = calls.filter((c) => c.method === 'POST');
    expect(sent).toHaveLength(1);
    expect(sent[0].body.package_usage_id).toBe('pu-focus');
    expect(sent[0].body).not.toHaveProperty('payment_method');
  });

  it('on PACKAGE_CANCELLED says so and sends no paid visit', async () => {
    const { calls } = renderDialog({
      'POST /api/v1/customers/c-1/sessions': () => ({
        status: 422,
        error: { code: 'PACKAGE_CANCELLED', message: 'package cancelled', field: 'package_usage_id' },
      }),
    });
    await loaded();
    fireEvent.click(screen.getByTestId('visit-submit'));
    expect((await screen.findByTestId('visit-error')).textContent).toBe('취소(환불)된 패키지라 사용할 수 없습니다.');
    const option = [...pkgSelect().options].find((o) => o.value === 'pu-focus')!;
    expect(option.disabled).toBe(true);
    expect(option.textContent).toContain('취소됨');
    expect(pkgSelect().value).toBe('');
    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(1);
  });

  it('warns about a duplicate visit and records it only through 그래도 기록, with confirm_duplicate=true', async () => {
    const { calls, onDone } = renderDialog({
      'POST /api/v1/customers/c-1/sessions': ({ path, body }: { path: string; body: any }) =>
        path.includes('confirm_duplicate=true')
          ? { status: 201, data: { session_id: 's-2', ...body } }
          : {
              status: 409,
              error: {
                code: 'DUPLICATE_VISIT',
                message: 'duplicate',
                details: {
                  existing: [{ session_id: 's-1', service_date: today, service_type: 'brain', staff_name: '이직원', created_at: '2024-05-30T01:05:00Z' }],
                  confirm_with: 'confirm_duplicate=true',
                },
              },
            },
    });
    await loaded();
    fireEvent.click(screen.getByTestId('visit-submit'));
    const warning = await screen.findByTestId('visit-duplicate');
    expect(warning.textContent).toContain(today);
    expect(warning.textContent).toContain('이직원');
    expect(warning.textContent).toContain('브레인 피드백');
    expect(onDone).not.toHaveBeenCalled();
    // Enter does not re-send while the warning is up.
    fireEvent.keyDown(screen.getByTestId('visit-staff'), { key: 'Enter' });
    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(1);

    fireEvent.click(screen.getByTestId('visit-duplicate-confirm'));
    await waitFor(() => expect(onDone).toHaveBeenCalled());
    const sent = calls.filter((c) => c.method === 'POST');
    expect(sent).toHaveLength(2);
    expect(sent[0].path).toBe('/api/v1/customers/c-1/sessions');
    expect(sent[1].path).toBe('/api/v1/customers/c-1/sessions?confirm_duplicate=true');
    expect(sent[1].body).toEqual(sent[0].body);
  });

  it('기록하지 않음 dismisses the duplicate warning without sending', async () => {
    const { calls } = renderDialog({
      'POST /api/v1/customers/c-1/sessions': () => ({ status: 409, error: { code: 'DUPLICATE_VISIT', message: 'duplicate', details: { existing: [] } } }),
    });
    await loaded();
    fireEvent.click(screen.getByTestId('visit-submit'));
    await screen.findByTestId('visit-duplicate');
    fireEvent.click(screen.getByTestId('visit-duplicate-back'));
    expect(screen.queryByTestId('visit-duplicate')).toBeNull();
    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(1);
  });

  it('closes on Escape', async () => {
    const { onClose } = renderDialog();
    await loaded();
    fireEvent.keyDown(svcSelect(), { key: 'Escape' });
    expect(onClose).toHaveBeenCalled();
  });
});
