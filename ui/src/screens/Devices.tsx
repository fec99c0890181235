import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, api } from '../api';
import { Modal } from '../components/Modal';
import { ErrorBox, Field, Spinner } from '../components/ui';
import { toast, useApp } from '../context';
import { t } from '../i18n';
import { describeError, describeFieldError, errorsByInput } from '../logic/errors';
import { formatKstDateTime } from '../logic/format';
import type { Role } from '../types';

// The device registry (docs/API.md § Sync devices, docs/SYNC.md § Messages):
// `POST /api/v1/devices {name}` → 201 {device_id, name, secret, registered_at} — the secret is in
// that answer only; `GET /api/v1/devices` → {devices}; `DELETE /api/v1/devices/{id}` revokes.

/** A registered device as the list shows it (never with its secret). */
export interface SyncDevice {
  device_id: string;
  name: string;
  /** Who registered it (display name); null when that account is gone. */
  registered_by: string | null;
  registered_at: string;
  revoked: boolean;
  revoked_at: string | null;
  /** Its last sync; null: it has not synced yet. */
  last_seen_at: string | null;
}

/** The registration's answer: the only time the secret is ever sent. */
export interface DeviceRegistered {
  device_id: string;
  name: string;
  secret: string;
  registered_at: string;
}

/** The server's limit on a device name (characters). */
export const DEVICE_NAME_MAX = 100;

/** Who registers and revokes devices: the same roles the server lets (FORBIDDEN_ROLE otherwise). */
export function canManageDevices(role: Role | string | undefined): boolean {
  return role === 'admin' || role === 'manager';
}

/** What is wrong with a name before asking the server (which checks it again); null: nothing. */
export function deviceNameProblem(name: string): string | null {
  const v = name.trim();
  if (v === '') return t('devices.nameRequired');
  if ([...v].length > DEVICE_NAME_MAX) return t('devices.nameTooLong', { n: DEVICE_NAME_MAX });
  return null;
}

/** The secret in groups of eight, easier to read out and copy down by hand. */
export function secretGroups(secret: string): string[] {
  return secret.match(/.{1,8}/g) ?? [];
}

/** 동기화 기기 (`#/devices`): managers and admins; anyone else is told so. */
export function DevicesScreen() {
  const { user } = useApp();
  if (!canManageDevices(user.role)) return <Forbidden />;
  return <Devices />;
}

function Forbidden() {
  return (
    <div class="screen devices-screen">
      <ErrorBox testid="devices-forbidden">{t('devices.forbidden')}</ErrorBox>
    </div>
  );
}

