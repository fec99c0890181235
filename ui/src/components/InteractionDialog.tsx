import { useState } from 'preact/hooks';
import { ApiError, api } from '../api';
import { t, tEnum } from '../i18n';
import { describeError } from '../logic/errors';
import { localDateTimeToRfc3339, localDateTimeValue } from '../logic/format';
import { INTERACTION_TYPES } from '../types';
import { Modal } from './Modal';
import { ErrorBox } from './ui';

function inDays(n: number, hour = 10): Date {
  const d = new Date();
  d.setDate(d.getDate() + n);
  d.setHours(hour, 0, 0, 0);
  return d;
}

export function InteractionDialog(props: { customerId: string; customerName: string; onClose: () => void; onDone: () => void }) {
  const [type, setType] = useState<string>('call');
  const [when, setWhen] = useState(localDateTimeValue());
  const [duration, setDuration] = useState('');
  const [notes, setNotes] = useState('');
  const [outcome, setOutcome] = useState('');
  const [follow, setFollow] = useState(false);
  const [fuDate, setFuDate] = useState(localDateTimeValue(inDays(3)));
  const [fuType, setFuType] = useState<string>('call');
  const [fuNotes, setFuNotes] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [errorField, setErrorField] = useState<string | null>(null);

  const submit = async () => {
    if (busy) return;
    setBusy(true);
    setError(null);
    setErrorField(null);
    const body: Record<string, unknown> = { interaction_type: type };
    const date = localDateTimeToRfc3339(when);
    if (date) body.date = date;
    if (duration.trim()) body.duration_minutes = Number(duration);
    if (notes.trim()) body.notes = notes.trim();
    if (outcome.trim()) body.outcome = outcome.trim();
    if (follow) {
      body.follow_up = {
        required: true,
        date: localDateTimeToRfc3339(fuDate),
        type: fuType,
        notes: fuNotes.trim() || null,
      };
    }
    try {
      await api('POST', `/api/v1/customers/${encodeURIComponent(props.customerId)}/interactions`, body);
      props.onDone();
    } catch (e) {
      setBusy(false);
      setError(describeError(e));
      const f = e instanceof ApiError ? e.field : null;
      setErrorField(f);
      if (f) document.querySelector<HTMLElement>(`[data-field="${f}"]`)?.focus();
    }
  };

  const has = (f: string) => (errorField === f ? ' has-error' : '');

  return (
    <Modal title={`${t('interactionForm.title')} — ${props.customerName}`} onClose={props.onClose} testid="interaction-dialog" width={600} busy={busy}>
      <form
        class="form-grid"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
        onKeyDown={(e) => {
          const tag = (e.target as HTMLElement).tagName;
          if (e.key === 'Enter' && !e.isComposing && tag !== 'BUTTON' && (tag !== 'TEXTAREA' || e.ctrlKey || e.metaKey)) {
            e.preventDefault();
            submit();
          }
        }}
      >
        <div class={`field${has('interaction_type')}`}>
          <label class="field-label" for="ix-type">
            {t('interactionForm.type')}
          </label>
          <select id="ix-type" class="input" data-autofocus data-testid="interaction-type" data-field="interaction_type" value={type} onChange={(e) => setType(e.currentTarget.value)}>
            {INTERACTION_TYPES.map((x) => (
              <option key={x} value={x}>
                {tEnum('interaction', x)}
              </option>
            ))}
          </select>
        </div>
        <div class={`field${has('date')}`}>
          <label class="field-label" for="ix-date">
            {t('interactionForm.datetime')}
          </label>
          <input id="ix-date" type="datetime-local" class="input" data-testid="interaction-date" data-field="date" value={when} onChange={(e) => setWhen(e.currentTarget.value)} />
        </div>
        <div class={`field${has('duration_minutes')}`}>
          <label class="field-label" for="ix-duration">
            {t('interactionForm.duration')}
          </label>
          <input
            id="ix-duration"
            type="number"
            min={0}
            class="input"
            data-testid="interaction-duration"
            data-field="duration_minutes"
            value={duration}
            onInput={(e) => setDuration(e.currentTarget.value)}
          />
        </div>
        <div class={`field${has('outcome')}`}>
          <label class="field-label" for="ix-outcome">
            {t('interactionForm.outcome')}
          </label>
          <input
            id="ix-outcome"
            class="input"
            data-testid="interaction-outcome"
            data-field="outcome"
            placeholder={t('interactionForm.outcomePlaceholder')}
            value={outcome}
            onInput={(e) => setOutcome(e.currentTarget.value)}
          />
        </div>
        <div class={`field wide${has('notes')}`}>
          <label class="field-label" for="ix-notes">
            {t('interactionForm.notes')}
          </label>
          <textarea id="ix-notes" rows={3} class="input" data-testid="interaction-notes" data-field="notes" value={notes} onInput={(e) => setNotes(e.currentTarget.value)} />
        </div>

        <div class="field wide">
          <label class="check">
            <input type="checkbox" data-testid="interaction-followup" checked={follow} onChange={(e) => setFollow(e.currentTarget.checked)} />
            {t('interactionForm.followUp')}
          </label>
        </div>
        {follow ? (
          <>
            <div class={`field${has('follow_up.date')}`}>
              <label class="field-label" for="ix-fu-date">
                {t('interactionForm.followUpDate')}
              </label>
              <input
                id="ix-fu-date"
                type="datetime-local"
                class="input"
                data-testid="interaction-followup-date"
                data-field="follow_up.date"
                value={fuDate}
                onChange={(e) => setFuDate(e.currentTarget.value)}
              />
            </div>
            <div class={`field${has('follow_up.type')}`}>
              <label class="field-label" for="ix-fu-type">
                {t('interactionForm.followUpType')}
              </label>
              <select id="ix-fu-type" class="input" data-testid="interaction-followup-type" data-field="follow_up.type" value={fuType} onChange={(e) => setFuType(e.currentTarget.value)}>
                {INTERACTION_TYPES.map((x) => (
                  <option key={x} value={x}>
                    {tEnum('interaction', x)}
                  </option>
                ))}
              </select>
            </div>
            <div class={`field wide${has('follow_up.notes')}`}>
              <label class="field-label" for="ix-fu-notes">
                {t('interactionForm.followUpNotes')}
              </label>
              <input id="ix-fu-notes" class="input" data-testid="interaction-followup-notes" data-field="follow_up.notes" value={fuNotes} onInput={(e) => setFuNotes(e.currentTarget.value)} />
            </div>
          </>
        ) : null}

        {error ? (
          <div class="wide">
            <ErrorBox testid="interaction-error">{error}</ErrorBox>
          </div>
        ) : null}

        <div class="modal-foot wide">
          <span class="muted small">Enter · Ctrl+Enter · Esc</span>
          <span class="grow" />
          <button type="button" class="btn btn-outline" onClick={props.onClose} disabled={busy}>
            {t('common.cancel')}
          </button>
          <button type="submit" class="btn btn-primary" data-testid="interaction-submit" disabled={busy}>
            {busy ? t('common.saving') : t('interactionForm.submit')}
          </button>
        </div>
      </form>
    </Modal>
  );
}
