import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api';
import { toast } from '../context';
import { t, tEnum } from '../i18n';
import { newPasswordErrors } from '../logic/password';
import type { User } from '../types';
import { Modal } from './Modal';
import { ConfirmPasswordInput, NewPasswordInput, useCheckedForm } from './AccountFields';
import { ErrorBox, Field } from './ui';

/** The signed-in user in the top bar; opens a menu with "change password". */
export function AccountMenu({ user }: { user: User }) {
  const [open, setOpen] = useState(false);
  const [changing, setChanging] = useState(false);
  const ref = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!open) return;
    const onDown = (e: MouseEvent) => {
      if (ref.current && !ref.current.contains(e.target as Node)) setOpen(false);
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') setOpen(false);
    };
    document.addEventListener('mousedown', onDown);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('mousedown', onDown);
      document.removeEventListener('keydown', onKey);
    };
  }, [open]);

  return (
    <div class="account-menu" ref={ref}>
      <button
        type="button"
        class="user-chip as-chip"
        data-testid="header-user"
        title={t('header.account')}
        aria-haspopup="menu"
        aria-expanded={open}
        onClick={() => setOpen((x) => !x)}
      >
        <span class="avatar" aria-hidden="true">
          {(user.display_name || user.username || '?').slice(0, 1)}
        </span>
        <span class="user-name" data-testid="header-user-name">
          {user.display_name || user.username}
        </span>
        <span class={`role-badge role-${user.role}`} data-testid="header-role" data-value={user.role}>
          {tEnum('role', user.role)}
        </span>
        <span class="chev" aria-hidden="true">
          ▾
        </span>
      </button>
      {open ? (
        <div class="menu" role="menu" data-testid="account-menu">
          <div class="menu-head muted small">{user.username}</div>
          <button
            type="button"
            role="menuitem"
            class="menu-item"
            data-testid="change-password-button"
            onClick={() => {
              setOpen(false);
              setChanging(true);
            }}
          >
            {t('header.changePassword')}
          </button>
        </div>
      ) : null}
      {changing ? <ChangePasswordDialog user={user} onClose={() => setChanging(false)} /> : null}
    </div>
  );
}

/** Every user's own password: current one, new one (checked), the new one again. */
export function ChangePasswordDialog({ user, onClose }: { user: User; onClose: () => void }) {
  const [current, setCurrent] = useState('');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const { busy, errors, error, submit } = useCheckedForm(
    ['current_password', 'new_password'],
    () => {
      if (!current) return { current_password: t('password.currentRequired') };
      if (password !== '' && password === current) return { new_password: t('password.sameAsCurrent') };
      return newPasswordErrors('new_password', password, confirm, user.username);
    },
    async () => {
      await api('POST', '/api/v1/auth/password', { current_password: current, new_password: password });
      toast(t('password.changed'));
      onClose();
    },
  );

  return (
    <Modal title={t('password.changeTitle')} onClose={onClose} testid="change-password-dialog" width={460} busy={busy}>
      <form class="stack" onSubmit={submit} noValidate>
        <p class="muted small">{t('password.changeHint')}</p>
        <Field label={t('password.current')} htmlFor="pw-current" error={errors.current_password} required>
          <input
            id="pw-current"
            class="input"
            type="password"
            autoComplete="current-password"
            data-testid="current-password"
            data-autofocus
            value={current}
            disabled={busy}
            onInput={(e) => setCurrent(e.currentTarget.value)}
          />
        </Field>
        <NewPasswordInput id="pw-new" label={t('password.new')} testid="new-password" value={password} onInput={setPassword} username={user.username} error={errors.new_password} disabled={busy} />
        <ConfirmPasswordInput id="pw-confirm" testid="confirm-password" value={confirm} onInput={setConfirm} password={password} disabled={busy} />
        {error ? <ErrorBox testid="change-password-error">{error}</ErrorBox> : null}
        <div class="modal-foot">
          <span class="grow" />
          <button type="button" class="btn btn-outline" onClick={onClose} disabled={busy}>
            {t('common.cancel')}
          </button>
          <button type="submit" class="btn btn-primary" data-testid="change-password-submit" disabled={busy || password === '' || password !== confirm}>
            {busy ? t('common.saving') : t('password.changeSubmit')}
          </button>
        </div>
      </form>
    </Modal>
  );
}
