import { t } from '../i18n';

// Live feedback while a password is chosen: the simple rules of the server's strength check
// (`domain::account`), so the person sees what is missing before sending. The server decides —
// it also refuses common and keyboard-pattern passwords, and says so in its 422 message.

export const PASSWORD_MIN = 10;

export type PasswordRule = 'length' | 'kinds' | 'username';

/** Lower case, upper case, digits, anything else: how many of the four kinds appear. */
export function characterKinds(password: string): number {
  const kinds = new Set<number>();
  for (const c of password) {
    if (c >= 'a' && c <= 'z') kinds.add(0);
    else if (c >= 'A' && c <= 'Z') kinds.add(1);
    else if (c >= '0' && c <= '9') kinds.add(2);
    else kinds.add(3);
  }
  return kinds.size;
}

/** Each rule and whether `password` meets it (for `username`, when one is given). */
export function passwordChecks(password: string, username: string): { rule: PasswordRule; ok: boolean }[] {
  const user = username.trim().toLowerCase();
  return [
    { rule: 'length', ok: [...password].length >= PASSWORD_MIN },
    { rule: 'kinds', ok: characterKinds(password) >= 2 },
    { rule: 'username', ok: password !== '' && (user.length < 3 || !password.toLowerCase().includes(user)) },
  ];
}

/** True when every rule the UI can check holds. */
export function passwordLooksStrong(password: string, username: string): boolean {
  return passwordChecks(password, username).every((c) => c.ok);
}

/** A username as the server stores it: trimmed, lower case. */
export function normalizeUsername(raw: string): string {
  return raw.trim().toLowerCase();
}

/** The server's username rule: 3–50 of a-z 0-9 . _ -, starting with a letter or digit. */
export function usernameValid(raw: string): boolean {
  return /^[a-z0-9][a-z0-9._-]{2,49}$/.test(normalizeUsername(raw));
}

/**
 * What is missing in a new account's form, by field (`display_name`, `username`, `password`,
 * `confirm`); empty when it may be sent.
 */
export function newAccountErrors(form: { displayName: string; username: string; password: string; confirm: string }): Record<string, string> {
  const errors: Record<string, string> = {};
  if (!form.displayName.trim()) errors.display_name = t('setup.nameRequired');
  if (!usernameValid(form.username)) errors.username = t('setup.usernameHint');
  Object.assign(errors, newPasswordErrors('password', form.password, form.confirm, normalizeUsername(form.username)));
  return errors;
}

/** What is missing in a new password (on `field`) and its confirmation (`confirm`). */
export function newPasswordErrors(field: string, password: string, confirm: string, username: string): Record<string, string> {
  if (!passwordLooksStrong(password, username)) return { [field]: t('password.tooWeak') };
  // Shown by the confirmation field itself; here it only stops the form.
  if (password !== confirm) return { confirm: t('password.mismatch') };
  return {};
}
