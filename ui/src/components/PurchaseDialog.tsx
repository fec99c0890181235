import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api';
import { loadPackageTemplates, serviceName } from '../catalog';
import { t, tEnum } from '../i18n';
import { describeError, describeFieldError, fieldErrorsOf } from '../logic/errors';
import { addDays, formatNumber, formatWon, todayISO } from '../logic/format';
import { PAYMENT_METHODS, SERVICE_TYPES, type PackageTemplate, type PackageUsage, type PaymentMethod } from '../types';
import { DateInput } from './DateInput';
import { Modal } from './Modal';
import { ErrorBox, FieldMessage, Spinner } from './ui';

/** Service keys of a sessions map that have sessions, in catalogue order, unknown ones last. */
export function orderedServices(sessions: Record<string, number> | null | undefined): string[] {
  const keys = Object.keys(sessions ?? {}).filter((k) => Number(sessions?.[k]) > 0);
  const order = SERVICE_TYPES as readonly string[];
  return [...order.filter((s) => keys.includes(s)), ...keys.filter((k) => !order.includes(k))];
}

/**
 * Card / cash / transfer as a row of toggle buttons, none chosen until the person picks one
 * (money is never taken by a default). Buttons rather than hidden radios so that a click, a
 * test and Enter on a focused choice all do the same thing. Test ids `<testid>-<method>`.
 */
export function PaymentMethodPicker(props: {
  value: PaymentMethod | '';
  onChange: (m: PaymentMethod) => void;
  testid: string;
  labelledBy: string;
  field?: string;
}) {
  return (
    <div class="segmented" role="radiogroup" aria-labelledby={props.labelledBy} data-testid={props.testid} data-field={props.field} data-value={props.value}>
      {PAYMENT_METHODS.map((m) => (
        <button
          type="button"
          role="radio"
          aria-checked={props.value === m}
          class={`seg${props.value === m ? ' on' : ''}`}
          key={m}
          data-testid={`${props.testid}-${m}`}
          onClick={() => props.onChange(m)}
        >
          {tEnum('payment', m)}
        </button>
      ))}
    </div>
  );
}

type Step = 'choose' | 'confirm';

/**
 * Selling a package takes two steps: choose (package, payment method, date, price, notes —
 * nothing preselected), then a confirmation that states what will be charged, with its own
 * button. Enter never completes a sale: in the first step it at most moves on to the
 * confirmation, which does not answer Enter at all (its focus is on the summary).
 */
