import { Fragment } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { setupFirstAdmin } from '../api';
import { ConfirmPasswordInput, fieldErrorOf, NewPasswordInput } from '../components/PasswordInput';
import { ErrorBox, Field } from '../components/ui';
import { getLang, setLang, t } from '../i18n';
import { describeError } from '../logic/errors';
import { normalizeUsername, passwordLooksStrong, usernameValid } from '../logic/password';
import { markOnce } from '../perf';
import { Logo } from './Login';

/**
 * First run without demo data: no administrator can log in yet. On the desktop this creates
 * the clinic's first administrator, who is then logged in. A server does not offer it
 * (`allowed` false): the screen shows the command that does.
 */
export function Setup(props: { allowed: boolean; onRecheck: () => void }) {
  useEffect(() => markOnce('setup-screen'), []);
  return (
    <div class="login-page setup-page">
      <div class="login-side" aria-hidden="true">
        <div class="login-brand">
          <Logo size={44} />
          <div>
            <div class="login-brand-name">{t('app.name')}</div>
            <div class="login-brand-sub">{t('app.tagline')}</div>
          </div>
        </div>
      </div>
      <main class="login-main">{props.allowed ? <SetupForm /> : <ServerSetupHint onRecheck={props.onRecheck} />}</main>
    </div>
  );
}

function LangToggle() {
  return (
    <button
      type="button"
      class="btn btn-ghost btn-sm"
      data-testid="lang-toggle"
      title={t('header.langSwitchTitle')}
      onClick={() => setLang(getLang() === 'ko' ? 'en' : 'ko')}
    >
      {t('header.langSwitch')}
    </button>
  );
}

function SetupForm() {
  const [displayName, setDisplayName] = useState('');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    const local: Record<string, string> = {};
    if (!displayName.trim()) local.display_name = t('setup.nameRequired');
    if (!usernameValid(username)) local.username = t('setup.usernameHint');
    if (!passwordLooksStrong(password, normalizeUsername(username))) local.password = t('password.tooWeak');
    else if (password !== confirm) local.confirm = t('password.mismatch');
    setErrors(local);
    setError(null);
    if (Object.keys(local).length) return;
    setBusy(true);
    try {
      await setupFirstAdmin({ username: normalizeUsername(username), display_name: displayName.trim(), password });
      // App switches to the signed-in shell on the session event.
    } catch (err) {
      setBusy(false);
      const fields = fieldErrorOf(err, ['username', 'display_name', 'password']);
      if (fields) setErrors(fields);
      else setError(describeError(err));
    }
  };

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
      <Field label={t('setup.username')} htmlFor="setup-username" error={errors.username} hint={t('setup.usernameHint')} required>
        <input
          id="setup-username"
          class="input"
          data-testid="setup-username"
          autoComplete="username"
          autoCapitalize="none"
          spellcheck={false}
          value={username}
          disabled={busy}
          onInput={(e) => setUsername(e.currentTarget.value)}
        />
      </Field>
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
