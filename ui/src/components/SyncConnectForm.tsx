import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../api';
import { t } from '../i18n';
import { describeFieldError, errorsByInput } from '../logic/errors';
import { syncErrorText } from '../logic/sync';
import { DEVICE_NAME_MAX } from '../screens/Devices';
import { connectSync } from '../syncState';
import type { SyncConnected } from '../types';
import { SyncProgressBanner } from './SyncIndicator';
import { ErrorBox, Field, Spinner } from './ui';

// `POST /api/v1/sync/connect` {server_url, username, password, device_name?}: this PC logs in to
// the clinic's central server with an administrator's or manager's account there, registers
// itself as a sync device and runs the first sync, all in the one request. Used by the settings
// screen (signed in) and by the first screen of a brand-new desktop (nobody signed in yet).

export const CONNECT_FIELDS = ['server_url', 'username', 'password', 'device_name'] as const;
export type ConnectField = (typeof CONNECT_FIELDS)[number];

export interface ConnectValues {
  server_url: string;
  username: string;
  password: string;
  device_name: string;
}

/** What can be told before asking (the server checks everything again); empty: nothing. */
export function connectProblems(v: ConnectValues): Partial<Record<ConnectField, string>> {
  const out: Partial<Record<ConnectField, string>> = {};
  const url = v.server_url.trim();
  if (url === '') out.server_url = t('connect.urlRequired');
  else if (!/^https?:\/\/\S+$/i.test(url)) out.server_url = t('connect.urlScheme');
  if (v.username.trim() === '') out.username = t('connect.usernameRequired');
  if (v.password === '') out.password = t('connect.passwordRequired');
  if ([...v.device_name.trim()].length > DEVICE_NAME_MAX) out.device_name = t('connect.deviceNameTooLong', { n: DEVICE_NAME_MAX });
  return out;
}

/** Why a connect failed, for the box above the button: the message and, for an unreachable server, its technical cause. */
function connectFailure(e: unknown): { text: string; detail: string | null } {
  if (e instanceof ApiError) {
    // Passed on from the central server's login: its account, not this PC's.
    if (e.code === 'AUTH_INVALID_CREDENTIALS') return { text: t('connect.badLogin'), detail: null };
    if (e.code === 'FORBIDDEN_ROLE') return { text: t('connect.needsManager'), detail: null };
    if (e.code === 'SYNC_UPSTREAM_FAILED') {
      const reason = e.details?.reason;
      return { text: t('connect.unreachable'), detail: typeof reason === 'string' ? reason : e.message !== e.code ? e.message : null };
    }
  }
  return { text: syncErrorText(e), detail: null };
}

