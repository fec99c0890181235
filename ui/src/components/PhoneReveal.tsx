import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api';
import { t } from '../i18n';
import { describeError } from '../logic/errors';
import { Modal } from './Modal';
import { ErrorBox } from './ui';

export const REVEAL_REASONS = ['follow_up_call', 'booking', 'other'] as const;
export type RevealReason = (typeof REVEAL_REASONS)[number];

interface Revealed {
  customer_id: string;
  phone: string | null;
  reason: RevealReason;
  revealed_at: string;
}

/**
 * Staff see phone numbers masked. To call a customer back they reveal one number for a
 * reason; the server writes who, whom and why to the audit trail before it answers
 * (`POST /api/v1/customers/{id}/phone-reveal`).
 */
export function PhoneRevealButton(props: { customerId: string; customerName: string; reason?: RevealReason; compact?: boolean }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button
        type="button"
        class={`btn btn-outline ${props.compact ? 'btn-xs' : 'btn-sm'}`}
        data-testid="reveal-phone"
        title={t('reveal.buttonTitle')}
        onClick={(e) => {
          e.stopPropagation();
          setOpen(true);
        }}
      >
        {t('reveal.button')}
      </button>
      {open ? <PhoneRevealDialog {...props} onClose={() => setOpen(false)} /> : null}
    </>
  );
}

export function PhoneRevealDialog(props: { customerId: string; customerName: string; reason?: RevealReason; onClose: () => void }) {
  const [reason, setReason] = useState<RevealReason>(props.reason ?? 'follow_up_call');
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [revealed, setRevealed] = useState<Revealed | null>(null);
  const closeRef = useRef<HTMLButtonElement>(null);
  // The form that had the focus is gone: Esc and Enter work on the answer too.
  useEffect(() => {
    if (revealed) closeRef.current?.focus();
  }, [revealed]);

  const submit = async () => {
    if (busy) return;
    if (reason === 'other' && !note.trim()) {
      setError(t('reveal.noteRequired'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const body: Record<string, string> = { reason };
      if (note.trim()) body.note = note.trim();
      const r = await api<Revealed>('POST', `/api/v1/customers/${encodeURIComponent(props.customerId)}/phone-reveal`, body);
      setRevealed(r.data);
    } catch (e) {
      setError(describeError(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal title={`${t('reveal.title')} — ${props.customerName}`} onClose={props.onClose} testid="reveal-dialog" width={440} busy={busy}>
      {revealed ? (
        <div class="reveal-result">
          <div class="reveal-phone mono" data-testid="revealed-phone">
            {revealed.phone ? <a href={`tel:${revealed.phone.replace(/[^0-9+]/g, '')}`}>{revealed.phone}</a> : t('common.empty')}
          </div>
          <p class="muted small">{t('reveal.logged')}</p>
          <div class="modal-foot">
            <span class="grow" />
            <button type="button" class="btn btn-primary" ref={closeRef} data-testid="reveal-close" onClick={props.onClose}>
              {t('common.close')}
            </button>
          </div>
        </div>
      ) : (
        <form
          class="form-grid"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            void submit();
          }}
        >
          <p class="field wide muted small">{t('reveal.explain')}</p>
          <fieldset class="field wide reveal-reasons">
            <legend class="field-label">{t('reveal.reason')}</legend>
            {REVEAL_REASONS.map((r, i) => (
              <label class="check" key={r}>
                <input
                  type="radio"
                  name="reveal-reason"
                  value={r}
                  data-testid={`reveal-reason-${r}`}
                  data-autofocus={i === 0 ? true : undefined}
                  checked={reason === r}
                  onChange={() => setReason(r)}
                />
                {t(`reveal.reason.${r}` as 'reveal.reason.booking')}
              </label>
            ))}
          </fieldset>
          <div class={`field wide${error && reason === 'other' && !note.trim() ? ' has-error' : ''}`}>
            <label class="field-label" for="reveal-note">
              {t('reveal.note')}
              {reason === 'other' ? <span class="req"> *</span> : null}
            </label>
            <input id="reveal-note" class="input" data-testid="reveal-note" maxLength={200} value={note} onInput={(e) => setNote(e.currentTarget.value)} />
          </div>
          {error ? (
            <div class="field wide">
              <ErrorBox testid="reveal-error">{error}</ErrorBox>
            </div>
          ) : null}
          <div class="modal-foot wide">
            <button type="button" class="btn btn-outline" onClick={props.onClose} disabled={busy}>
              {t('common.cancel')}
            </button>
            <button type="submit" class="btn btn-primary" data-testid="reveal-confirm" disabled={busy}>
              {busy ? t('common.loading') : t('reveal.confirm')}
            </button>
          </div>
        </form>
      )}
    </Modal>
  );
}
