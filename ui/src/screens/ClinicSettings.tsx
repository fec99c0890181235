import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api';
import { Card, ErrorBox, Field, Spinner } from '../components/ui';
import { toast, useApp } from '../context';
import { t, type I18nKey } from '../i18n';
import { describeError, describeFieldError, errorsByInput } from '../logic/errors';
import type { Role } from '../types';

/** `GET /api/v1/settings/clinic`: what heads the receipts and the printed cash-up (null: not set). */
export interface ClinicSettings {
  name: string | null;
  business_number: string | null;
  address: string | null;
  phone: string | null;
}

const FIELDS = ['name', 'business_number', 'address', 'phone'] as const;
type ClinicField = (typeof FIELDS)[number];
type FormState = Record<ClinicField, string>;
type FieldErrors = Partial<Record<ClinicField, string>>;

const LABELS: Record<ClinicField, I18nKey> = {
  name: 'clinic.name',
  business_number: 'clinic.businessNumber',
  address: 'clinic.address',
  phone: 'clinic.phone',
};

/** The server's limits (money-api.md § Clinic settings), so that nothing longer can be typed (it names none for the phone). */
const MAX_LENGTH: Record<ClinicField, number | undefined> = { name: 100, business_number: 12, address: 200, phone: undefined };

const BUSINESS_NUMBER = /^\d{3}-\d{2}-\d{5}$/;

export function canEditClinic(role: Role | string | undefined): boolean {
  return role === 'admin';
}

export async function loadClinicSettings(): Promise<ClinicSettings> {
  return (await api<ClinicSettings>('GET', '/api/v1/settings/clinic')).data;
}

/**
 * A business registration number as it is typed: the digits grouped NNN-NN-NNNNN. Anything
 * other than digits, spaces and dashes is left as typed, so the format check can point at it
 * rather than the text silently changing.
 */
export function formatBusinessNumber(v: string): string {
  if (/[^\d\s-]/.test(v)) return v;
  const d = v.replace(/\D/g, '').slice(0, 10);
  if (d.length <= 3) return d;
  if (d.length <= 5) return `${d.slice(0, 3)}-${d.slice(3)}`;
  return `${d.slice(0, 3)}-${d.slice(3, 5)}-${d.slice(5)}`;
}

function toForm(s: ClinicSettings): FormState {
  return { name: s.name ?? '', business_number: s.business_number ?? '', address: s.address ?? '', phone: s.phone ?? '' };
}

/** The PUT body: every field, an empty optional one as null (the PUT replaces the settings). */
export function clinicBody(f: FormState): ClinicSettings {
  const opt = (v: string) => (v.trim() === '' ? null : v.trim());
  return { name: f.name.trim(), business_number: opt(f.business_number), address: opt(f.address), phone: opt(f.phone) };
}

/** What can be told before asking the server; the server checks everything again. */
function localErrors(f: FormState): FieldErrors {
  const out: FieldErrors = {};
  if (f.name.trim() === '') out.name = t('clinic.nameRequired');
  const bn = f.business_number.trim();
  if (bn !== '' && !BUSINESS_NUMBER.test(bn)) out.business_number = t('clinic.businessNumberFormat');
  return out;
}

/**
 * 의원 정보: the clinic's name, business registration number, address and phone, printed on
 * receipts and on the daily cash-up. Everyone can read them here; administrators change them.
 */