export function SyncConnectForm(props: {
  initialUrl?: string | null;
  onConnected: (result: SyncConnected, username: string) => void;
  autoFocus?: boolean;
  /** Told when a connect starts and ends (what surrounds the form may not be left meanwhile). */
  onBusy?: (busy: boolean) => void;
}) {
  const [values, setValues] = useState<ConnectValues>({ server_url: props.initialUrl ?? '', username: '', password: '', device_name: '' });
  const [errors, setErrors] = useState<Partial<Record<ConnectField, string>>>({});
  const [failure, setFailure] = useState<{ text: string; detail: string | null } | null>(null);
  const [busy, setBusyState] = useState(false);
  const setBusy = (b: boolean) => {
    setBusyState(b);
    props.onBusy?.(b);
  };
  const formRef = useRef<HTMLFormElement>(null);
  // The field to put the cursor in once the inputs are enabled again.
  const [focusTo, setFocusTo] = useState<{ field: ConnectField } | null>(null);

  useEffect(() => {
    if (focusTo) formRef.current?.querySelector<HTMLInputElement>(`#f-${focusTo.field}`)?.focus();
  }, [focusTo]);

  const showErrors = (fe: Partial<Record<ConnectField, string>>) => {
    setErrors(fe);
    const first = CONNECT_FIELDS.find((f) => fe[f]);
    if (first) setFocusTo({ field: first });
  };

  const set = (f: ConnectField, v: string) => {
    setValues((s) => ({ ...s, [f]: v }));
    if (errors[f]) setErrors((x) => ({ ...x, [f]: undefined }));
  };

  const submit = async (e?: Event) => {
    e?.preventDefault();
    if (busy) return;
    setFailure(null);
    const local = connectProblems(values);
    if (Object.keys(local).length) {
      showErrors(local);
      return;
    }
    setErrors({});
    setBusy(true);
    const username = values.username.trim();
    const deviceName = values.device_name.trim();
    try {
      const result = await connectSync({
        server_url: values.server_url.trim(),
        username,
        password: values.password,
        ...(deviceName ? { device_name: deviceName } : {}),
      });
      setBusy(false);
      // The password is not kept on screen once it has done its work.
      setValues((s) => ({ ...s, password: '' }));
      props.onConnected(result, username);
    } catch (err) {
      setBusy(false);
      const { byInput, rest } = errorsByInput(err, (f) => ((CONNECT_FIELDS as readonly string[]).includes(f) ? (f as ConnectField) : null));
      if (Object.keys(byInput).length) {
        showErrors(byInput);
        if (rest.length) setFailure({ text: rest.map(describeFieldError).join(' '), detail: null });
        return;
      }
      const why = connectFailure(err);
      setFailure(why);
      if (err instanceof ApiError && err.code === 'AUTH_INVALID_CREDENTIALS') {
        setValues((s) => ({ ...s, password: '' }));
        setFocusTo({ field: 'password' });
      }
    }
  };

  const input = (f: ConnectField, opts: { label: string; hint?: string; required?: boolean; type?: string; autoComplete?: string; placeholder?: string; maxLength: number; autoFocus?: boolean }) => (
    <Field label={opts.label} htmlFor={`f-${f}`} error={errors[f]} hint={opts.hint} required={opts.required}>
      <input
        id={`f-${f}`}
        name={f}
        class="input"
        type={opts.type ?? 'text'}
        data-testid={`connect-${f.replace('_', '-')}`}
        autoComplete={opts.autoComplete ?? 'off'}
        autoCapitalize="none"
        spellcheck={false}
        placeholder={opts.placeholder}
        maxLength={opts.maxLength}
        autoFocus={opts.autoFocus}
        aria-invalid={errors[f] ? true : undefined}
        aria-describedby={errors[f] ? `f-${f}-error` : undefined}
        value={values[f]}
        disabled={busy}
        onInput={(e) => set(f, e.currentTarget.value)}
      />
    </Field>
  );

  return (
    <form ref={formRef} class="stack sync-connect-form" data-testid="connect-form" noValidate onSubmit={submit}>
      {input('server_url', { label: t('connect.serverUrl'), hint: t('connect.serverUrlHint'), required: true, type: 'url', placeholder: 'https://', maxLength: 300, autoFocus: props.autoFocus })}
      {input('username', { label: t('connect.username'), hint: t('connect.usernameHint'), required: true, autoComplete: 'username', maxLength: 100 })}
      {input('password', { label: t('connect.password'), required: true, type: 'password', autoComplete: 'current-password', maxLength: 1024 })}
      {input('device_name', { label: t('connect.deviceName'), hint: t('connect.deviceNameHint'), placeholder: t('connect.deviceNamePlaceholder'), maxLength: DEVICE_NAME_MAX })}
      {failure ? (
        <ErrorBox testid="connect-error">
          <span>{failure.text}</span>
          {failure.detail ? <span class="small connect-error-detail">{failure.detail}</span> : null}
        </ErrorBox>
      ) : null}
      {busy ? (
        <div class="connect-progress" data-testid="connect-progress">
          <Spinner label={t('connect.progress')} />
          {/* The first pull can take minutes: how far it has come (the status needs no login
              until the first sync has finished). */}
          <SyncProgressBanner />
        </div>
      ) : null}
      <button type="submit" class="btn btn-primary" data-testid="connect-submit" disabled={busy}>
        {busy ? t('connect.submitting') : t('connect.submit')}
      </button>
    </form>
  );
}

/** How a connect went: connected, and whether its first sync finished (it is retried by itself if not). */
export function ConnectOutcome({ result }: { result: SyncConnected }) {
  const first = result.first_sync;
  return (
    <div class={`sync-outcome ${first.ok ? 'ok' : 'failed'}`} role="status" data-testid="connect-outcome" data-ok={String(first.ok)}>
      <strong>{t('connect.done', { url: result.server_url })}</strong>
      {first.ok ? (
        <div data-testid="connect-first-sync">{t('connect.firstSyncOk', { pushed: first.moved.pushed ?? 0, pulled: first.moved.pulled ?? 0 })}</div>
      ) : (
        <>
          <div data-testid="connect-first-sync">{t('connect.firstSyncFailed', { message: first.error.message || first.error.code })}</div>
          <div class="small">{t('connect.firstSyncRetry')}</div>
        </>
      )}
    </div>
  );
}
