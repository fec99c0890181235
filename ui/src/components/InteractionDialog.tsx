import { useState } from 'preact/hooks';
import { api } from '../api';
import { t, tEnum } from '../i18n';
import { describeError, describeFieldError, errorsByInput } from '../logic/errors';
import { localDateTimeToRfc3339, localDateTimeValue } from '../logic/format';
import { INTERACTION_TYPES } from '../types';
import { Modal } from './Modal';
import { DateInput, TimeInput } from './DateInput';
import { ErrorBox, FieldMessage } from './ui';

/** The body fields this dialog has an input for. */
const FIELDS = ['interaction_type', 'date', 'duration_minutes', 'outcome', 'notes', 'follow_up.date', 'follow_up.type', 'follow_up.notes'];

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
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<string, string>>>({});

  const submit = async () => {
    if (busy) return;
    setBusy(true);
    setError(null);
    setFieldErrors({});
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
      // Every field error next to its field; the box above the buttons says what has no field.
      const { byInput, rest } = errorsByInput(e, (f) => (FIELDS.includes(f) ? f : null));
      const first = Object.keys(byInput)[0];
      setFieldErrors(byInput);
      setError(first ? (rest.length ? rest.map(describeFieldError).join(' ') : null) : describeError(e));
      if (first) document.querySelector<HTMLElement>(`[data-field="${first}"]`)?.focus();
    }
  };

  const has = (f: string) => (fieldErrors[f] ? ' has-error' : '');
  // A date-time typed as a date and a 24-hour time (see DateInput).
  const datePart = (v: string) => v.slice(0, 10);
  const timePart = (v: string) => v.slice(11, 16);

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
          <FieldMessage errors={fieldErrors} field="interaction_type" />
        </div>
        <div class={`field${has('date')}`}>
          <label class="field-label" for="ix-date">
            {t('interactionForm.datetime')}
          </label>
          <span class="date-time">
            <DateInput id="ix-date" testid="interaction-date" field="date" value={datePart(when)} onChange={(d) => setWhen(`${d}T${timePart(when)}`)} />
            <TimeInput testid="interaction-time" ariaLabel={t('interactionForm.time')} value={timePart(when)} onChange={(h) => setWhen(`${datePart(when)}T${h}`)} />
          </span>
          <FieldMessage errors={fieldErrors} field="date" />
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
          <FieldMessage errors={fieldErrors} field="duration_minutes" />
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
          <FieldMessage errors={fieldErrors} field="outcome" />
        </div>
        <div class={`field wide${has('notes')}`}>
          <label class="field-label" for="ix-notes">
            {t('interactionForm.notes')}
          </label>
          <textarea id="ix-notes" rows={3} class="input" data-testid="interaction-notes" data-field="notes" value={notes} onInput={(e) => setNotes(e.currentTarget.value)} />
          <FieldMessage errors={fieldErrors} field="notes" />
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
              <span class="date-time">
                <DateInput id="ix-fu-date" testid="interaction-followup-date" field="follow_up.date" value={datePart(fuDate)} onChange={(d) => setFuDate(`${d}T${timePart(fuDate)}`)} />
                <TimeInput testid="interaction-followup-time" ariaLabel={t('interactionForm.time')} value={timePart(fuDate)} onChange={(h) => setFuDate(`${datePart(fuDate)}T${h}`)} />
              </span>
              <FieldMessage errors={fieldErrors} field="follow_up.date" />
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
              <FieldMessage errors={fieldErrors} field="follow_up.type" />
            </div>
            <div class={`field wide${has('follow_up.notes')}`}>
              <label class="field-label" for="ix-fu-notes">
                {t('interactionForm.followUpNotes')}
              </label>
              <input id="ix-fu-notes" class="input" data-testid="interaction-followup-notes" data-field="follow_up.notes" value={fuNotes} onInput={(e) => setFuNotes(e.currentTarget.value)} />
              <FieldMessage errors={fieldErrors} field="follow_up.notes" />
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
