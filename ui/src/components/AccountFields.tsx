import { useState } from 'preact/hooks';
import { Field } from './ui';
import { t, type I18nKey } from '../i18n';
import { describeError, errorsByInput } from '../logic/errors';
import { passwordChecks } from '../logic/password';

/** A new account's username (`autoComplete`: `username` on the set-up, where it is one's own). */
export function UsernameInput(props: {
  id: string;
  value: string;
  onInput: (v: string) => void;
  error?: string | null;
  disabled?: boolean;
  autoComplete?: string;
}) {
  return (
    <Field label={t('setup.username')} htmlFor={props.id} error={props.error} hint={t('setup.usernameHint')} required>
      <input
        id={props.id}
        class="input"
        data-testid={props.id}
        autoComplete={props.autoComplete ?? 'off'}
        autoCapitalize="none"
        spellcheck={false}
        value={props.value}
        disabled={props.disabled}
        onInput={(e) => props.onInput(e.currentTarget.value)}
      />
    </Field>
  );
}

/**
 * A new password: the input and, under it, each rule of the strength check ticked off as it
 * is met. `username` is the account's (the password may not contain it).
 */
export function NewPasswordInput(props: {
  id: string;
  label: string;
  value: string;
  onInput: (v: string) => void;
  username: string;
  error?: string | null;
  disabled?: boolean;
  testid: string;
  autoFocus?: boolean;
}) {
  const checks = passwordChecks(props.value, props.username);
  return (
    <Field label={props.label} htmlFor={props.id} error={props.error} required>
      <input
        id={props.id}
        class="input"
        type="password"
        autoComplete="new-password"
        data-testid={props.testid}
        data-field="password"
        value={props.value}
        autoFocus={props.autoFocus}
        disabled={props.disabled}
        aria-describedby={`${props.id}-rules`}
        onInput={(e) => props.onInput(e.currentTarget.value)}
      />
      <ul class="pw-rules" id={`${props.id}-rules`} data-testid={`${props.testid}-rules`} aria-live="polite">
        {checks.map((c) => (
          <li key={c.rule} class={c.ok ? 'ok' : ''} data-testid={`${props.testid}-rule-${c.rule}`} data-ok={String(c.ok)}>
            <span class="pw-mark" aria-hidden="true">
              {c.ok ? '✓' : '•'}
            </span>
            {t(`password.rule.${c.rule}` as I18nKey)}
          </li>
        ))}
        <li class="pw-note">{t('password.rulesNote')}</li>
      </ul>
    </Field>
  );
}

/** The same password typed again; the mismatch shows once something was typed. */
export function ConfirmPasswordInput(props: {
  id: string;
  value: string;
  onInput: (v: string) => void;
  password: string;
  disabled?: boolean;
  testid: string;
  label?: string;
}) {
  const mismatch = props.value !== '' && props.value !== props.password;
  return (
    <Field label={props.label ?? t('password.confirm')} htmlFor={props.id} error={mismatch ? t('password.mismatch') : null} required>
      <input
        id={props.id}
        class="input"
        type="password"
        autoComplete="new-password"
        data-testid={props.testid}
        value={props.value}
        disabled={props.disabled}
        onInput={(e) => props.onInput(e.currentTarget.value)}
      />
    </Field>
  );
}

/** Field errors of a 422 (`{field: message}`, every one the server listed), or null when the error is not about a field of the form. */
export function fieldErrorOf(e: unknown, known: string[]): Record<string, string> | null {
  const err = e as { code?: string; field?: string | null; message?: string } | null;
  if (err && err.code === 'VALIDATION_ERROR') {
    const { byInput } = errorsByInput(e, (f) => (known.includes(f) ? f : null));
    if (Object.keys(byInput).length) return byInput as Record<string, string>;
  }
  if (err && err.code === 'DUPLICATE_USERNAME' && known.includes('username')) {
    return { username: t('err.DUPLICATE_USERNAME') };
  }
  return null;
}

/**
 * The submit logic of the account forms: `check` first (local field errors stop it), then
 * `send`; an error the server answers about one of `fields` lands on that field, anything else
 * in `error`. `busy` stays on after a success (the form is then closed or replaced).
 */
export function useCheckedForm(fields: string[], check: () => Record<string, string>, send: () => Promise<void>) {
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const submit = async (e?: Event) => {
    e?.preventDefault();
    if (busy) return;
    const local = check();
    setErrors(local);
    setError(null);
    if (Object.keys(local).length) return;
    setBusy(true);
    try {
      await send();
    } catch (err) {
      setBusy(false);
      const onField = fieldErrorOf(err, fields);
      if (onField) setErrors(onField);
      else setError(describeError(err));
    }
  };
  return { busy, errors, error, submit };
}