export function PurchaseDialog(props: { customerId: string; customerName: string; onClose: () => void; onDone: (p: PackageUsage) => void }) {
  const [templates, setTemplates] = useState<PackageTemplate[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [selected, setSelected] = useState<string>('');
  const [method, setMethod] = useState<PaymentMethod | ''>('');
  const [date, setDate] = useState(todayISO());
  const [price, setPrice] = useState('');
  const [notes, setNotes] = useState('');
  const [step, setStep] = useState<Step>('choose');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // Every field the last check or answer found wrong (all of them at once: details.errors).
  const [errorFields, setErrorFields] = useState<string[]>([]);
  // What is still to choose, said under its field (package_id, payment_method).
  const [missing, setMissing] = useState<Partial<Record<string, string>>>({});
  const summaryRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    loadPackageTemplates()
      .then(setTemplates)
      .catch((e) => setLoadError(describeError(e)));
  }, []);

  // The keyboard starts on the package list (nothing checked: arrows or Space choose one), and
  // comes back to it from the confirmation. The confirmation takes the focus on its summary,
  // not on a button: a stray Enter there does nothing.
  useEffect(() => {
    if (step === 'confirm') summaryRef.current?.focus();
    else if (templates?.length) {
      const list = '[data-testid="purchase-dialog"] input[name="purchase-template"]';
      (document.querySelector<HTMLInputElement>(`${list}:checked`) ?? document.querySelector<HTMLInputElement>(list))?.focus();
    }
  }, [templates, step]);

  const template = templates?.find((x) => x.package_id === selected) ?? null;
  const amount = price === '' ? (template?.price ?? 0) : Number(price);
  // The API wants a payment method whenever something is paid (and until a package is chosen,
  // nothing says it is free).
  const needsMethod = !template || amount > 0;

  const clearErrors = () => {
    setError(null);
    setErrorFields([]);
    setMissing({});
  };

  const choose = (tpl: PackageTemplate) => {
    setSelected(tpl.package_id);
    setPrice(String(tpl.price));
    clearErrors();
  };

  /** Step 1 → 2, when everything is chosen; otherwise say what is missing. */
  const review = () => {
    const todo: Partial<Record<string, string>> = {};
    if (!template) todo.package_id = t('purchase.select');
    if (needsMethod && !method) todo.payment_method = t('purchase.missingMethod');
    const fields = Object.keys(todo);
    if (fields.length) {
      setError(null);
      setErrorFields(fields);
      setMissing(todo);
      // Take the person to the first choice still to make.
      const first = fields[0] === 'package_id' ? 'input[name="purchase-template"]' : '[data-testid^="purchase-method-"]';
      document.querySelector<HTMLElement>(`[data-testid="purchase-dialog"] ${first}`)?.focus();
      return;
    }
    clearErrors();
    setStep('confirm');
  };

  const confirm = async () => {
    if (busy || !template) return;
    setBusy(true);
    clearErrors();
    const body: Record<string, unknown> = { package_id: template.package_id, purchase_date: date || todayISO(), price_paid: amount };
    if (method) body.payment_method = method;
    if (notes.trim()) body.notes = notes.trim();
    try {
      const env = await api<PackageUsage>('POST', `/api/v1/customers/${encodeURIComponent(props.customerId)}/packages`, body);
      props.onDone(env.data);
    } catch (e) {
      setBusy(false);
      const listed = fieldErrorsOf(e);
      setError(listed.length > 1 ? listed.map(describeFieldError).join(' · ') : describeError(e));
      setErrorFields(listed.map((f) => f.field));
      // A field to fix: back to the form, where it is marked.
      if (listed.length) setStep('choose');
    }
  };

  const onKeyDown = (e: KeyboardEvent) => {
    const tag = (e.target as HTMLElement).tagName;
    if (e.key === 'Enter' && !e.isComposing && tag !== 'TEXTAREA' && tag !== 'BUTTON') {
      e.preventDefault();
      review();
    }
  };

  const has = (field: string) => errorFields.includes(field);

  return (
    <Modal title={`${t('purchase.title')} — ${props.customerName}`} onClose={props.onClose} testid="purchase-dialog" width={720} busy={busy}>
      {loadError ? <ErrorBox>{loadError}</ErrorBox> : null}
      {!templates && !loadError ? <Spinner /> : null}
      {templates && step === 'confirm' && template ? (
        <div class="confirm-step" data-testid="purchase-confirm-step">
          <div class="confirm-summary" tabIndex={-1} ref={summaryRef} aria-live="polite">
            <p class="confirm-lead">{t('purchase.confirmLead')}</p>
            <dl class="kv confirm-kv">
              <dt>{t('purchase.customer')}</dt>
              <dd data-testid="purchase-confirm-customer">{props.customerName}</dd>
              <dt>{t('purchase.package')}</dt>
              <dd data-testid="purchase-confirm-package">
                <b>{template.name}</b>
              </dd>
              <dt>{t('purchase.amount')}</dt>
              <dd class="confirm-amount mono" data-testid="purchase-confirm-amount" data-value={amount}>
                {formatWon(amount)}
              </dd>
              <dt>{t('purchase.paymentMethod')}</dt>
              <dd data-testid="purchase-confirm-method" data-value={method}>
                {method ? tEnum('payment', method) : t('purchase.noPayment')}
              </dd>
              <dt>{t('purchase.date')}</dt>
              <dd class="mono" data-testid="purchase-confirm-date">
                {date || todayISO()}
                <span class="muted"> · {t('purchase.expiresOn', { date: addDays(date || todayISO(), template.validity_days) })}</span>
              </dd>
              {notes.trim() ? (
                <>
                  <dt>{t('purchase.notes')}</dt>
                  <dd class="pre">{notes.trim()}</dd>
                </>
              ) : null}
            </dl>
          </div>
          {error ? <ErrorBox testid="purchase-error">{error}</ErrorBox> : null}
          <div class="modal-foot">
            <button type="button" class="btn btn-outline" data-testid="purchase-back" onClick={() => setStep('choose')} disabled={busy}>
              {t('purchase.back')}
            </button>
            <span class="grow" />
            <button type="button" class="btn btn-outline" onClick={props.onClose} disabled={busy}>
              {t('common.cancel')}
            </button>
            <button type="button" class="btn btn-primary" data-testid="purchase-confirm" onClick={confirm} disabled={busy}>
              {busy ? t('purchase.confirming') : t('purchase.confirm', { amount: formatWon(amount) })}
            </button>
          </div>
        </div>
      ) : null}
      {templates && step === 'choose' ? (
        <form
          class="form-grid"
          onSubmit={(e) => {
            e.preventDefault();
            review();
          }}
          onKeyDown={onKeyDown}
          noValidate
        >
          <div class={`field wide${has('package_id') ? ' has-error' : ''}`}>
            <span class="field-label" id="purchase-choose-label">
              {t('purchase.choose')}
              <span class="req">*</span>
            </span>
            {templates.length === 0 ? <div class="muted">{t('purchase.noTemplates')}</div> : null}
            <div class="template-list" role="radiogroup" aria-labelledby="purchase-choose-label" data-testid="purchase-templates">
              {templates.map((tpl) => {
                const on = tpl.package_id === selected;
                const total = tpl.total_sessions ?? Object.values(tpl.sessions ?? {}).reduce((a, b) => a + Number(b || 0), 0);
                return (
                  <label class={`template${on ? ' on' : ''}`} key={tpl.package_id} data-testid="purchase-option" data-package-id={tpl.package_id}>
                    <input type="radio" name="purchase-template" value={tpl.package_id} checked={on} onChange={() => choose(tpl)} />
                    <div class="tpl-main">
                      <div class="tpl-name">{tpl.name}</div>
                      {tpl.description ? <div class="tpl-desc muted">{tpl.description}</div> : null}
                      <div class="tpl-sessions">
                        {orderedServices(tpl.sessions).map((s) => (
                          <span class="mini-chip" key={s}>
                            {serviceName(s)} {tpl.sessions[s]}
                          </span>
                        ))}
                      </div>
                    </div>
                    <div class="tpl-side">
                      <div class="tpl-price">{formatWon(tpl.price)}</div>
                      <div class="muted small">
                        {t('purchase.total', { n: formatNumber(total) })} · {t('purchase.validity', { n: tpl.validity_days })}
                      </div>
                    </div>
                  </label>
                );
              })}
            </div>
            <FieldMessage errors={missing} field="package_id" />
          </div>

          <div class={`field wide${has('payment_method') ? ' has-error' : ''}`}>
            <span class="field-label" id="purchase-method-label">
              {t('purchase.paymentMethod')}
              {needsMethod ? <span class="req">*</span> : null}
            </span>
            <PaymentMethodPicker
              value={method}
              onChange={(m) => {
                setMethod(m);
                clearErrors();
              }}
              testid="purchase-method"
              labelledBy="purchase-method-label"
              field="payment_method"
            />
            <FieldMessage errors={missing} field="payment_method" />
          </div>

          <div class={`field${has('purchase_date') ? ' has-error' : ''}`}>
            <label class="field-label" for="purchase-date">
              {t('purchase.date')}
            </label>
            <DateInput id="purchase-date" testid="purchase-date" value={date} max={todayISO()} onChange={setDate} />
            {template && date ? <div class="field-hint">{t('purchase.expiresOn', { date: addDays(date, template.validity_days) })}</div> : null}
          </div>

          <div class={`field${has('price_paid') ? ' has-error' : ''}`}>
            <label class="field-label" for="purchase-price">
              {t('purchase.pricePaid')}
            </label>
            <input
              id="purchase-price"
              class="input num"
              inputMode="numeric"
              data-testid="purchase-price"
              disabled={!template}
              value={price === '' ? '' : formatNumber(Number(price))}
              onInput={(e) => setPrice(e.currentTarget.value.replace(/[^\d]/g, ''))}
            />
          </div>

          <div class={`field wide${has('notes') ? ' has-error' : ''}`}>
            <label class="field-label" for="purchase-notes">
              {t('purchase.notes')}
            </label>
            <textarea id="purchase-notes" rows={2} class="input" data-testid="purchase-notes" value={notes} onInput={(e) => setNotes(e.currentTarget.value)} />
          </div>

          {error ? (
            <div class="wide">
              <ErrorBox testid="purchase-error">{error}</ErrorBox>
            </div>
          ) : null}

          <div class="modal-foot wide">
            {template ? (
              <span class="purchase-summary" data-testid="purchase-summary">
                <b>{template.name}</b> · {formatWon(amount)}
                {method ? ` · ${tEnum('payment', method)}` : ''}
              </span>
            ) : null}
            <span class="grow" />
            <button type="button" class="btn btn-outline" onClick={props.onClose}>
              {t('common.cancel')}
            </button>
            <button type="submit" class="btn btn-primary" data-testid="purchase-submit">
              {t('purchase.next')}
            </button>
          </div>
        </form>
      ) : null}
    </Modal>
  );
}
