import { useEffect, useRef, useState } from 'preact/hooks';
import { t } from '../i18n';
import { isIsoDate, isTime, typeDate, typeTime } from '../logic/dates';

/** Whether this engine can open a date input's calendar from a script (Chromium, recent WebKit). */
const canShowPicker = typeof HTMLInputElement !== 'undefined' && 'showPicker' in HTMLInputElement.prototype;

interface DateInputProps {
  id?: string;
  value: string;
  /** Called with a complete, real date (YYYY-MM-DD), or '' when the field is emptied. */
  onChange: (value: string) => void;
  testid: string;
  min?: string;
  max?: string;
  ariaLabel?: string;
  field?: string;
  invalid?: boolean;
}

/**
 * A date field that reads YYYY-MM-DD in every language and on every engine. A native
 * <input type="date"> shows the order of the browser's locale (Chromium) or the system's
 * (WebKitGTK), so the text here is ours; the native input only lends its calendar, opened by
 * the button beside it.
 */
export function DateInput(props: DateInputProps) {
  const [text, setText] = useState(props.value);
  const [bad, setBad] = useState(false);
  const picker = useRef<HTMLInputElement>(null);

  useEffect(() => {
    // A value set from outside (a preset, a reset) replaces what is typed.
    setText(props.value);
    setBad(false);
  }, [props.value]);

  // Only a complete, real date (or nothing) reaches the owner. A half-typed or impossible date
  // is kept while typing; once the field is left it goes back to the date in use, marked, so
  // what the field shows is always what will be used.
  const take = (raw: string, final: boolean) => {
    const next = typeDate(raw);
    if (next === '' || isIsoDate(next)) {
      setText(next);
      setBad(false);
      if (next !== props.value) props.onChange(next);
    } else if (final) {
      setText(props.value);
      setBad(true);
    } else {
      setText(next);
      setBad(false);
    }
  };

  const invalid = bad || !!props.invalid;
  return (
    <span class="date-input">
      <input
        id={props.id}
        type="text"
        class="input"
        inputMode="numeric"
        autoComplete="off"
        placeholder={t('date.placeholder')}
        maxLength={10}
        data-testid={props.testid}
        data-field={props.field}
        aria-label={props.ariaLabel}
        aria-invalid={invalid ? true : undefined}
        title={bad ? t('date.invalid') : undefined}
        value={text}
        onInput={(e) => take(e.currentTarget.value, false)}
        onChange={(e) => take(e.currentTarget.value, true)}
        onBlur={(e) => take(e.currentTarget.value, true)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') take(e.currentTarget.value, true);
        }}
      />
      {canShowPicker ? (
        <>
          <button
            type="button"
            class="btn btn-ghost date-input-calendar"
            aria-label={t('date.openCalendar')}
            title={t('date.openCalendar')}
            data-testid={`${props.testid}-calendar`}
            onClick={() => {
              try {
                picker.current?.showPicker();
              } catch {
                picker.current?.focus();
              }
            }}
          >
            <svg viewBox="0 0 16 16" width="16" height="16" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="1.4">
              <rect x="2" y="3" width="12" height="11" rx="1.5" />
              <path d="M2 6.5h12M5 1.5v3M11 1.5v3" stroke-linecap="round" />
            </svg>
          </button>
          <input
            ref={picker}
            type="date"
            class="date-input-native"
            tabIndex={-1}
            aria-hidden="true"
            min={props.min}
            max={props.max}
            value={isIsoDate(text) ? text : ''}
            onChange={(e) => take(e.currentTarget.value, true)}
          />
        </>
      ) : null}
    </span>
  );
}

/** A 24-hour time field, HH:MM, for the same reason (a native time input may show AM/PM). */
export function TimeInput(props: { id?: string; value: string; onChange: (v: string) => void; testid: string; ariaLabel?: string }) {
  const [text, setText] = useState(props.value);
  useEffect(() => {
    if (props.value !== text) setText(props.value);
  }, [props.value]);
  const take = (raw: string) => {
    const next = typeTime(raw);
    setText(next);
    if (isTime(next) && next !== props.value) props.onChange(next);
  };
  return (
    <input
      id={props.id}
      type="text"
      class="input time-input"
      inputMode="numeric"
      autoComplete="off"
      placeholder="HH:MM"
      maxLength={5}
      data-testid={props.testid}
      aria-label={props.ariaLabel}
      aria-invalid={text !== '' && !isTime(text) ? true : undefined}
      value={text}
      onInput={(e) => take(e.currentTarget.value)}
      onChange={(e) => take(e.currentTarget.value)}
    />
  );
}
