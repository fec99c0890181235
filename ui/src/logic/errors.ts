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