export function ClinicSettingsScreen() {
  const { user } = useApp();
  const canEdit = canEditClinic(user.role);
  const [form, setForm] = useState<FormState | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [reload, setReload] = useState(0);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);
  // The field to put the cursor in once the inputs are enabled again after a save.
  const [focusTo, setFocusTo] = useState<{ field: ClinicField } | null>(null);

  useEffect(() => {
    if (focusTo) formRef.current?.querySelector<HTMLInputElement>(`#f-${focusTo.field}`)?.focus();
  }, [focusTo]);

  useEffect(() => {
    let live = true;
    setLoadError(null);
    loadClinicSettings()
      .then((s) => live && setForm(toForm(s)))
      .catch((e) => live && setLoadError(describeError(e)));
    return () => {
      live = false;
    };
  }, [reload]);

  // Every problem at once, at its field; the cursor goes to the first one.
  const showErrors = (fe: FieldErrors) => {
    setErrors(fe);
    const first = FIELDS.find((f) => fe[f]);
    if (first) setFocusTo({ field: first });
  };

  const submit = async (e?: Event) => {
    e?.preventDefault();
    if (!form || busy || !canEdit) return;
    setFormError(null);
    const local = localErrors(form);
    if (Object.keys(local).length) {
      showErrors(local);
      return;
    }
    setErrors({});
    setBusy(true);
    try {
      const env = await api<ClinicSettings>('PUT', '/api/v1/settings/clinic', clinicBody(form));
      // The answer is what was stored (the server may tidy what it was sent).
      setForm(toForm(env.data));
      toast(t('clinic.saved'));
    } catch (err) {
      const { byInput, rest } = errorsByInput(err, (f) => ((FIELDS as readonly string[]).includes(f) ? (f as ClinicField) : null));
      if (Object.keys(byInput).length) {
        showErrors(byInput);
        // Errors about something the form has no input for are listed above it.
        if (rest.length) setFormError([t('form.fixErrors'), ...rest.map(describeFieldError)].join(' '));
      } else {
        setFormError(describeError(err));
      }
    } finally {
      setBusy(false);
    }
  };

  const set = (f: ClinicField, v: string) => {
    setForm((s) => (s ? { ...s, [f]: f === 'business_number' ? formatBusinessNumber(v) : v } : s));
    // A corrected field loses its message; the others keep theirs until the next save.
    if (errors[f]) setErrors((x) => ({ ...x, [f]: undefined }));
  };

  const input = (f: ClinicField, opts: { required?: boolean; wide?: boolean; hint?: string; inputMode?: string; placeholder?: string } = {}) => (
    <Field label={t(LABELS[f])} htmlFor={`f-${f}`} error={errors[f]} hint={opts.hint} required={opts.required} wide={opts.wide}>
      <input
        id={`f-${f}`}
        name={f}
        class="input"
        data-testid={`clinic-${f}`}
        inputMode={opts.inputMode as never}
        placeholder={opts.placeholder}
        maxLength={MAX_LENGTH[f]}
        aria-invalid={errors[f] ? true : undefined}
        aria-describedby={errors[f] ? `f-${f}-error` : undefined}
        value={form?.[f] ?? ''}
        disabled={!canEdit || busy}
        onInput={(e) => set(f, e.currentTarget.value)}
      />
    </Field>
  );

  return (
    <div class="screen clinic-screen" data-testid="clinic-screen">
      <div class="screen-head">
        <h1>{t('clinic.title')}</h1>
      </div>
      <p class="muted clinic-explain">{t('clinic.explain')}</p>
      {!canEdit ? (
        <div class="notice clinic-card" data-testid="clinic-readonly">
          {t('clinic.readOnly')}
        </div>
      ) : null}
      {loadError ? (
        <ErrorBox testid="clinic-load-error">
          {loadError}{' '}
          <button type="button" class="btn btn-outline btn-sm" onClick={() => setReload((n) => n + 1)}>
            {t('common.retry')}
          </button>
        </ErrorBox>
      ) : null}
      {!form && !loadError ? <Spinner /> : null}
      {form ? (
        <form
          ref={formRef}
          class="clinic-card"
          data-testid="clinic-form"
          noValidate
          onSubmit={submit}
          onKeyDown={(e) => {
            if ((e.ctrlKey || e.metaKey) && e.key === 's') {
              e.preventDefault();
              void submit();
            }
          }}
        >
          <Card>
            <div class="stack">
              {formError ? <ErrorBox testid="clinic-error">{formError}</ErrorBox> : null}
              <div class="form-grid">
                {input('name', { required: true, wide: true })}
                {input('business_number', { hint: t('clinic.businessNumberHint'), inputMode: 'numeric', placeholder: '123-45-67890' })}
                {input('phone', { hint: t('clinic.phoneHint'), inputMode: 'tel' })}
                {input('address', { wide: true })}
              </div>
              {canEdit ? (
                <div class="clinic-actions">
                  <span class="muted small">Ctrl+S</span>
                  <span class="grow" />
                  <button type="submit" class="btn btn-primary" data-testid="clinic-save" disabled={busy}>
                    {busy ? t('common.saving') : t('common.save')}
                  </button>
                </div>
              ) : null}
            </div>
          </Card>
        </form>
      ) : null}
    </div>
  );
}
