// Before login, for patients: the simple login (name + phone or birth date + the 6-digit
// access PIN) and the sign-up with a test kit, which shows the access PIN once.

import { useEffect, useRef, useState } from 'preact/hooks';
import { startSession } from '../../api';
import { DateInput } from '../../components/DateInput';
import { ErrorBox, LangToggle } from '../../components/ui';
import { formatPhoneInput, phoneDigits } from '../../logic/format';
import { href } from '../../router';
import { AuthPage } from '../Login';
import { describePatientError, patientLogin, patientRegister, type Identity, type SimpleRegistered } from './consumer';
import { pt } from './text';

type By = 'phone' | 'birth';

/** `mode`: which form (from the address: #/patient/login, #/patient/signup). */
export function PatientAuthScreen(props: { mode: 'login' | 'signup'; notice?: string | null }) {
  // The PIN of a sign-up that just succeeded: shown until the patient confirms.
  const [registered, setRegistered] = useState<SimpleRegistered | null>(null);
  if (registered) {
    return (
      <AuthPage extraClass="patient-auth">
        <PinReveal
          registered={registered}
          onConfirmed={async () => {
            // The patient's pages replace this screen (App, on the session event): the PIN
            // leaves memory with it. They open on the list of results.
            history.replaceState(null, '', href({ name: 'myHome' }));
            await startSession(registered);
          }}
        />
      </AuthPage>
    );
  }
  return (
    <AuthPage extraClass="patient-auth">
      {props.mode === 'signup' ? <SignupForm onRegistered={setRegistered} /> : <LoginForm notice={props.notice} />}
    </AuthPage>
  );
}

interface IdentityState {
  name: string;
  by: By;
  phone: string;
  birth: string;
}

/** What is wrong with the identity fields, or null. */
function identityProblem(s: IdentityState): { field: 'name' | 'phone' | 'birth'; message: string } | null {
  if (!s.name.trim()) return { field: 'name', message: pt('auth.needName') };
  if (s.by === 'phone') {
    const digits = phoneDigits(s.phone);
    if (!digits) return { field: 'phone', message: pt('auth.needPhone') };
    if (digits.length < 9) return { field: 'phone', message: pt('auth.badPhone') };
  } else if (!s.birth) {
    return { field: 'birth', message: pt('auth.needBirth') };
  }
  return null;
}

function identityOf(s: IdentityState): Identity {
  return s.by === 'phone' ? { name: s.name, phone: formatPhoneInput(s.phone) } : { name: s.name, birth_date: s.birth };
}

function focusField(id: string) {
  setTimeout(() => (document.getElementById(id) as HTMLInputElement | null)?.focus(), 0);
}

function IdentityFields(props: { value: IdentityState; onChange: (v: IdentityState) => void; disabled: boolean; prefix: string }) {
  const { value: v, onChange, disabled, prefix } = props;
  const set = (patch: Partial<IdentityState>) => onChange({ ...v, ...patch });
  return (
    <>
      <label class="field-label" for={`${prefix}-name`}>
        {pt('auth.name')}
      </label>
      <input
        id={`${prefix}-name`}
        class="input input-lg"
        data-testid={`${prefix}-name`}
        autoComplete="name"
        autoFocus
        value={v.name}
        onInput={(e) => set({ name: e.currentTarget.value })}
        disabled={disabled}
      />
      <div class="field-label" id={`${prefix}-by-label`}>
        {pt('auth.identity')}
      </div>
      <div class="segmented patient-by" role="radiogroup" aria-labelledby={`${prefix}-by-label`}>
        {(['phone', 'birth'] as By[]).map((by) => (
          <label key={by} class={`seg${v.by === by ? ' on' : ''}`}>
            <input
              type="radio"
              name={`${prefix}-by`}
              value={by}
              checked={v.by === by}
              data-testid={`${prefix}-by-${by}`}
              onChange={() => set({ by })}
              disabled={disabled}
            />
            {by === 'phone' ? pt('auth.byPhone') : pt('auth.byBirth')}
          </label>
        ))}
      </div>
      {v.by === 'phone' ? (
        <>
          <input
            id={`${prefix}-phone`}
            class="input input-lg"
            data-testid={`${prefix}-phone`}
            type="tel"
            inputMode="tel"
            autoComplete="tel"
            placeholder={pt('auth.phonePlaceholder')}
            aria-label={pt('auth.phone')}
            value={v.phone}
            onInput={(e) => set({ phone: formatPhoneInput(e.currentTarget.value) })}
            disabled={disabled}
          />
        </>
      ) : (
        <div class="patient-birth">
          <DateInput
            id={`${prefix}-birth`}
            testid={`${prefix}-birth`}
            ariaLabel={pt('auth.birthDate')}
            value={v.birth}
            max={new Date().toISOString().slice(0, 10)}
            onChange={(birth) => set({ birth })}
          />
          <div class="field-hint">{pt('auth.birthHint')}</div>
        </div>
      )}
    </>
  );
}

