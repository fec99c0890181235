import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api';
import { t, tEnum } from '../i18n';
import { describeError, describeFieldError, errorsByInput } from '../logic/errors';
import { formatDate, formatNumber, formatWon } from '../logic/format';
import type { PackageUsage, PaymentMethod } from '../types';
import { Modal } from './Modal';
import { PaymentMethodPicker } from './PurchaseDialog';
import { ErrorBox, FieldMessage } from './ui';

type RefundField = 'reason' | 'refund_amount' | 'refund_method';
const FIELDS: readonly string[] = ['reason', 'refund_amount', 'refund_method'];

/**
 * What the form says is wrong before anything is sent (the server checks the same rules):
 * a reason, an amount from 0 to the price paid, and a refund method when money goes back.
 */
export function refundProblems(v: { reason: string; amount: string; method: string }, pricePaid: number | null | undefined): Partial<Record<RefundField, string>> {
  const out: Partial<Record<RefundField, string>> = {};
  if (!v.reason.trim()) out.reason = t('refund.reasonRequired');
  if (v.amount === '') out.refund_amount = t('refund.amountRequired');
  else if (typeof pricePaid === 'number' && Number(v.amount) > pricePaid) out.refund_amount = t('refund.amountTooHigh', { max: formatWon(pricePaid) });
  if (v.amount !== '' && Number(v.amount) > 0 && !v.method) out.refund_method = t('refund.methodRequired');
  return out;
}

/**
 * A manager cancels a package purchase and says what goes back to the customer
 * (`POST /purchases/{id}/cancel`). Nothing has a default — not the amount, not the method —
 * and a second step states what will happen before the deliberate confirm.
 */
