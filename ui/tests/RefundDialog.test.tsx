import { fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { describe, expect, it, vi } from 'vitest';
import { RefundDialog } from '../src/components/RefundDialog';
import type { PackageUsage } from '../src/types';
import { setupApi, type Call } from './helpers';

const pkg: PackageUsage = {
  package_usage_id: 'pu-1',
  package_name: '프리미엄 케어',
  purchase_date: '2024-04-01',
  expiry_date: '2024-07-01',
  price_paid: 1500000,
  payment_method: 'card',
  total_sessions: 20,
  used_sessions: 9,
  remaining_sessions: 11,
  package_status: 'active',
  service_breakdown: { brain: { total: 10, used: 8, remaining: 2 }, pulse: { total: 10, used: 1, remaining: 9 } },
};

const cancelledPkg = (body: any): PackageUsage => ({
  ...pkg,
  package_status: 'cancelled',
  remaining_sessions: 0,
  cancellation: { reason: body.reason, refund_amount: body.refund_amount, refund_method: body.refund_method, cancelled_at: '2024-05-31T01:00:00Z', cancelled_by: 'manager 사용자' },
});

function renderDialog(post: (call: Call) => { status?: number; data?: unknown; error?: Record<string, unknown> } = ({ body }) => ({ data: cancelledPkg(body) })) {
  const api = setupApi({ 'POST /api/v1/purchases/pu-1/cancel': post });
  const onDone = vi.fn();
  const onClose = vi.fn();
  render(<RefundDialog pkg={pkg} customerName="김영희" onClose={onClose} onDone={onDone} />);
  return { ...api, onDone, onClose };
}

const input = (id: string) => screen.getByTestId(id) as HTMLInputElement;
const posts = (calls: Call[]) => calls.filter((c) => c.method === 'POST');

describe('RefundDialog', () => {
  it('shows the price paid and the sessions used, and defaults nothing', () => {
    renderDialog();
    expect(screen.getByTestId('refund-price-paid').textContent).toContain('₩1,500,000');
    expect(screen.getByTestId('refund-sessions-used').textContent).toContain('9 / 20회 사용');
    expect(input('refund-reason').value).toBe('');
    expect(input('refund-amount').value).toBe('');
    // No refund method until an amount is there (and then none is chosen).
    expect(screen.queryByTestId('refund-method')).toBeNull();
  });

  it('checks every field before the confirmation: reason, amount, at most the price, a method', async () => {
    const { calls } = renderDialog();
    fireEvent.click(screen.getByTestId('refund-next'));
    expect(screen.getByTestId('error-reason').textContent).toBe('취소 사유를 적어 주세요.');
    expect(screen.getByTestId('error-refund_amount').textContent).toBe('환불 금액을 입력하세요 (환불하지 않으면 0).');

    fireEvent.input(input('refund-reason'), { target: { value: '고객 요청' } });
    fireEvent.input(input('refund-amount'), { target: { value: '2000000' } });
    fireEvent.click(screen.getByTestId('refund-next'));
    expect(screen.queryByTestId('error-reason')).toBeNull();
    expect(screen.getByTestId('error-refund_amount').textContent).toBe('결제 금액(₩1,500,000)보다 많이 환불할 수 없습니다.');

    fireEvent.input(input('refund-amount'), { target: { value: '700000' } });
    expect(input('refund-amount').value).toBe('700,000');
    for (const m of ['card', 'cash', 'transfer']) expect(screen.getByTestId(`refund-method-${m}`).getAttribute('aria-checked')).toBe('false');
    fireEvent.click(screen.getByTestId('refund-next'));
    expect(screen.getByTestId('error-refund_method').textContent).toBe('환불 수단을 선택하세요.');
    expect(screen.queryByTestId('refund-confirm-step')).toBeNull();
    expect(posts(calls)).toEqual([]);
  });

  it('전액 fills the price paid; the confirmation says what will happen; confirm sends {reason, refund_amount, refund_method}', async () => {
    const { calls, onDone } = renderDialog();
    fireEvent.input(input('refund-reason'), { target: { value: '이사로 이용 불가' } });
    fireEvent.click(screen.getByTestId('refund-full'));
    expect(input('refund-amount').value).toBe('1,500,000');
    fireEvent.click(screen.getByTestId('refund-method-transfer'));
    // Enter in the form leads to the confirmation, nothing more.
    fireEvent.submit(input('refund-reason').closest('form')!);
    await screen.findByTestId('refund-confirm-step');
    expect(posts(calls)).toEqual([]);
    expect(screen.getByTestId('refund-statement').textContent).toBe('₩1,500,000 환불, 남은 횟수는 더 쓸 수 없습니다.');
    expect(screen.getByTestId('refund-confirm-method').textContent).toBe('계좌이체');
    expect(screen.getByTestId('refund-confirm-reason').textContent).toBe('이사로 이용 불가');
    expect(screen.getByTestId('refund-confirm').textContent).toBe('₩1,500,000 환불 확정');

    fireEvent.click(screen.getByTestId('refund-confirm'));
    await waitFor(() => expect(onDone).toHaveBeenCalled());
    expect(posts(calls)).toHaveLength(1);
    expect(posts(calls)[0].path).toBe('/api/v1/purchases/pu-1/cancel');
    expect(posts(calls)[0].body).toEqual({ reason: '이사로 이용 불가', refund_amount: 1500000, refund_method: 'transfer' });
    expect(onDone.mock.calls[0][0].package_status).toBe('cancelled');
    expect(onDone.mock.calls[0][1]).toBe(1500000);
  });

  it('a cancellation without a refund sends refund_method null and says so', async () => {
    const { calls, onDone } = renderDialog();
    fireEvent.input(input('refund-reason'), { target: { value: '중복 등록' } });
    fireEvent.input(input('refund-amount'), { target: { value: '0' } });
    expect(screen.queryByTestId('refund-method')).toBeNull();
    fireEvent.click(screen.getByTestId('refund-next'));
    expect((await screen.findByTestId('refund-statement')).textContent).toBe('환불 없이 취소합니다. 남은 횟수는 더 쓸 수 없습니다.');
    fireEvent.click(screen.getByTestId('refund-confirm'));
    await waitFor(() => expect(onDone).toHaveBeenCalled());
    expect(posts(calls)[0].body).toEqual({ reason: '중복 등록', refund_amount: 0, refund_method: null });
  });

  it('a 422 goes back to the form with each field marked', async () => {
    const { onDone } = renderDialog(() => ({
      status: 422,
      error: {
        code: 'VALIDATION_ERROR',
        message: '입력값을 확인해 주세요.',
        details: { errors: [{ field: 'refund_amount', code: 'VALIDATION_ERROR', reason: 'out_of_range', message: '환불 금액은 1,000,000원 이하여야 합니다.', max: 1000000 }] },
      },
    }));
    fireEvent.input(input('refund-reason'), { target: { value: '고객 요청' } });
    fireEvent.input(input('refund-amount'), { target: { value: '1200000' } });
    fireEvent.click(screen.getByTestId('refund-method-cash'));
    fireEvent.click(screen.getByTestId('refund-next'));
    fireEvent.click(await screen.findByTestId('refund-confirm'));
    expect((await screen.findByTestId('error-refund_amount')).textContent).toBe('환불 금액은 1,000,000원 이하여야 합니다.');
    expect(screen.queryByTestId('refund-confirm-step')).toBeNull();
    expect(onDone).not.toHaveBeenCalled();
  });

  it('a purchase already cancelled is said in Korean', async () => {
    renderDialog(() => ({ status: 409, error: { code: 'PURCHASE_ALREADY_CANCELLED', message: 'already' } }));
    fireEvent.input(input('refund-reason'), { target: { value: '고객 요청' } });
    fireEvent.input(input('refund-amount'), { target: { value: '0' } });
    fireEvent.click(screen.getByTestId('refund-next'));
    fireEvent.click(await screen.findByTestId('refund-confirm'));
    expect((await screen.findByTestId('refund-error')).textContent).toBe('이미 취소된 구매입니다.');
  });
});
