import { Fragment } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { setupFirstAdmin } from '../api';
import { ConfirmPasswordInput, NewPasswordInput, useCheckedForm, UsernameInput } from '../components/AccountFields';
import { ErrorBox, Field, LangToggle } from '../components/ui';
import { t } from '../i18n';
import { newAccountErrors, normalizeUsername } from '../logic/password';
import { markOnce } from '../perf';
import { AuthPage } from './Login';

/**
 * First run without demo data: no administrator can log in yet. On the desktop this creates
 * the clinic's first administrator, who is then logged in. A server does not offer it
 * (`allowed` false): the screen shows the command that does.
 */
export function Setup(props: { allowed: boolean; onRecheck: () => void }) {
  useEffect(() => markOnce('setup-screen'), []);
  return <AuthPage extraClass="setup-page">{props.allowed ? <SetupForm /> : <ServerSetupHint onRecheck={props.onRecheck} />}</AuthPage>;
}

function SetupForm() {
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
    </form>
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
