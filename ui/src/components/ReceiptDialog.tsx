import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import { t, tEnum } from '../i18n';
import { describeError } from '../logic/errors';
import { formatDate, formatDateTime, formatNumber, formatWon } from '../logic/format';
import type { Receipt, ReceiptKind } from '../types';
import { Modal } from './Modal';
import { ErrorBox, Spinner } from './ui';

/** Which receipt to show: a package purchase (its package_usage_id) or a paid visit (its session id). */
export interface ReceiptSource {
  kind: ReceiptKind;
  id: string;
}

export function receiptPath(source: ReceiptSource): string {
  const base = source.kind === 'purchase' ? '/api/v1/purchases' : '/api/v1/sessions';
  return `${base}/${encodeURIComponent(source.id)}/receipt`;
}

/**
 * A receipt as the server issues it (`GET /purchases/{id}/receipt`, `GET /sessions/{id}/receipt`),
 * printable: only the `.print-target` region goes to paper (styles.css), never the buttons.
 */
export function ReceiptDialog(props: { source: ReceiptSource; onClose: () => void }) {
  const [receipt, setReceipt] = useState<Receipt | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    api<Receipt>('GET', receiptPath(props.source))
      .then((env) => setReceipt(env.data))
      .catch((e) => setError(describeError(e)));
  }, [props.source.kind, props.source.id]);

  return (
    <Modal title={t('receipt.title')} onClose={props.onClose} testid="receipt-dialog" width={520}>
      {error ? <ErrorBox testid="receipt-error">{error}</ErrorBox> : null}
      {!receipt && !error ? <Spinner /> : null}
      {receipt ? <ReceiptView r={receipt} /> : null}
      <div class="modal-foot no-print">
        <span class="grow" />
        <button type="button" class="btn btn-outline" onClick={props.onClose}>
          {t('common.close')}
        </button>
        <button type="button" class="btn btn-primary" data-testid="receipt-print" disabled={!receipt} onClick={() => window.print()}>
          {t('receipt.print')}
        </button>
      </div>
    </Modal>
  );
}

function ReceiptView({ r }: { r: Receipt }) {
  const c = r.clinic ?? { name: null, business_number: null, address: null, phone: null };
  const x = r.cancellation;
  return (
    <article class="receipt print-target" data-testid="receipt-content" data-kind={r.kind}>
      <header class="receipt-clinic">
        {c.name ? (
          <div class="receipt-clinic-name" data-testid="receipt-clinic-name">
            {c.name}
          </div>
        ) : (
          // Said plainly (also on paper): a receipt without the clinic's details is incomplete.
          <div class="notice" data-testid="receipt-clinic-missing">
            {t('receipt.clinicMissing')}
          </div>
        )}
        {c.business_number ? (
          <div data-testid="receipt-business-number">
            {t('receipt.businessNumber')} <span class="mono">{c.business_number}</span>
          </div>
        ) : null}
        {c.address ? <div data-testid="receipt-address">{c.address}</div> : null}
        {c.phone ? (
          <div data-testid="receipt-phone">
            {t('receipt.phone')} <span class="mono">{c.phone}</span>
          </div>
        ) : null}
      </header>

      <h3 class="receipt-title">
        {t('receipt.title')} <span class="muted small">· {t(r.kind === 'visit' ? 'receipt.kind.visit' : 'receipt.kind.purchase')}</span>
      </h3>
      <dl class="kv receipt-kv">
        <dt>{t('receipt.number')}</dt>
        <dd class="mono" data-testid="receipt-number">
          {r.receipt_number}
        </dd>
        <dt>{t('receipt.date')}</dt>
        <dd class="mono" data-testid="receipt-date">
          {formatDate(r.date)}
        </dd>
        <dt>{t('receipt.customer')}</dt>
        <dd data-testid="receipt-customer">{r.customer_name}</dd>
        <dt>{t('receipt.staff')}</dt>
        <dd data-testid="receipt-staff">{r.staff_name || t('common.empty')}</dd>
      </dl>

      <table class="table receipt-items" data-testid="receipt-items">
        <thead>
          <tr>
            <th>{t('receipt.item')}</th>
            <th class="num">{t('receipt.quantity')}</th>
            <th class="num">{t('receipt.unitPrice')}</th>
            <th class="num">{t('receipt.amount')}</th>
          </tr>
        </thead>
        <tbody>
          {(r.items ?? []).map((it, i) => (
            <tr key={i} data-testid="receipt-item">
              <td>
                {it.name}
                {it.detail ? <div class="muted small">{it.detail}</div> : null}
              </td>
              <td class="num mono">{formatNumber(it.quantity)}</td>
              <td class="num mono">{formatWon(it.unit_price)}</td>
              <td class="num mono">{formatWon(it.amount)}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr class="receipt-total-row">
            <th colSpan={3}>{t('receipt.total')}</th>
            <td class="num mono" data-testid="receipt-total" data-value={r.total}>
              {formatWon(r.total)}
            </td>
          </tr>
        </tfoot>
      </table>

      <dl class="kv receipt-kv">
        <dt>{t('receipt.method')}</dt>
        <dd data-testid="receipt-method" data-value={r.payment_method ?? ''}>
          {r.payment_method ? tEnum('payment', r.payment_method) : t('common.empty')}
        </dd>
      </dl>

      {x ? (
        <div class="receipt-cancelled" data-testid="receipt-cancellation">
          <b>{t('receipt.cancelled')}</b>
          <dl class="kv receipt-kv">
            <dt>{t('receipt.refund')}</dt>
            <dd class="mono" data-testid="receipt-refund" data-value={x.refund_amount}>
              {x.refund_amount > 0 ? `${formatWon(x.refund_amount)}${x.refund_method ? ` · ${tEnum('payment', x.refund_method)}` : ''}` : t('receipt.noRefund')}
            </dd>
            <dt>{t('receipt.reason')}</dt>
            <dd class="pre">{x.reason}</dd>
            <dt>{t('receipt.cancelledAt')}</dt>
            <dd class="mono">{formatDateTime(x.cancelled_at)}</dd>
          </dl>
        </div>
      ) : null}

      <div class="receipt-issued muted small">
        {t('receipt.issuedAt')} <span class="mono">{formatDateTime(r.issued_at)}</span>
      </div>
    </article>
  );
}
