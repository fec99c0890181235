import { useEffect, useState } from 'preact/hooks';
import { ApiError, isTauri, login } from '../api';
import type { ComponentChildren } from 'preact';
import { ErrorBox, LangToggle } from '../components/ui';
import { t } from '../i18n';
import { describeError } from '../logic/errors';
import { markOnce } from '../perf';
import { PatientEntry } from './patient/PatientAuth';

/** `username`: filled in already (a desktop just connected to the clinic's server by that account): the cursor starts in the password. */
export function Login(props: { notice?: string | null; username?: string }) {
  const [username, setUsername] = useState(props.username ?? '');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => markOnce('login-screen'), []);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    if (!username.trim() || !password) {
      setError(t('login.required'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await login(username.trim(), password);
      // App switches screens on the session event.
    } catch (err) {
      setBusy(false);
      if (err instanceof ApiError && err.code === 'AUTH_INVALID_CREDENTIALS') {
        setError(t('login.invalid'));
        setPassword('');
        (document.getElementById('login-password') as HTMLInputElement | null)?.focus();
      } else if (err instanceof ApiError && err.code === 'RATE_LIMIT_EXCEEDED' && err.details?.locked) {
        // Locked after repeated failures: say for how long (the server's Retry-After, in minutes).
        const seconds = Number(err.details.retry_after_seconds) || 60;
        setError(t('login.locked', { minutes: Math.max(1, Math.ceil(seconds / 60)) }));
      } else {
        setError(describeError(err));
      }
    }
  };

  return (
    <AuthPage>
        <form class="login-card" onSubmit={submit} data-testid="login-form" noValidate>
          <div class="login-top">
            <h1>{t('login.title')}</h1>
            <LangToggle />
          </div>
          <p class="muted">{t('login.subtitle')}</p>
          {props.notice && !error ? <div class="notice" data-testid="login-notice">{props.notice}</div> : null}
          <label class="field-label" for="login-username">
            {t('login.username')}
          </label>
          <input
            id="login-username"
            class="input input-lg"
            data-testid="login-username"
            autoComplete="username"
            autoFocus={!props.username}
            value={username}
            onInput={(e) => setUsername(e.currentTarget.value)}
            disabled={busy}
          />
          <label class="field-label" for="login-password">
            {t('login.password')}
          </label>
          <input
            id="login-password"
            class="input input-lg"
            type="password"
            data-testid="login-password"
            autoComplete="current-password"
            autoFocus={!!props.username}
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
            disabled={busy}
          />
          {error ? <ErrorBox testid="login-error">{error}</ErrorBox> : null}
          <button type="submit" class="btn btn-primary btn-lg btn-block" data-testid="login-submit" disabled={busy}>
            {busy ? t('login.submitting') : t('login.submit')}
          </button>
        </form>
        {/* Patients sign in through the clinic's server (a browser), never on a desktop. */}
        {isTauri() ? null : <PatientEntry />}
    </AuthPage>
  );
}

/** The frame of the screens before login (login, first-run set-up): brand side and a form. */
export function AuthPage({ extraClass, children }: { extraClass?: string; children: ComponentChildren }) {
  return (
    <div class={`login-page${extraClass ? ` ${extraClass}` : ''}`}>
      <div class="login-side" aria-hidden="true">
        <div class="login-brand">
          <Logo size={44} />
          <div>
            <div class="login-brand-name">{t('app.name')}</div>
            <div class="login-brand-sub">{t('app.tagline')}</div>
          </div>
        </div>
      </div>
      <main class="login-main">{children}</main>
    </div>
  );
}

export function Logo({ size = 28 }: { size?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 32 32" aria-hidden="true" class="logo">
      <rect x="1" y="1" width="30" height="30" rx="8" fill="currentColor" />
      <path d="M13 8h6v5h5v6h-5v5h-6v-5H8v-6h5z" fill="#fff" />
    </svg>
  );
}
