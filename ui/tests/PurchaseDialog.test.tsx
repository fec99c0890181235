import { fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { describe, expect, it, vi } from 'vitest';
import { PurchaseDialog } from '../src/components/PurchaseDialog';
import { todayISO } from '../src/logic/format';
import { setupApi, type Call } from './helpers';

const TEMPLATES = [
  { package_id: 'pkg-basic', name: '기본 케어', price: 250000, validity_days: 90, total_sessions: 5, sessions: { brain: 5 } },
  { package_id: 'pkg-premium', name: '프리미엄 케어', price: 1500000, validity_days: 180, total_sessions: 20, sessions: { brain: 10, pulse: 10 } },
];

function renderDialog(post: (call: Call) => { status?: number; data?: unknown; error?: Record<string, unknown> } = ({ body }) => ({ status: 201, data: { package_usage_id: 'pu-new', package_name: '기본 케어', ...body } })) {
  const api = setupApi({
    'GET /api/v1/packages': () => ({ data: { packages: TEMPLATES } }),
    'POST /api/v1/customers/c-1/packages': post,
  });
  const onDone = vi.fn();
  const onClose = vi.fn();
  render(<PurchaseDialog customerId="c-1" customerName="김영희" onClose={onClose} onDone={onDone} />);
  return { ...api, onDone, onClose };
}

const posts = (calls: Call[]) => calls.filter((c) => c.method === 'POST');
const options = () => screen.findAllByTestId('purchase-option');
const radio = (el: HTMLElement) => el.querySelector('input[type="radio"]') as HTMLInputElement;

describe('PurchaseDialog', () => {
  it('preselects nothing: no package, no payment method', async () => {
    renderDialog();
    const opts = await options();
    expect(opts.map((o) => radio(o).checked)).toEqual([false, false]);
    for (const m of ['card', 'cash', 'transfer']) expect(screen.getByTestId(`purchase-method-${m}`).getAttribute('aria-checked')).toBe('false');
    expect((screen.getByTestId('purchase-price') as HTMLInputElement).value).toBe('');
  });

  it('P then Enter sells nothing: Enter only asks for what is missing', async () => {
    const { calls, onDone } = renderDialog();
    const opts = await options();
    // The focus lands on the first package's radio (not checked); Enter there.
    await waitFor(() => expect(document.activeElement).toBe(radio(opts[0])));
    fireEvent.keyDown(document.activeElement!, { key: 'Enter' });
    expect((await screen.findByTestId('error-package_id')).textContent).toBe('패키지를 선택하세요.');
    expect(screen.getByTestId('error-payment_method').textContent).toBe('결제 수단을 선택하세요.');
    expect(screen.queryByTestId('purchase-confirm-step')).toBeNull();
    // A package alone is not enough either.
    fireEvent.click(radio(opts[0]));
    fireEvent.keyDown(screen.getByTestId('purchase-price'), { key: 'Enter' });
    expect(screen.queryByTestId('error-package_id')).toBeNull();
    expect(screen.getByTestId('error-payment_method').textContent).toBe('결제 수단을 선택하세요.');
    expect(document.activeElement).toBe(screen.getByTestId('purchase-method-card'));
    expect(screen.queryByTestId('purchase-confirm-step')).toBeNull();
    expect(posts(calls)).toEqual([]);
    expect(onDone).not.toHaveBeenCalled();
  });

  it('goes through a confirmation that states package, amount, method and date; only its button sells', async () => {
    const { calls, onDone } = renderDialog();
    const opts = await options();
    fireEvent.click(radio(opts[0]));
    fireEvent.click(screen.getByTestId('purchase-method-cash'));
    expect(screen.getByTestId('purchase-method-cash').getAttribute('aria-checked')).toBe('true');
    // Enter moves on to the confirmation, nothing is sent.
    fireEvent.keyDown(screen.getByTestId('purchase-price'), { key: 'Enter' });
    const step = await screen.findByTestId('purchase-confirm-step');
    expect(posts(calls)).toEqual([]);
    expect(screen.getByTestId('purchase-confirm-package').textContent).toBe('기본 케어');
    expect(screen.getByTestId('purchase-confirm-amount').textContent).toBe('₩250,000');
    expect(screen.getByTestId('purchase-confirm-method').textContent).toBe('현금');
    expect(screen.getByTestId('purchase-confirm-date').textContent).toContain(todayISO());
    expect(screen.getByTestId('purchase-confirm').textContent).toBe('₩250,000 결제 확정');
    // The focus is on the summary, not on the button: Enter there does nothing.
    expect(step.contains(document.activeElement)).toBe(true);
    expect((document.activeElement as HTMLElement).tagName).not.toBe('BUTTON');
    fireEvent.keyDown(document.activeElement!, { key: 'Enter' });
    expect(posts(calls)).toEqual([]);

    fireEvent.click(screen.getByTestId('purchase-confirm'));
    await waitFor(() => expect(onDone).toHaveBeenCalled());
    expect(posts(calls)).toHaveLength(1);
    expect(posts(calls)[0].body).toEqual({ package_id: 'pkg-basic', purchase_date: todayISO(), price_paid: 250000, payment_method: 'cash' });
  });

  it('뒤로 returns to the choices with them kept', async () => {
    renderDialog();
    const opts = await options();
    fireEvent.click(radio(opts[1]));
    fireEvent.click(screen.getByTestId('purchase-method-transfer'));
    fireEvent.click(screen.getByTestId('purchase-submit'));
    await screen.findByTestId('purchase-confirm-step');
    expect(screen.getByTestId('purchase-confirm-amount').textContent).toBe('₩1,500,000');
    fireEvent.click(screen.getByTestId('purchase-back'));
    const again = await options();
    expect(radio(again[1]).checked).toBe(true);
    expect(screen.getByTestId('purchase-method-transfer').getAttribute('aria-checked')).toBe('true');
  });

  it('a 422 takes the person back to the form with every listed field marked', async () => {
    const { calls, onDone } = renderDialog(() => ({
      status: 422,
      error: {
        code: 'VALIDATION_ERROR',
        message: '입력값을 확인해 주세요.',
        details: {
          errors: [
            { field: 'payment_method', code: 'VALIDATION_ERROR', reason: 'required', message: '결제 수단이 필요합니다.' },
            { field: 'price_paid', code: 'VALIDATION_ERROR', reason: 'out_of_range', message: '결제 금액이 범위를 벗어났습니다.' },
          ],
        },
      },
    }));
    const opts = await options();
    fireEvent.click(radio(opts[0]));
    fireEvent.click(screen.getByTestId('purchase-method-card'));
    fireEvent.click(screen.getByTestId('purchase-submit'));
    fireEvent.click(await screen.findByTestId('purchase-confirm'));
    const err = await screen.findByTestId('purchase-error');
    expect(err.textContent).toContain('결제 수단이 필요합니다.');
    expect(err.textContent).toContain('결제 금액이 범위를 벗어났습니다.');
    expect(screen.queryByTestId('purchase-confirm-step')).toBeNull();
    expect(screen.getByTestId('purchase-method').closest('.field')!.className).toContain('has-error');
    expect(screen.getByTestId('purchase-price').closest('.field')!.className).toContain('has-error');
    expect(posts(calls)).toHaveLength(1);
    expect(onDone).not.toHaveBeenCalled();
  });
});
