import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import { Modal } from '../components/Modal';
import { ConfirmPasswordInput, NewPasswordInput, useCheckedForm, UsernameInput } from '../components/AccountFields';
import { ErrorBox, Field, Spinner } from '../components/ui';
import { toast, useApp } from '../context';
import { t, tEnum } from '../i18n';
import { describeError } from '../logic/errors';
import { formatDateTime } from '../logic/format';
import { newAccountErrors, newPasswordErrors, normalizeUsername } from '../logic/password';
import { STAFF_ROLES, type Account } from '../types';

/**
 * User management (administrators): every staff account, adding one, changing a role,
 * deactivating / reactivating, resetting a password. Deactivation and a reset end the
 * account's sessions, so both go through a confirmation dialog.
 */
export function UsersScreen() {
  const { user } = useApp();
  const [accounts, setAccounts] = useState<Account[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  const [adding, setAdding] = useState(false);
  const [deactivating, setDeactivating] = useState<Account | null>(null);
  const [resetting, setResetting] = useState<Account | null>(null);
  const [busyId, setBusyId] = useState<string | null>(null);
  const reload = () => setTick((x) => x + 1);

  useEffect(() => {
    if (user.role !== 'admin') return;
    let live = true;
    setError(null);
    api<{ users: Account[] }>('GET', '/api/v1/users')
      .then((env) => live && setAccounts(env.data.users))
      .catch((e) => live && setError(describeError(e)));
    return () => {
      live = false;
    };
  }, [tick, user.role]);

  if (user.role !== 'admin') {
    return (
      <div class="screen users-screen">
        <ErrorBox testid="users-forbidden">{t('users.forbidden')}</ErrorBox>
      </div>
    );
  }

  const update = async (a: Account, body: Partial<Pick<Account, 'role' | 'active'>>, done: string) => {
    setBusyId(a.id);
    try {
      await api('PUT', `/api/v1/users/${encodeURIComponent(a.id)}`, body);
      toast(done);
    } catch (e) {
      toast(describeError(e), 'error', 6000);
    } finally {
      setBusyId(null);
      reload();
    }
  };

  return (
    <div class="screen users-screen" data-testid="users-screen">
      <div class="screen-head">
        <h1>
          {t('users.title')}
          {accounts ? <span class="section-note">{t('users.count', { n: accounts.length })}</span> : null}
        </h1>
        <button type="button" class="btn btn-primary" data-testid="add-user-button" onClick={() => setAdding(true)}>
          {t('users.add')}
        </button>
      </div>
      {error ? (
        <ErrorBox testid="users-error">
          {error}
          <button type="button" class="btn btn-sm btn-outline" onClick={reload}>
            {t('common.retry')}
          </button>
        </ErrorBox>
      ) : null}
      {accounts === null && !error ? <Spinner /> : null}
      {accounts ? (
        <div class="table-wrap">
          <table class="table users-table" data-testid="users-table">
            <thead>
              <tr>
                <th>{t('users.colName')}</th>
                <th>{t('users.colUsername')}</th>
                <th>{t('users.colRole')}</th>
                <th>{t('users.colStatus')}</th>
                <th>{t('users.colLastLogin')}</th>
                <th class="actions-col">{t('users.colActions')}</th>
              </tr>
            </thead>
            <tbody>
              {accounts.map((a) => {
                const own = a.id === user.id;
                const busy = busyId === a.id;
                return (
                  <tr key={a.id} data-testid="user-row" data-username={a.username} data-active={String(a.active)} class={a.active ? '' : 'inactive'}>
                    <td class="cell-name">
                      <span data-testid="user-display-name">{a.display_name}</span>
                      {own ? <span class="badge you-badge">{t('users.you')}</span> : null}
                      {a.demo ? <span class="badge demo-badge">{t('users.demo')}</span> : null}
                    </td>
                    <td class="mono" data-testid="user-username">
                      {a.username}
                    </td>
                    <td>
                      <select
                        class="input input-sm role-select"
                        aria-label={t('users.roleOf', { name: a.display_name })}
                        data-testid="user-role"
                        value={a.role}
                        disabled={own || busy}
                        title={own ? t('users.ownHint') : undefined}
                        onChange={(e) => {
                          const role = e.currentTarget.value as Account['role'];
                          void update(a, { role }, t('users.roleChanged', { name: a.display_name, role: tEnum('role', role) }));
                        }}
                      >
                        {STAFF_ROLES.map((r) => (
                          <option key={r} value={r}>
                            {tEnum('role', r)}
                          </option>
                        ))}
                      </select>
                    </td>
                    <td>
                      <span class={`badge ${a.active ? 'user-active' : 'user-inactive'}`} data-testid="user-status">
                        {a.active ? t('users.active') : t('users.inactive')}
                      </span>
                    </td>
                    <td class="mono small">{a.last_login_at ? formatDateTime(a.last_login_at) : <span class="muted">{t('users.never')}</span>}</td>
                    <td class="actions-col">
                      <div class="row-actions">
                        {a.active ? (
                          <button
                            type="button"
                            class="btn btn-xs btn-outline"
                            data-testid="deactivate-user"
                            disabled={own || busy}
                            title={own ? t('users.ownHint') : undefined}
                            onClick={() => setDeactivating(a)}
                          >
                            {t('users.deactivate')}
                          </button>
                        ) : (
                          <button
                            type="button"
                            class="btn btn-xs btn-outline"
                            data-testid="reactivate-user"
                            disabled={busy}
                            onClick={() => void update(a, { active: true }, t('users.reactivated', { name: a.display_name }))}
                          >
                            {t('users.reactivate')}
                          </button>
                        )}
                        <button
                          type="button"
                          class="btn btn-xs btn-outline"
                          data-testid="reset-password"
                          disabled={own || busy}
                          title={own ? t('users.ownPasswordHint') : undefined}
                          onClick={() => setResetting(a)}
                        >
                          {t('users.resetPassword')}
                        </button>
                      </div>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : null}
      {adding ? (
        <AddUserDialog
          onClose={() => setAdding(false)}
          onDone={(a) => {
            setAdding(false);
            toast(t('users.created', { name: a.display_name }));
            reload();
          }}
        />
      ) : null}
      {deactivating ? (
        <DeactivateDialog
          account={deactivating}
          onClose={() => setDeactivating(null)}
          onDone={() => {
            toast(t('users.deactivated', { name: deactivating.display_name }));
            setDeactivating(null);
            reload();
          }}
        />
      ) : null}
      {resetting ? (
        <ResetPasswordDialog
          account={resetting}
          onClose={() => setResetting(null)}
          onDone={() => {
            toast(t('users.passwordReset', { name: resetting.display_name }));
            setResetting(null);
            reload();
          }}
        />
      ) : null}
    </div>
  );
}

function AddUserDialog(props: { onClose: () => void; onDone: (a: Account) => void }) {
  const [displayName, setDisplayName] = useState('');
  const [username, setUsername] = useState('');
  const [role, setRole] = useState<string>('staff');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const { busy, errors, error, submit } = useCheckedForm(
    ['username', 'display_name', 'role', 'password'],
    () => newAccountErrors({ displayName, username, password, confirm }),
    async () => {
      const env = await api<Account>('POST', '/api/v1/users', {
        username: normalizeUsername(username),
        display_name: displayName.trim(),
        role,
        password,
      });
      props.onDone(env.data);
    },
  );

  return (
    <Modal title={t('users.addTitle')} onClose={props.onClose} testid="add-user-dialog" width={480} busy={busy}>
      <form class="form-grid" onSubmit={submit} noValidate>
        <Field label={t('setup.displayName')} htmlFor="add-display-name" error={errors.display_name} required>
          <input id="add-display-name" class="input" data-testid="add-display-name" data-autofocus value={displayName} disabled={busy} onInput={(e) => setDisplayName(e.currentTarget.value)} />
        </Field>
        <Field label={t('users.colRole')} htmlFor="add-role" error={errors.role} required>
          <select id="add-role" class="input" data-testid="add-role" value={role} disabled={busy} onChange={(e) => setRole(e.currentTarget.value)}>
            {STAFF_ROLES.map((r) => (
              <option key={r} value={r}>
                {tEnum('role', r)}
              </option>
            ))}
          </select>
        </Field>
        <div class="wide">
          <UsernameInput id="add-username" value={username} onInput={setUsername} error={errors.username} disabled={busy} />
        </div>
        <div class="wide">
          <NewPasswordInput id="add-password" label={t('login.password')} testid="add-password" value={password} onInput={setPassword} username={normalizeUsername(username)} error={errors.password} disabled={busy} />
        </div>
        <div class="wide">
          <ConfirmPasswordInput id="add-confirm" testid="add-confirm" value={confirm} onInput={setConfirm} password={password} disabled={busy} />
        </div>
        {error ? (
          <div class="wide">
            <ErrorBox testid="add-user-error">{error}</ErrorBox>
          </div>
        ) : null}
        <div class="modal-foot wide">
          <span class="grow" />
          <button type="button" class="btn btn-outline" onClick={props.onClose} disabled={busy}>
            {t('common.cancel')}
          </button>
          <button type="submit" class="btn btn-primary" data-testid="add-user-submit" disabled={busy}>
            {busy ? t('common.saving') : t('users.addSubmit')}
          </button>
        </div>
      </form>
    </Modal>
  );
}

function DeactivateDialog(props: { account: Account; onClose: () => void; onDone: () => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const a = props.account;
  const confirm = async () => {
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      await api('PUT', `/api/v1/users/${encodeURIComponent(a.id)}`, { active: false });
      props.onDone();
    } catch (e) {
      setBusy(false);
      setError(describeError(e));
    }
  };
  return (
    <Modal title={t('users.deactivateTitle')} onClose={props.onClose} testid="deactivate-dialog" width={460} busy={busy}>
      <p class="confirm-text">{t('users.deactivateBody', { name: a.display_name, username: a.username })}</p>
      {error ? <ErrorBox testid="deactivate-error">{error}</ErrorBox> : null}
      <div class="modal-foot">
        <span class="grow" />
        {/* Cancel has the focus: Enter alone never deactivates anyone. */}
        <button type="button" class="btn btn-outline" onClick={props.onClose} disabled={busy} data-autofocus data-testid="deactivate-cancel">
          {t('common.cancel')}
        </button>
        <button type="button" class="btn btn-danger" onClick={confirm} disabled={busy} data-testid="deactivate-confirm">
          {t('users.deactivateConfirm')}
        </button>
      </div>
    </Modal>
  );
}

function ResetPasswordDialog(props: { account: Account; onClose: () => void; onDone: () => void }) {
  const a = props.account;
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const { busy, errors, error, submit } = useCheckedForm(
    ['new_password'],
    () => newPasswordErrors('new_password', password, confirm, a.username),
    async () => {
      await api('POST', `/api/v1/users/${encodeURIComponent(a.id)}/password`, { new_password: password });
      props.onDone();
    },
  );
  return (
    <Modal title={t('users.resetTitle')} onClose={props.onClose} testid="reset-password-dialog" width={460} busy={busy}>
      <form class="stack" onSubmit={submit} noValidate>
        <p class="confirm-text">{t('users.resetBody', { name: a.display_name, username: a.username })}</p>
        <NewPasswordInput id="reset-password" label={t('password.new')} testid="reset-new-password" value={password} onInput={setPassword} username={a.username} error={errors.new_password} disabled={busy} autoFocus />
        <ConfirmPasswordInput id="reset-confirm" testid="reset-confirm" value={confirm} onInput={setConfirm} password={password} disabled={busy} />
        {error ? <ErrorBox testid="reset-error">{error}</ErrorBox> : null}
        <div class="modal-foot">
          <span class="grow" />
          <button type="button" class="btn btn-outline" onClick={props.onClose} disabled={busy}>
            {t('common.cancel')}
          </button>
          <button type="submit" class="btn btn-danger" data-testid="reset-submit" disabled={busy || password === '' || password !== confirm}>
            {t('users.resetConfirm')}
          </button>
        </div>
      </form>
    </Modal>
  );
}
