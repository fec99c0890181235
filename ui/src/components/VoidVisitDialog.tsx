import { useState } from 'preact/hooks';
import { api } from '../api';
import { serviceName } from '../catalog';
import { t, tEnum } from '../i18n';
import { describeError, fieldErrorsOf } from '../logic/errors';
import { formatDate, formatWon } from '../logic/format';
import type { Session, VisitVoidResult } from '../types';
import { Modal } from './Modal';
import { ErrorBox, FieldMessage } from './ui';

/** Who cancels: the person who recorded the visit a moment ago, or a manager / admin. */
export type VoidMode = 'own' | 'manager';

/** May the person who recorded `s` still void it themselves (`created_by` is them and `void_until` is ahead)? */
export function canVoidOwn(s: Session, userId: string, now: number = Date.now()): boolean {
  if (s.cancelled || !s.created_by || s.created_by !== userId || !s.void_until) return false;
  const until = Date.parse(s.void_until);
  return Number.isFinite(until) && now < until;
}

/** A paid single visit (it has a receipt and its void is a refund), as opposed to a package visit. */
export function isPaidVisit(s: Session): boolean {
  return !s.package_usage_id && typeof s.amount === 'number' && s.amount > 0;
}

/**
 * Cancelling a visit (`POST /sessions/{id}/cancel`): a reason is required, and the dialog says
 * what follows — a package session comes back, or a paid visit's money is counted as refunded.
 * No form: only the confirm button cancels (Enter in the reason does not).
 */
export function VoidVisitDialog(props: { session: Session; mode: VoidMode; onClose: () => void; onDone: (r: VisitVoidResult | null) => void }) {
  const s = props.session;
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [reasonError, setReasonError] = useState<string | null>(null);

  const confirm = async () => {
    if (busy) return;
    if (!reason.trim()) {
      setReasonError(t('void.reasonRequired'));
      document.getElementById('cancel-reason')?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    setReasonError(null);
    try {
      const env = await api<VisitVoidResult>('POST', `/api/v1/sessions/${encodeURIComponent(s.session_id)}/cancel`, { reason: reason.trim() });
      props.onDone(env.data ?? null);
    } catch (e) {
      setBusy(false);
      const onReason = fieldErrorsOf(e).find((f) => f.field === 'reason');
      if (onReason) setReasonError(onReason.message);
      else setError(describeError(e));
    }
  };

  return (
    <Modal title={props.mode === 'own' ? t('void.titleOwn') : t('void.titleManager')} onClose={props.onClose} testid="cancel-visit-dialog" width={480} busy={busy}>
      <div class="void-body" data-mode={props.mode}>
        <p>{t('void.body', { date: formatDate(s.service_date), service: serviceName(s.service_type, s.service_name) })}</p>
        <p class="muted" data-testid="void-consequence">
          {isPaidVisit(s)
            ? t('void.paidRefund', { amount: formatWon(s.amount), method: s.payment_method ? tEnum('payment', s.payment_method) : t('common.empty') })
            : s.package_usage_id
              ? t('void.packageBack', { package: s.package_name || t('common.empty') })
              : t('void.nothingPaid')}
        </p>
        <div class={`field${reasonError ? ' has-error' : ''}`}>
          <label class="field-label" for="cancel-reason">
            {t('void.reason')}
            <span class="req">*</span>
          </label>
          <input
            id="cancel-reason"
            class="input"
            data-autofocus
            data-testid="cancel-reason"
            maxLength={500}
            value={reason}
            onInput={(e) => setReason(e.currentTarget.value)}
          />
          <FieldMessage errors={{ reason: reasonError ?? undefined }} field="reason" />
        </div>
        {error ? <ErrorBox testid="cancel-error">{error}</ErrorBox> : null}
        <div class="modal-foot">
          <span class="grow" />
          <button type="button" class="btn btn-outline" onClick={props.onClose} disabled={busy}>
            {t('common.close')}
          </button>
          <button type="button" class="btn btn-danger" data-testid="cancel-confirm" onClick={confirm} disabled={busy}>
            {busy ? t('void.submitting') : t('void.confirm')}
          </button>
        </div>
      </div>
    </Modal>
  );
}
