import { ApiError } from '../api';
import { hasKey, t } from '../i18n';

/**
 * A message for an error, in the current language. Known codes use our own wording; a
 * VALIDATION_ERROR keeps the server's message (it says what is wrong with which field), with
 * the allowed values when the server lists them.
 */
export function describeError(e: unknown): string {
  if (e instanceof ApiError) {
    if (e.code === 'VALIDATION_ERROR' || (e.code === 'FORBIDDEN_ROLE' && e.field)) {
      const base = e.message && e.message !== e.code ? e.message : t(`err.${e.code}` as never);
      const allowed = e.details?.allowed_values;
      if (Array.isArray(allowed) && allowed.length && !base.includes(String(allowed[0]))) {
        return `${base} (${t('form.allowedValues', { values: allowed.join(', ') })})`;
      }
      const max = e.details?.max_length;
      if (typeof max === 'number' && !base.includes(String(max))) return `${base} (${t('form.maxLength', { n: max })})`;
      return base;
    }
    const key = `err.${e.code}`;
    if (hasKey(key)) return t(key);
    return e.message && e.message !== e.code ? e.message : t('err.generic');
  }
  if (e instanceof Error && e.message) return e.message;
  return t('err.generic');
}

/** One entry of `error.details.errors` (docs/API.md § Conventions). */
export interface FieldError {
  field: string;
  code: string;
  reason?: string;
  message: string;
  allowed_values?: unknown[] | null;
}

/**
 * Every field error of an API error: `details.errors` when the server listed them (all the
 * mistakes of one submit), else the one `field` it named. Empty when the error is not about
 * a field.
 */
export function fieldErrorsOf(e: unknown): FieldError[] {
  if (!(e instanceof ApiError)) return [];
  const listed = e.details?.errors;
  if (Array.isArray(listed)) {
    const out: FieldError[] = [];
    for (const item of listed) {
      if (item && typeof item === 'object' && typeof (item as FieldError).field === 'string') {
        const fe = item as FieldError;
        out.push({ ...fe, message: typeof fe.message === 'string' ? fe.message : e.message });
      }
    }
    if (out.length) return out;
  }
  if (e.field) {
    const allowed = e.details?.allowed_values;
    return [{ field: e.field, code: e.code, message: describeError(e), allowed_values: Array.isArray(allowed) ? allowed : undefined }];
  }
  return [];
}

/** What to show next to a field: the server's message (in the UI's language), with the allowed values when it does not list them. */
export function describeFieldError(fe: FieldError): string {
  const base = fe.message || t('err.VALIDATION_ERROR');
  const allowed = fe.allowed_values;
  if (Array.isArray(allowed) && allowed.length && !base.includes(String(allowed[0]))) {
    return `${base} (${t('form.allowedValues', { values: allowed.join(', ') })})`;
  }
  return base;
}

/**
 * Field errors as `{inputKey: message}` for a form whose inputs `keyOf` finds (null: not an
 * input of this form); the errors no input shows come back in `rest`. The first message per
 * input wins.
 */
export function errorsByInput<K extends string>(
  e: unknown,
  keyOf: (field: string) => K | null,
): { byInput: Partial<Record<K, string>>; rest: FieldError[] } {
  const byInput: Partial<Record<K, string>> = {};
  const rest: FieldError[] = [];
  for (const fe of fieldErrorsOf(e)) {
    const key = keyOf(fe.field);
    if (key === null) rest.push(fe);
    else if (!byInput[key]) byInput[key] = describeFieldError(fe);
  }
  return { byInput, rest };
}
