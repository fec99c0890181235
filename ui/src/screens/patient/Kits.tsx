// 키트 추가 등록 (a signed-in patient registers another kit; its result joins theirs) and
// 키트 상태 (has a kit's result come in yet?).

import { useState } from 'preact/hooks';
import { ErrorBox } from '../../components/ui';
import { href } from '../../router';
import { describePatientError, kitStatus, registerKit, type KitRegistered, type KitStatus } from './consumer';
import { hasPatientKey, pt } from './text';

export function KitsScreen() {
  return (
    <div class="p-page" data-testid="kits-screen">
      <div class="p-head">
        <h1>{pt('kits.title')}</h1>
        <p class="p-lead">{pt('kits.intro')}</p>
      </div>
      <div class="p-kits">
        <RegisterKit />
        <CheckKit />
      </div>
    </div>
  );
}

function RegisterKit() {
  const [serial, setSerial] = useState('');
  const [pin, setPin] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<KitRegistered | null>(null);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    if (!serial.trim()) return setError(pt('auth.needSerial'));
    if (!/^\d{4,12}$/.test(pin)) return setError(pt('auth.needKitPin'));
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      setDone(await registerKit(serial, pin));
      setSerial('');
      setPin('');
    } catch (err) {
      setError(describePatientError(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="p-card" onSubmit={submit} noValidate data-testid="kit-register-form">
      <h2>{pt('kits.register')}</h2>
      <label class="field-label" for="kit-serial">
        {pt('auth.serial')}
      </label>
      <input id="kit-serial" class="input input-lg" data-testid="kit-serial" autoComplete="off" spellcheck={false} value={serial} onInput={(e) => setSerial(e.currentTarget.value.toUpperCase())} disabled={busy} />
      <label class="field-label" for="kit-pin">
        {pt('auth.kitPin')}
      </label>
      <input
        id="kit-pin"
        class="input input-lg"
        data-testid="kit-pin"
        type="password"
        inputMode="numeric"
        autoComplete="off"
        maxLength={12}
        value={pin}
        onInput={(e) => setPin(e.currentTarget.value.replace(/\D/g, '').slice(0, 12))}
        disabled={busy}
      />
      <div class="field-hint">{pt('auth.kitPinHint')}</div>
      {error ? <ErrorBox testid="kit-register-error">{error}</ErrorBox> : null}
      {done ? (
        <div class="p-success" role="status" data-testid="kit-registered">
          <strong>{pt('kits.registered')}</strong>
          {done.message ? <div>{done.message}</div> : null}
          <a href={href({ name: 'myDiagnosis', id: done.diagnosis_id })} data-testid="kit-open-result">
            {pt('kits.openResult')} →
          </a>
        </div>
      ) : null}
      <button type="submit" class="btn btn-primary btn-lg" data-testid="kit-register-submit" disabled={busy}>
        {busy ? pt('kits.submitting') : pt('kits.submit')}
      </button>
    </form>
  );
}

function CheckKit() {
  const [serial, setSerial] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState<KitStatus | null>(null);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    if (!serial.trim()) return setError(pt('auth.needSerial'));
    setBusy(true);
    setError(null);
    setStatus(null);
    try {
      setStatus(await kitStatus(serial));
    } catch (err) {
      setError(describePatientError(err));
    } finally {
      setBusy(false);
    }
  };

  const label = (s: string) => {
    const key = `kitStatus.${s}`;
    return hasPatientKey(key) ? pt(key) : s;
  };

  return (
    <form class="p-card" onSubmit={submit} noValidate data-testid="kit-status-form">
      <h2>{pt('kits.status')}</h2>
      <p class="muted">{pt('kits.statusIntro')}</p>
      <label class="field-label" for="kit-status-serial">
        {pt('auth.serial')}
      </label>
      <div class="p-inline">
        <input
          id="kit-status-serial"
          class="input input-lg"
          data-testid="kit-status-serial"
          autoComplete="off"
          spellcheck={false}
          value={serial}
          onInput={(e) => setSerial(e.currentTarget.value.toUpperCase())}
          disabled={busy}
        />
        <button type="submit" class="btn btn-outline btn-lg" data-testid="kit-status-submit" disabled={busy}>
          {busy ? pt('kits.checking') : pt('kits.check')}
        </button>
      </div>
      {error ? <ErrorBox testid="kit-status-error">{error}</ErrorBox> : null}
      {status ? (
        <div class={`p-kit-status p-kit-${status.status}`} role="status" data-testid="kit-status" data-status={status.status}>
          <div>
            <span class="mono">{status.serial_number}</span> <span class="p-chip">{label(status.status)}</span>
          </div>
          {status.test_date ? <div class="small muted">{pt('kits.testDate', { date: status.test_date })}</div> : null}
          <div>{status.message}</div>
        </div>
      ) : null}
    </form>
  );
}