function OtherWays(props: { to: 'login' | 'signup' }) {
  return (
    <div class="patient-auth-links">
      {props.to === 'signup' ? (
        <a href={href({ name: 'patientSignup' })} data-testid="to-patient-signup">
          {pt('auth.toSignup')}
        </a>
      ) : (
        <a href={href({ name: 'patientLogin' })} data-testid="to-patient-login">
          {pt('auth.toLogin')}
        </a>
      )}
      <a href="#/" class="muted" data-testid="to-staff-login">
        {pt('auth.toStaff')}
      </a>
    </div>
  );
}

function LoginForm(props: { notice?: string | null }) {
  const [who, setWho] = useState<IdentityState>({ name: '', by: 'phone', phone: '', birth: '' });
  const [pin, setPin] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    const problem = identityProblem(who);
    if (problem) {
      setError(problem.message);
      focusField(`pl-${problem.field}`);
      return;
    }
    if (!/^\d{6}$/.test(pin)) {
      setError(pt('auth.needAccessPin'));
      focusField('pl-pin');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await patientLogin(identityOf(who), pin);
      // App switches to the patient's pages on the session event.
    } catch (err) {
      setBusy(false);
      setError(describePatientError(err, 'login'));
      setPin('');
      focusField('pl-pin');
    }
  };

  return (
    <form class="login-card patient-card" onSubmit={submit} data-testid="patient-login-form" noValidate>
      <div class="login-top">
        <h1>{pt('auth.loginTitle')}</h1>
        <LangToggle />
      </div>
      <p class="muted">{pt('auth.loginSubtitle')}</p>
      {props.notice && !error ? <div class="notice">{props.notice}</div> : null}
      <IdentityFields value={who} onChange={setWho} disabled={busy} prefix="pl" />
      <label class="field-label" for="pl-pin">
        {pt('auth.accessPin')}
      </label>
      <input
        id="pl-pin"
        class="input input-lg pin-input"
        data-testid="pl-pin"
        type="password"
        inputMode="numeric"
        autoComplete="current-password"
        maxLength={6}
        value={pin}
        onInput={(e) => setPin(e.currentTarget.value.replace(/\D/g, '').slice(0, 6))}
        disabled={busy}
      />
      <div class="field-hint">{pt('auth.accessPinHint')}</div>
      {error ? <ErrorBox testid="patient-login-error">{error}</ErrorBox> : null}
      <button type="submit" class="btn btn-primary btn-lg btn-block" data-testid="pl-submit" disabled={busy}>
        {busy ? pt('auth.submittingLogin') : pt('auth.submitLogin')}
      </button>
      <p class="small muted">{pt('auth.forgotPin')}</p>
      <OtherWays to="signup" />
    </form>
  );
}