function Devices() {
  const [devices, setDevices] = useState<SyncDevice[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [forbidden, setForbidden] = useState(false);
  const [tick, setTick] = useState(0);
  const [adding, setAdding] = useState(false);
  // The one-time secret: held only while its dialog is open, dropped when it closes.
  const [registered, setRegistered] = useState<DeviceRegistered | null>(null);
  const [revoking, setRevoking] = useState<SyncDevice | null>(null);
  const reload = () => setTick((x) => x + 1);

  useEffect(() => {
    let live = true;
    setError(null);
    api<{ devices: SyncDevice[] }>('GET', '/api/v1/devices')
      .then((env) => live && setDevices(env.data.devices))
      .catch((e) => {
        if (!live) return;
        if (e instanceof ApiError && e.status === 403) setForbidden(true);
        else setError(describeError(e));
      });
    return () => {
      live = false;
    };
  }, [tick]);

  if (forbidden) return <Forbidden />;

  const liveCount = devices?.filter((d) => !d.revoked).length ?? 0;

  return (
    <div class="screen devices-screen" data-testid="devices-screen">
      <div class="screen-head">
        <h1>
          {t('devices.title')}
          {devices ? (
            <span class="section-note" data-testid="devices-count">
              {t('devices.count', { live: liveCount, total: devices.length })}
            </span>
          ) : null}
        </h1>
        <button type="button" class="btn btn-primary" data-testid="device-add" onClick={() => setAdding(true)}>
          {t('devices.add')}
        </button>
      </div>
      <p class="muted devices-explain">{t('devices.explain')}</p>
      {error ? (
        <ErrorBox testid="devices-error">
          {error}
          <button type="button" class="btn btn-sm btn-outline" onClick={reload}>
            {t('common.retry')}
          </button>
        </ErrorBox>
      ) : null}
      {devices === null && !error ? <Spinner /> : null}
      {devices && devices.length === 0 ? (
        <div class="card empty" data-testid="devices-empty">
          {t('devices.empty')}
        </div>
      ) : null}
      {devices && devices.length > 0 ? (
        <div class="table-wrap">
          <table class="table devices-table" data-testid="devices-table">
            <thead>
              <tr>
                <th>{t('devices.colName')}</th>
                <th>{t('devices.colRegisteredBy')}</th>
                <th>{t('devices.colRegisteredAt')}</th>
                <th>{t('devices.colLastSeen')}</th>
                <th>{t('devices.colState')}</th>
                <th class="actions-col">{t('devices.colActions')}</th>
              </tr>
            </thead>
            <tbody>
              {devices.map((d) => (
                <tr key={d.device_id} data-testid="device-row" data-device-id={d.device_id} data-revoked={String(d.revoked)} class={d.revoked ? 'revoked' : ''}>
                  <td class="cell-name" data-testid="device-name-cell">
                    {d.name}
                  </td>
                  <td data-testid="device-registered-by">{d.registered_by ?? t('common.empty')}</td>
                  <td class="mono" data-testid="device-registered-at">
                    {formatKstDateTime(d.registered_at)}
                  </td>
                  <td class="mono" data-testid="device-last-seen">
                    {d.last_seen_at ? formatKstDateTime(d.last_seen_at) : <span class="muted">{t('devices.neverSynced')}</span>}
                  </td>
                  <td data-testid="device-state" data-value={d.revoked ? 'revoked' : 'live'}>
                    {d.revoked ? (
                      <span class="device-state">
                        <span class="badge device-revoked">{t('devices.revoked')}</span>
                        <span class="mono small muted" data-testid="device-revoked-at">
                          {formatKstDateTime(d.revoked_at)}
                        </span>
                      </span>
                    ) : (
                      <span class="badge device-live">{t('devices.live')}</span>
                    )}
                  </td>
                  <td class="actions-col">
                    {d.revoked ? null : (
                      <button
                        type="button"
                        class="btn btn-xs btn-outline danger"
                        data-testid="device-revoke"
                        aria-label={t('devices.revokeOf', { name: d.name })}
                        onClick={() => setRevoking(d)}
                      >
                        {t('devices.revoke')}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {adding ? (
        <AddDeviceDialog
          onClose={() => setAdding(false)}
          onRegistered={(r) => {
            setAdding(false);
            setRegistered(r);
            // The list behind the dialog shows the new device already (without its secret).
            reload();
          }}
        />
      ) : null}
      {registered ? (
        <SecretDialog
          device={registered}
          onClose={() => {
            const name = registered.name;
            setRegistered(null);
            toast(t('devices.registered', { name }));
          }}
        />
      ) : null}
      {revoking ? (
        <RevokeDialog
          device={revoking}
          onClose={() => setRevoking(null)}
          onDone={() => {
            toast(t('devices.revokedToast', { name: revoking.name }));
            setRevoking(null);
            reload();
          }}
          onGone={(message) => {
            // Revoked (or removed) meanwhile: say so and show the list as it is now.
            toast(message, 'error', 6000);
            setRevoking(null);
            reload();
          }}
        />
      ) : null}
    </div>
  );
}

function AddDeviceDialog(props: { onClose: () => void; onRegistered: (r: DeviceRegistered) => void }) {
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [nameError, setNameError] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  // Back to the name once it can be typed in again (it is disabled while the request runs).
  const [focusName, setFocusName] = useState(0);
  const inputRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (focusName) inputRef.current?.focus();
  }, [focusName]);

  const submit = async (e?: Event) => {
    e?.preventDefault();
    if (busy) return;
    setError(null);
    const local = deviceNameProblem(name);
    if (local) {
      setNameError(local);
      setFocusName((n) => n + 1);
      return;
    }
    setNameError(null);
    setBusy(true);
    try {
      const env = await api<DeviceRegistered>('POST', '/api/v1/devices', { name: name.trim() });
      props.onRegistered(env.data);
    } catch (err) {
      setBusy(false);
      const { byInput, rest } = errorsByInput(err, (f) => (f === 'name' ? 'name' : null));
      if (byInput.name) {
        setNameError(byInput.name);
        setFocusName((n) => n + 1);
        if (rest.length) setError(rest.map(describeFieldError).join(' '));
      } else {
        setError(describeError(err));
      }
    }
  };

  return (
    <Modal title={t('devices.addTitle')} onClose={props.onClose} testid="device-add-dialog" width={480} busy={busy}>
      <form class="stack" onSubmit={submit} noValidate>
        <Field label={t('devices.name')} htmlFor="f-name" error={nameError} hint={t('devices.nameHint')} required>
          <input
            id="f-name"
            ref={inputRef}
            class="input"
            data-testid="device-name"
            data-autofocus
            autoComplete="off"
            maxLength={DEVICE_NAME_MAX}
            placeholder={t('devices.namePlaceholder')}
            aria-invalid={nameError ? true : undefined}
            aria-describedby={nameError ? 'f-name-error' : undefined}
            value={name}
            disabled={busy}
            onInput={(e) => {
              setName(e.currentTarget.value);
              if (nameError) setNameError(null);
            }}
          />
        </Field>
        {error ? <ErrorBox testid="device-add-error">{error}</ErrorBox> : null}
        <div class="modal-foot">
          <span class="grow" />
          <button type="button" class="btn btn-outline" onClick={props.onClose} disabled={busy}>
            {t('common.cancel')}
          </button>
          <button type="submit" class="btn btn-primary" data-testid="device-add-submit" disabled={busy}>
            {busy ? t('devices.registering') : t('devices.addSubmit')}
          </button>
        </div>
      </form>
    </Modal>
  );
}

type CopyState = 'idle' | 'copied' | 'failed';

/**
 * Puts `text` on the clipboard: the Clipboard API where the page may use it, else the old
 * copy command on `el`'s text, selected. When both fail the text stays selected, for Ctrl+C.
 */
async function copySecret(text: string, el: HTMLElement | null): Promise<boolean> {
  try {
    if (navigator.clipboard?.writeText) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    /* not allowed here (no secure context, no permission): select it instead */
  }
  if (!el) return false;
  const selection = window.getSelection();
  const range = document.createRange();
  range.selectNodeContents(el);
  selection?.removeAllRanges();
  selection?.addRange(range);
  try {
    return typeof document.execCommand === 'function' && document.execCommand('copy');
  } catch {
    return false;
  }
}

/**
 * The secret of a device just registered, shown this once. Only 닫기 closes it (no ×, Esc or
 * click beside it until the person says they copied it down), and what closes it drops it.
 */
function SecretDialog(props: { device: DeviceRegistered; onClose: () => void }) {
  const { device } = props;
  const [acked, setAcked] = useState(false);
  const [copy, setCopy] = useState<CopyState>('idle');
  const secretRef = useRef<HTMLElement>(null);

  const onCopy = async () => {
    setCopy((await copySecret(device.secret, secretRef.current)) ? 'copied' : 'failed');
  };
  const close = () => {
    if (acked) props.onClose();
  };

  return (
    <Modal title={t('devices.secretTitle')} onClose={close} closable={acked} testid="device-secret-dialog" width={600}>
      <div class="stack">
        <p class="confirm-text" data-testid="device-secret-intro">
          {t('devices.secretIntro', { name: device.name })}
        </p>
        <div class="notice secret-warning" data-testid="device-secret-warning">
          <strong>{t('devices.secretWarning')}</strong>
          <div>{t('devices.secretLost')}</div>
        </div>
        <div>
          <div class="field-label" id="device-secret-label">
            {t('devices.secretLabel')}
          </div>
          <div class="secret-box">
            <code class="secret-value" data-testid="device-secret" ref={secretRef} aria-labelledby="device-secret-label">
              {secretGroups(device.secret).map((g, i) => (
                <span key={i}>{g}</span>
              ))}
            </code>
            <button type="button" class="btn btn-outline btn-sm secret-copy" data-testid="device-secret-copy" data-autofocus onClick={() => void onCopy()}>
              {copy === 'copied' ? t('devices.copied') : t('devices.copy')}
            </button>
          </div>
          {copy !== 'idle' ? (
            <div class={`small secret-copy-status ${copy}`} role="status" data-testid="device-secret-copy-status" data-state={copy}>
              {copy === 'copied' ? t('devices.copyDone') : t('devices.copyFailed')}
            </div>
          ) : null}
        </div>
        <label class="check secret-ack">
          <input type="checkbox" data-testid="device-secret-ack" checked={acked} onChange={(e) => setAcked(e.currentTarget.checked)} />
          <span>{t('devices.secretAck')}</span>
        </label>
      </div>
      <div class="modal-foot">
        {acked ? null : <span class="small muted">{t('devices.secretCloseHint')}</span>}
        <span class="grow" />
        <button type="button" class="btn btn-primary" data-testid="device-secret-close" disabled={!acked} onClick={close}>
          {t('common.close')}
        </button>
      </div>
    </Modal>
  );
}

function RevokeDialog(props: { device: SyncDevice; onClose: () => void; onDone: () => void; onGone: (message: string) => void }) {
  const d = props.device;
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const confirm = async () => {
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      await api<SyncDevice>('DELETE', `/api/v1/devices/${encodeURIComponent(d.device_id)}`);
      props.onDone();
    } catch (e) {
      if (e instanceof ApiError && (e.code === 'DEVICE_ALREADY_REVOKED' || e.code === 'DEVICE_NOT_FOUND')) {
        props.onGone(describeError(e));
        return;
      }
      setBusy(false);
      setError(describeError(e));
    }
  };
  return (
    <Modal title={t('devices.revokeTitle')} onClose={props.onClose} testid="device-revoke-dialog" width={480} busy={busy}>
      <p class="confirm-text">{t('devices.revokeBody', { name: d.name })}</p>
      <p class="confirm-text strong" data-testid="device-revoke-consequence">
        {t('devices.revokeConsequence')}
      </p>
      {error ? <ErrorBox testid="device-revoke-error">{error}</ErrorBox> : null}
      <div class="modal-foot">
        <span class="grow" />
        {/* Keeping it has the focus: Enter alone never revokes a device. */}
        <button type="button" class="btn btn-outline" onClick={props.onClose} disabled={busy} data-autofocus data-testid="device-revoke-cancel">
          {t('devices.revokeKeep')}
        </button>
        <button type="button" class="btn btn-danger" onClick={() => void confirm()} disabled={busy} data-testid="device-revoke-confirm">
          {t('devices.revokeConfirm')}
        </button>
      </div>
    </Modal>
  );
}
