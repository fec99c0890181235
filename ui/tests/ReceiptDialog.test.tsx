import { fireEvent, render, screen } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ReceiptDialog } from '../src/components/ReceiptDialog';
import { setupApi } from './helpers';

const receipt = {
  receipt_number: 'R-20240530-01a2b3c4',
  kind: 'purchase',
  issued_at: '2024-05-30T05:00:00Z',
  clinic: { name: '하늘 웰니스 의원', business_number: '123-45-67890', address: '서울시 강남구 테헤란로 1', phone: '02-123-4567' },
  customer_name: '김영희',
  date: '2024-05-30',
  staff_name: '이직원',
  items: [{ name: '프리미엄 케어', detail: '브레인 10회 · 펄스 10회', quantity: 1, unit_price: 1500000, amount: 1500000 }],
  total: 1500000,
  payment_method: 'card',
  cancellation: null,
};

afterEach(() => vi.unstubAllGlobals());

describe('ReceiptDialog', () => {
  it('shows the clinic, number, date, customer, items, total, method and staff; prints', async () => {
    const { calls } = setupApi({ 'GET /api/v1/purchases/pu-1/receipt': () => ({ data: receipt }) });
    // happy-dom has no window.print: the test provides one.
    const print = vi.fn();
    vi.stubGlobal('print', print);
    render(<ReceiptDialog source={{ kind: 'purchase', id: 'pu-1' }} onClose={() => {}} />);
    const content = await screen.findByTestId('receipt-content');
    expect(calls[0].path).toBe('/api/v1/purchases/pu-1/receipt');
    expect(content.className).toContain('print-target');
    expect(screen.getByTestId('receipt-clinic-name').textContent).toBe('하늘 웰니스 의원');
    expect(screen.getByTestId('receipt-business-number').textContent).toContain('123-45-67890');
    expect(screen.getByTestId('receipt-address').textContent).toBe('서울시 강남구 테헤란로 1');
    expect(screen.getByTestId('receipt-phone').textContent).toContain('02-123-4567');
    expect(screen.queryByTestId('receipt-clinic-missing')).toBeNull();
    expect(screen.getByTestId('receipt-number').textContent).toBe('R-20240530-01a2b3c4');
    expect(screen.getByTestId('receipt-date').textContent).toBe('2024-05-30');
    expect(screen.getByTestId('receipt-customer').textContent).toBe('김영희');
    expect(screen.getByTestId('receipt-staff').textContent).toBe('이직원');
    const items = screen.getAllByTestId('receipt-item');
    expect(items).toHaveLength(1);
    expect(items[0].textContent).toContain('프리미엄 케어');
    expect(items[0].textContent).toContain('브레인 10회 · 펄스 10회');
    expect(screen.getByTestId('receipt-total').textContent).toBe('₩1,500,000');
    expect(screen.getByTestId('receipt-method').textContent).toBe('카드');
    expect(screen.queryByTestId('receipt-cancellation')).toBeNull();
    // The buttons are outside the printed region.
    const printButton = screen.getByTestId('receipt-print');
    expect(content.contains(printButton)).toBe(false);
    expect(printButton.closest('.no-print')).not.toBeNull();
    fireEvent.click(printButton);
    expect(print).toHaveBeenCalledTimes(1);
  });

  it('says when the clinic details are not set, and shows a cancellation with its refund', async () => {
    setupApi({
      'GET /api/v1/sessions/s-1/receipt': () => ({
        data: {
          ...receipt,
          kind: 'visit',
          clinic: { name: null, business_number: null, address: null, phone: null },
          items: [{ name: '레드 테라피', detail: null, quantity: 1, unit_price: 50000, amount: 50000 }],
          total: 50000,
          payment_method: 'cash',
          cancellation: { reason: '중복 기록', refund_amount: 50000, refund_method: 'cash', cancelled_at: '2024-05-30T06:00:00Z' },
        },
      }),
    });
    render(<ReceiptDialog source={{ kind: 'visit', id: 's-1' }} onClose={() => {}} />);
    expect((await screen.findByTestId('receipt-clinic-missing')).textContent).toBe('의원 정보가 설정되지 않았습니다 — 관리자가 설정에서 입력');
    expect(screen.queryByTestId('receipt-clinic-name')).toBeNull();
    expect(screen.queryByTestId('receipt-business-number')).toBeNull();
    const cancelled = screen.getByTestId('receipt-cancellation');
    expect(cancelled.textContent).toContain('중복 기록');
    expect(screen.getByTestId('receipt-refund').textContent).toBe('₩50,000 · 현금');
  });

  it('a visit paid by a package has no receipt: NO_RECEIPT in Korean', async () => {
    setupApi({ 'GET /api/v1/sessions/s-2/receipt': () => ({ status: 422, error: { code: 'NO_RECEIPT', message: 'no receipt' } }) });
    render(<ReceiptDialog source={{ kind: 'visit', id: 's-2' }} onClose={() => {}} />);
    expect((await screen.findByTestId('receipt-error')).textContent).toContain('패키지로 이용한 방문은 영수증이 없습니다');
    expect((screen.getByTestId('receipt-print') as HTMLButtonElement).disabled).toBe(true);
  });
});
