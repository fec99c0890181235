import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import { loadPackageTemplates, serviceName } from '../catalog';
import { t, tEnum } from '../i18n';
import { describeError, describeFieldError, fieldErrorsOf } from '../logic/errors';
import { addDays, formatNumber, formatWon, todayISO } from '../logic/format';
import { PAYMENT_METHODS, SERVICE_TYPES, type PackageTemplate, type PackageUsage } from '../types';
import { DateInput } from './DateInput';
import { Modal } from './Modal';
import { ErrorBox, Spinner } from './ui';

/** Service keys of a sessions map that have sessions, in catalogue order, unknown ones last. */
export function orderedServices(sessions: Record<string, number> | null | undefined): string[] {
  const keys = Object.keys(sessions ?? {}).filter((k) => Number(sessions?.[k]) > 0);
  const order = SERVICE_TYPES as readonly string[];
  return [...order.filter((s) => keys.includes(s)), ...keys.filter((k) => !order.includes(k))];
}

export function PurchaseDialog(props: { customerId: string; customerName: string; onClose: () => void; onDone: (p: PackageUsage) => void }) {
  const [templates, setTemplates] = useState<PackageTemplate[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [selected, setSelected] = useState<string>('');
  const [method, setMethod] = useState<string>('card');
  const [date, setDate] = useState(todayISO());
  const [price, setPrice] = useState('');
  const [notes, setNotes] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // Every field the last answer found wrong (all of them at once: details.errors).
  const [errorFields, setErrorFields] = useState<string[]>([]);

  useEffect(() => {
    if (templates?.length) document.querySelector<HTMLInputElement>('input[name="purchase-template"]:checked')?.focus();
  }, [templates]);

  useEffect(() => {
    loadPackageTemplates()
      .then((list) => {
        setTemplates(list);
        if (list.length) {
          setSelected(list[0].package_id);
          setPrice(String(list[0].price));
        }
      })
      .catch((e) => setLoadError(describeError(e)));
  }, []);

  const template = templates?.find((x) => x.package_id === selected) ?? null;

  const choose = (tpl: PackageTemplate) => {
    setSelected(tpl.package_id);
    setPrice(String(tpl.price));
    setError(null);
    setErrorFields([]);
  };

  const submit = async () => {
    if (busy) return;
    if (!template) {
      setError(t('purchase.select'));
      return;
    }
    setBusy(true);
    setError(null);
    setErrorFields([]);
    const body: Record<string, unknown> = { package_id: template.package_id, purchase_date: date || todayISO(), payment_method: method };
    const p = price.replace(/[^\d]/g, '');
    if (p !== '') body.price_paid = Number(p);
    if (notes.trim()) body.notes = notes.trim();
    try {
      const env = await api<PackageUsage>('POST', `/api/v1/customers/${encodeURIComponent(props.customerId)}/packages`, body);
      props.onDone(env.data);
    } catch (e) {
      setBusy(false);
      const listed = fieldErrorsOf(e);
      setError(listed.length > 1 ? listed.map(describeFieldError).join(' · ') : describeError(e));
      setErrorFields(listed.map((f) => f.field));
    }
  };

  const onKeyDown = (e: KeyboardEvent) => {
    const tag = (e.target as HTMLElement).tagName;
    if (e.key === 'Enter' && !e.isComposing && tag !== 'TEXTAREA' && tag !== 'BUTTON') {
      e.preventDefault();
      submit();
    }
  };

  return (
    <Modal title={`${t('purchase.title')} — ${props.customerName}`} onClose={props.onClose} testid="purchase-dialog" width={720} busy={busy}>
      {loadError ? <ErrorBox>{loadError}</ErrorBox> : null}
      {!templates && !loadError ? <Spinner /> : null}
      {templates ? (
        <form
          class="form-grid"
          onSubmit={(e) => {
            e.preventDefault();
            submit();
          }}
          onKeyDown={onKeyDown}
          noValidate
        >
          <div class="field wide">
            <span class="field-label" id="purchase-choose-label">
              {t('purchase.choose')}
            </span>
            {templates.length === 0 ? <div class="muted">{t('purchase.noTemplates')}</div> : null}
            <div class="template-list" role="radiogroup" aria-labelledby="purchase-choose-label" data-testid="purchase-templates">
              {templates.map((tpl) => {
                const on = tpl.package_id === selected;
                const total = tpl.total_sessions ?? Object.values(tpl.sessions ?? {}).reduce((a, b) => a + Number(b || 0), 0);
                return (
                  <label class={`template${on ? ' on' : ''}`} key={tpl.package_id} data-testid="purchase-option" data-package-id={tpl.package_id}>
                    <input
                      type="radio"
                      name="purchase-template"
                      value={tpl.package_id}
                      checked={on}
                      onChange={() => choose(tpl)}
                    />
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
          </div>

          <div class={`field wide${errorFields.includes('payment_method') ? ' has-error' : ''}`}>
            <span class="field-label" id="purchase-method-label">
              {t('purchase.paymentMethod')}
            </span>
            <div class="segmented" role="radiogroup" aria-labelledby="purchase-method-label" data-testid="purchase-payment-method">
              {PAYMENT_METHODS.map((m) => (
                <label class={`seg${method === m ? ' on' : ''}`} key={m}>
                  <input type="radio" name="purchase-method" value={m} checked={method === m} data-testid={`purchase-method-${m}`} onChange={() => setMethod(m)} />
                  {tEnum('payment', m)}
                </label>
              ))}
            </div>
          </div>

          <div class={`field${errorFields.includes('purchase_date') ? ' has-error' : ''}`}>
            <label class="field-label" for="purchase-date">
              {t('purchase.date')}
            </label>
            <DateInput id="purchase-date" testid="purchase-date" value={date} max={todayISO()} onChange={setDate} />
            {template && date ? <div class="field-hint">{t('purchase.expiresOn', { date: addDays(date, template.validity_days) })}</div> : null}
          </div>

          <div class={`field${errorFields.includes('price_paid') ? ' has-error' : ''}`}>
            <label class="field-label" for="purchase-price">
              {t('purchase.pricePaid')}
            </label>
            <input
              id="purchase-price"
              class="input num"
              inputMode="numeric"
              data-testid="purchase-price"
              value={price === '' ? '' : formatNumber(Number(price.replace(/[^\d]/g, '')))}
              onInput={(e) => setPrice(e.currentTarget.value.replace(/[^\d]/g, ''))}
            />
          </div>

          <div class="field wide">
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
              <span class="purchase-summary">
                <b>{template.name}</b> · {formatWon(Number(price || 0))}
              </span>
            ) : null}
            <span class="grow" />
            <button type="button" class="btn btn-outline" onClick={props.onClose} disabled={busy}>
              {t('common.cancel')}
            </button>
            <button type="submit" class="btn btn-primary" data-testid="purchase-submit" disabled={busy || !template}>
              {busy ? t('common.saving') : t('purchase.submit')}
            </button>
          </div>
        </form>
      ) : null}
    </Modal>
  );
}