export function RefundDialog(props: { pkg: PackageUsage; customerName: string; onClose: () => void; onDone: (updated: PackageUsage, refunded: number) => void }) {
  const p = props.pkg;
  const [reason, setReason] = useState('');
  const [amount, setAmount] = useState('');
  const [method, setMethod] = useState<PaymentMethod | ''>('');
  const [step, setStep] = useState<'form' | 'confirm'>('form');
  const [errors, setErrors] = useState<Partial<Record<RefundField, string>>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const summaryRef = useRef<HTMLDivElement>(null);

  // As in the purchase: the confirmation's focus is on its text, so a stray Enter confirms nothing.
  // Back on the form, the keyboard is on the reason again.
  useEffect(() => {
    if (step === 'confirm') summaryRef.current?.focus();
    else document.getElementById('refund-reason')?.focus();
  }, [step]);

  const refund = amount === '' ? 0 : Number(amount);
  const used = p.used_sessions ?? 0;
  const total = p.total_sessions ?? 0;
  const left = p.remaining_sessions ?? Math.max(0, total - used);

  const next = () => {
    const problems = refundProblems({ reason, amount, method }, p.price_paid);
    setErrors(problems);
    setError(null);
    if (Object.keys(problems).length === 0) setStep('confirm');
  };

  const confirm = async () => {
    if (busy) return;
    setBusy(true);
    setError(null);
    // refund_method must be absent or null when nothing is refunded.
    const body = { reason: reason.trim(), refund_amount: refund, refund_method: refund > 0 ? method : null };
    try {
      const env = await api<PackageUsage>('POST', `/api/v1/purchases/${encodeURIComponent(p.package_usage_id)}/cancel`, body);
      props.onDone(env.data, refund);
    } catch (e) {
      setBusy(false);
      const { byInput, rest } = errorsByInput<RefundField>(e, (f) => (FIELDS.includes(f) ? (f as RefundField) : null));
      if (Object.keys(byInput).length) {
        // Back to the form, each mistake under its input.
        setErrors(byInput);
        setStep('form');
        setError(rest.length ? rest.map(describeFieldError).join(' · ') : null);
      } else {
        setError(describeError(e));
      }
    }
  };

  const context = (
    <dl class="kv refund-context" data-testid="refund-context">
      <dt>{t('refund.package')}</dt>
      <dd>
        <b>{p.package_name}</b> <span class="muted">· {props.customerName}</span>
      </dd>
      <dt>{t('refund.pricePaid')}</dt>
      <dd class="mono" data-testid="refund-price-paid" data-value={p.price_paid ?? ''}>
        {formatWon(p.price_paid)}
        {p.payment_method ? <span class="muted"> · {tEnum('payment', p.payment_method)}</span> : null}
        {p.purchase_date ? <span class="muted"> · {t('refund.purchased', { date: formatDate(p.purchase_date) })}</span> : null}
      </dd>
      <dt>{t('refund.sessionsUsed')}</dt>
      <dd data-testid="refund-sessions-used">{t('refund.sessionsUsedValue', { used, total, left })}</dd>
    </dl>
  );

  return (
    <Modal title={t('refund.title')} onClose={props.onClose} testid="refund-dialog" width={560} busy={busy}>
      {step === 'confirm' ? (
        <div class="confirm-step" data-testid="refund-confirm-step">
          <div class="confirm-summary" tabIndex={-1} ref={summaryRef}>
            {context}
            <p class="confirm-statement" data-testid="refund-statement">
              <b>{refund > 0 ? t('refund.willRefund', { amount: formatWon(refund) }) : t('refund.willCancel')}</b>
            </p>
            <dl class="kv">
              {refund > 0 ? (
                <>
                  <dt>{t('refund.method')}</dt>
                  <dd data-testid="refund-confirm-method">{tEnum('payment', method)}</dd>
                </>
              ) : null}
              <dt>{t('refund.reason')}</dt>
              <dd class="pre" data-testid="refund-confirm-reason">
                {reason.trim()}
              </dd>
            </dl>
            <p class="muted small">{t('refund.keepsHistory', { used })}</p>
          </div>
          {error ? <ErrorBox testid="refund-error">{error}</ErrorBox> : null}
          <div class="modal-foot">
            <button type="button" class="btn btn-outline" data-testid="refund-back" onClick={() => setStep('form')} disabled={busy}>
              {t('refund.back')}
            </button>
            <span class="grow" />
            <button type="button" class="btn btn-danger" data-testid="refund-confirm" onClick={confirm} disabled={busy}>
              {busy ? t('refund.submitting') : refund > 0 ? t('refund.confirm', { amount: formatWon(refund) }) : t('refund.confirmNoRefund')}
            </button>
          </div>
        </div>
      ) : (
        <form
          class="form-grid"
          noValidate
          onSubmit={(e) => {
            // Enter only leads to the confirmation step.
            e.preventDefault();
            next();
          }}
        >
          <div class="wide">{context}</div>

          <div class={`field wide${errors.reason ? ' has-error' : ''}`}>
            <label class="field-label" for="refund-reason">
              {t('refund.reason')}
              <span class="req">*</span>
            </label>
            <input
              id="refund-reason"
              class="input"
              data-autofocus
              data-testid="refund-reason"
              maxLength={500}
              placeholder={t('refund.reasonPlaceholder')}
              value={reason}
              onInput={(e) => setReason(e.currentTarget.value)}
            />
            <FieldMessage errors={errors} field="reason" />
          </div>

          <div class={`field wide${errors.refund_amount ? ' has-error' : ''}`}>
            <label class="field-label" for="refund-amount">
              {t('refund.amount')}
              <span class="req">*</span>
            </label>
            <div class="refund-amount-row">
              <input
                id="refund-amount"
                class="input num"
                inputMode="numeric"
                data-testid="refund-amount"
                value={amount === '' ? '' : formatNumber(Number(amount))}
                onInput={(e) => setAmount(e.currentTarget.value.replace(/[^\d]/g, ''))}
              />
              {typeof p.price_paid === 'number' ? (
                <button type="button" class="btn btn-outline btn-sm" data-testid="refund-full" onClick={() => setAmount(String(p.price_paid))}>
                  {t('refund.full')}
                </button>
              ) : null}
            </div>
            {errors.refund_amount ? (
              <FieldMessage errors={errors} field="refund_amount" />
            ) : (
              <div class="field-hint">{typeof p.price_paid === 'number' ? t('refund.amountHint', { max: formatWon(p.price_paid) }) : t('refund.amountHintNoMax')}</div>
            )}
          </div>

          {refund > 0 ? (
            <div class={`field wide${errors.refund_method ? ' has-error' : ''}`}>
              <span class="field-label" id="refund-method-label">
                {t('refund.method')}
                <span class="req">*</span>
              </span>
              <PaymentMethodPicker value={method} onChange={setMethod} testid="refund-method" labelledBy="refund-method-label" field="refund_method" />
              <FieldMessage errors={errors} field="refund_method" />
            </div>
          ) : null}

          {error ? (
            <div class="wide">
              <ErrorBox testid="refund-error">{error}</ErrorBox>
            </div>
          ) : null}

          <div class="modal-foot wide">
            <span class="grow" />
            <button type="button" class="btn btn-outline" onClick={props.onClose}>
              {t('common.cancel')}
            </button>
            <button type="submit" class="btn btn-primary" data-testid="refund-next">
              {t('refund.next')}
            </button>
          </div>
        </form>
      )}
    </Modal>
  );
}
