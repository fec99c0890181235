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
const loaded = () => waitFor(() => expect((screen.getByTestId('visit-duration') as HTMLInputElement).value).toBe('40'));
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

  it('re-picks the package when a number key picks another service', async () => {
    renderDialog();
    await loaded();
    fireEvent.keyDown(svcSelect(), { key: '3' });
    expect(svcSelect().value).toBe('lymph');
    expect(pkgSelect().value).toBe('pu-premium');
    // pulse is used up in the only package covering it: single payment.
    fireEvent.keyDown(svcSelect(), { key: '2' });
    expect(svcSelect().value).toBe('pulse');
    expect(pkgSelect().value).toBe('');
    const exhausted = [...pkgSelect().options].find((o) => o.value === 'pu-premium')!;
    expect(exhausted.disabled).toBe(true);
    expect(exhausted.textContent).toContain('소진');
    expect(pkgSelect().selectedOptions[0].textContent).toContain('단건 결제');
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

  it('shows PACKAGE_EXHAUSTED in Korean and stays open', async () => {
    const { onDone } = renderDialog({
      'POST /api/v1/customers/c-1/sessions': () => ({ status: 409, error: { code: 'PACKAGE_EXHAUSTED', message: 'no sessions left' } }),
    });
    await loaded();
    fireEvent.click(screen.getByTestId('visit-submit'));
    const err = await screen.findByTestId('visit-error');
    expect(err.textContent).toBe('이 패키지에 해당 서비스의 남은 횟수가 없습니다.');
    expect(onDone).not.toHaveBeenCalled();
    expect(screen.getByTestId('visit-dialog')).toBeTruthy();
  });

  it('closes on Escape', async () => {
    const { onClose } = renderDialog();
    await loaded();
    fireEvent.keyDown(svcSelect(), { key: 'Escape' });
    expect(onClose).toHaveBeenCalled();
  });
});