function SignupForm(props: { onRegistered: (r: SimpleRegistered) => void }) {
  const [who, setWho] = useState<IdentityState>({ name: '', by: 'phone', phone: '', birth: '' });
  const [serial, setSerial] = useState('');
  const [kitPin, setKitPin] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [exists, setExists] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    const problem = identityProblem(who);
    if (problem) {
      setError(problem.message);
      focusField(`ps-${problem.field}`);
      return;
    }
    if (!serial.trim()) {
      setError(pt('auth.needSerial'));
      focusField('ps-serial');
      return;
    }
    if (!/^\d{4,12}$/.test(kitPin)) {
      setError(pt('auth.needKitPin'));
      focusField('ps-kit-pin');
      return;
    }
    setBusy(true);
    setError(null);
    setExists(false);
    try {
      props.onRegistered(await patientRegister(identityOf(who), serial, kitPin));
    } catch (err) {
      setBusy(false);
      setError(describePatientError(err, 'signup'));
      setExists((err as { code?: string })?.code === 'PATIENT_ACCOUNT_EXISTS');
    }
  };

  return (
    <form class="login-card patient-card" onSubmit={submit} data-testid="patient-signup-form" noValidate>
      <div class="login-top">
        <h1>{pt('auth.signupTitle')}</h1>
        <LangToggle />
      </div>
      <p class="muted">{pt('auth.signupSubtitle')}</p>
      <IdentityFields value={who} onChange={setWho} disabled={busy} prefix="ps" />
      <div class="patient-kit-fields">
        <div>
          <label class="field-label" for="ps-serial">
            {pt('auth.serial')}
          </label>
          <input
            id="ps-serial"
            class="input input-lg"
            data-testid="ps-serial"
            autoComplete="off"
            spellcheck={false}
            value={serial}
            onInput={(e) => setSerial(e.currentTarget.value.toUpperCase())}
            disabled={busy}
          />
          <div class="field-hint">{pt('auth.serialHint')}</div>
        </div>
        <div>
          <label class="field-label" for="ps-kit-pin">
            {pt('auth.kitPin')}
          </label>
          <input
            id="ps-kit-pin"
            class="input input-lg"
            data-testid="ps-kit-pin"
            type="password"
            inputMode="numeric"
            autoComplete="off"
            maxLength={12}
            value={kitPin}
            onInput={(e) => setKitPin(e.currentTarget.value.replace(/\D/g, '').slice(0, 12))}
            disabled={busy}
          />
          <div class="field-hint">{pt('auth.kitPinHint')}</div>
        </div>
      </div>
      {error ? (
        <ErrorBox testid="patient-signup-error">
          <span>{error}</span>
          {exists ? (
            <a href={href({ name: 'patientLogin' })} data-testid="signup-to-login">
              {pt('entry.login')}
            </a>
          ) : null}
        </ErrorBox>
      ) : null}
      <button type="submit" class="btn btn-primary btn-lg btn-block" data-testid="ps-submit" disabled={busy}>
        {busy ? pt('auth.submittingSignup') : pt('auth.submitSignup')}
      </button>
      <OtherWays to="login" />
    </form>
  );
}

/**
 * The access PIN of a sign-up, big, once: it is never shown again (the server keeps only its
 * hash). The patient's pages open only after "확인했습니다".
 */
export function PinReveal(props: { registered: SimpleRegistered; onConfirmed: () => void | Promise<void> }) {
  const pin = props.registered.access_pin;
  const [busy, setBusy] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  useEffect(() => button.current?.focus(), []);
  return (
    <section class="login-card patient-card pin-reveal" data-testid="pin-reveal" aria-labelledby="pin-title">
      <h1 id="pin-title">{pt('pin.title')}</h1>
      <p class="pin-lead">{pt('pin.lead')}</p>
      <div class="field-label" id="pin-label">
        {pt('pin.label')}
      </div>
      <div class="pin-digits" data-testid="access-pin" aria-labelledby="pin-label">
        {pin.split('').map((d, i) => (
          <span key={i} class="pin-digit">
            {d}
          </span>
        ))}
      </div>
      <div class="notice pin-warning" role="alert" data-testid="pin-warning">
        <strong>{pt('pin.warningTitle')}</strong>
        <div>{pt('pin.warningText')}</div>
      </div>
      <button
        type="button"
        ref={button}
        class="btn btn-primary btn-lg btn-block"
        data-testid="pin-confirm"
        disabled={busy}
        onClick={async () => {
          setBusy(true);
          await props.onConfirmed();
        }}
      >
        {pt('pin.confirm')}
      </button>
    </section>
  );
}

/** On the staff login screen: the way in for patients. */
export function PatientEntry() {
  return (
    <div class="patient-entry" data-testid="patient-entry">
      <div>
        <strong>{pt('entry.title')}</strong>
        <div class="small muted">{pt('entry.text')}</div>
      </div>
      <div class="patient-entry-actions">
        <a class="btn btn-outline btn-block" href={href({ name: 'patientLogin' })} data-testid="patient-login-link">
          {pt('entry.login')}
        </a>
        <a href={href({ name: 'patientSignup' })} data-testid="patient-signup-link">
          {pt('entry.signup')}
        </a>
      </div>
    </div>
  );
}
