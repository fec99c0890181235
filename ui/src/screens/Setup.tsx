import { Fragment } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { setupFirstAdmin } from '../api';
import { ConfirmPasswordInput, NewPasswordInput, useCheckedForm, UsernameInput } from '../components/AccountFields';
import { SyncConnectForm } from '../components/SyncConnectForm';
import { ErrorBox, Field, LangToggle } from '../components/ui';
import { t } from '../i18n';
import { newAccountErrors, normalizeUsername } from '../logic/password';
import { markOnce } from '../perf';
import type { SyncConnected } from '../types';
import { AuthPage } from './Login';

/**
 * First run without demo data: no administrator can log in yet. On the desktop this creates
 * the clinic's first administrator, who is then logged in — or, for a clinic that already has
 * its central server, connects this PC to it instead (the server's login authorises that, and
 * its staff accounts arrive with the first sync): `onConnected` then gets the username that
 * connected, and whether the accounts are here (`onRecheck` asks again later when not). A
 * server does not offer either (`allowed` false): the screen shows the command that creates
 * the administrator.
 */
export function Setup(props: {
  allowed: boolean;
  connectAllowed?: boolean;
  onRecheck: () => void;
  onConnected?: (username: string, accountsArrived: boolean) => void;
}) {
  useEffect(() => markOnce('setup-screen'), []);
  const [connecting, setConnecting] = useState(false);
  const connect = (
    <ConnectToServer
      onBack={props.allowed ? () => setConnecting(false) : undefined}
      onRecheck={props.onRecheck}
      onConnected={(username, arrived) => props.onConnected?.(username, arrived)}
    />
  );
  let body;
  // A node served over HTTP (a branch server) cannot create an administrator here, but it
  // can connect to its central server, whose accounts then arrive.
  if (!props.allowed) body = props.connectAllowed ? connect : <ServerSetupHint onRecheck={props.onRecheck} />;
  else if (connecting) body = connect;
  else body = <SetupForm onConnectPath={() => setConnecting(true)} />;
  return <AuthPage extraClass="setup-page">{body}</AuthPage>;
}

function SetupForm({ onConnectPath }: { onConnectPath: () => void }) {
  const [displayName, setDisplayName] = useState('');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const { busy, errors, error, submit } = useCheckedForm(
    ['username', 'display_name', 'password'],
    () => newAccountErrors({ displayName, username, password, confirm }),
    // App switches to the signed-in shell on the session event.
    () => setupFirstAdmin({ username: normalizeUsername(username), display_name: displayName.trim(), password }).then(() => undefined),
  );

  return (
    <form class="login-card setup-card" onSubmit={submit} data-testid="setup-form" noValidate>
      <div class="login-top">
        <h1>{t('setup.title')}</h1>
        <LangToggle />
      </div>
      <p class="muted">{t('setup.subtitle')}</p>
      <Field label={t('setup.displayName')} htmlFor="setup-display-name" error={errors.display_name} required>
        <input
          id="setup-display-name"
          class="input"
          data-testid="setup-display-name"
          autoComplete="name"
          autoFocus
          value={displayName}
          disabled={busy}
          onInput={(e) => setDisplayName(e.currentTarget.value)}
        />
      </Field>
      <UsernameInput id="setup-username" value={username} onInput={setUsername} error={errors.username} disabled={busy} autoComplete="username" />
      <NewPasswordInput
        id="setup-password"
        label={t('login.password')}
        testid="setup-password"
        value={password}
        onInput={setPassword}
        username={normalizeUsername(username)}
        error={errors.password}
        disabled={busy}
      />
      <ConfirmPasswordInput id="setup-confirm" testid="setup-confirm" value={confirm} onInput={setConfirm} password={password} disabled={busy} />
      {error ? <ErrorBox testid="setup-error">{error}</ErrorBox> : null}
      <button type="submit" class="btn btn-primary btn-lg btn-block" data-testid="setup-submit" disabled={busy}>
        {busy ? t('setup.submitting') : t('setup.submit')}
      </button>
      <div class="setup-or" aria-hidden="true">
        <span>{t('setup.or')}</span>
      </div>
      <p class="muted small setup-alt-hint">{t('setup.connectPathHint')}</p>
      <button type="button" class="btn btn-outline btn-block" data-testid="setup-connect-path" disabled={busy} onClick={onConnectPath}>
        {t('setup.connectPath')}
      </button>
    </form>
  );
}

/**
 * The second path of a brand-new desktop: connect to the clinic's central server, no login
 * here (there is no account yet). Done once the first sync brought the staff accounts. If it
 * failed, none arrived and nobody could log in yet: the reason stays on screen, with a way to
 * look again once this PC's own retries brought them (or to connect again).
 */
function ConnectToServer(props: { onBack?: () => void; onRecheck: () => void; onConnected: (username: string, accountsArrived: boolean) => void }) {
  const [failed, setFailed] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const onConnected = (result: SyncConnected, username: string) => {
    setFailed(null);
    props.onConnected(username, result.first_sync.ok);
    if (!result.first_sync.ok) setFailed(result.first_sync.error.message || result.first_sync.error.code);
  };
  return (
    <div class="login-card setup-card" data-testid="setup-connect">
      <div class="login-top">
        <h1>{t('setup.connectTitle')}</h1>
        <LangToggle />
      </div>
      <p class="muted">{t('setup.connectSubtitle')}</p>
      {failed ? (
        <ErrorBox testid="setup-connect-failed">
          <span>{t('setup.firstSyncFailed', { message: failed })}</span>
          <span>{t('setup.firstSyncRetry')}</span>
          <button type="button" class="btn btn-sm btn-outline" data-testid="setup-connect-recheck" onClick={props.onRecheck}>
            {t('setup.checkAccounts')}
          </button>
        </ErrorBox>
      ) : null}
      <SyncConnectForm autoFocus onConnected={onConnected} onBusy={setBusy} />
      {props.onBack ? (
        <button type="button" class="btn btn-ghost btn-block" data-testid="setup-back-to-create" disabled={busy} onClick={props.onBack}>
          {t('setup.backToCreate')}
        </button>
      ) : null}
    </div>
  );
}

function ServerSetupHint({ onRecheck }: { onRecheck: () => void }) {
  return (
    <div class="login-card setup-card" data-testid="setup-server-hint">
      <div class="login-top">
        <h1>{t('setup.serverTitle')}</h1>
        <LangToggle />
      </div>
      <p class="muted">{t('setup.serverHint')}</p>
      <pre class="command" data-testid="setup-command">
        {/* Lines break between arguments only, never inside `--role`. */}
        {['clinicdesk-server', 'users', 'create', '--username', `<${t('setup.username')}>`, '--role', 'admin', '<', 'password.txt'].map((word, i) => (
          <Fragment key={i}>
            {i ? ' ' : ''}
            <span class="nowrap">{word}</span>
          </Fragment>
        ))}
      </pre>
      <button type="button" class="btn btn-primary btn-block" onClick={onRecheck} data-testid="setup-recheck">
        {t('setup.recheck')}
      </button>
    </div>
  );
}
