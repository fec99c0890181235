import { useState } from 'preact/hooks';
import { ApiError, api } from '../api';
import { DateInput } from '../components/DateInput';
import { PanelCard, PanelError, PanelSkeleton, usePanel } from '../components/Panel';
import { FieldMessage } from '../components/ui';
import { t, type I18nKey } from '../i18n';
import { describeError, describeFieldError, errorsByInput } from '../logic/errors';
import { formatDateTime, formatNumber } from '../logic/format';
import {
  kstToday,
  lowerIsBetter,
  reportsByDay,
  SELF_REPORT_METRICS,
  selfReportBody,
  trends,
  type SelfReportAnswer,
  type SelfReportList,
  type SelfReportMetric,
} from '../logic/selfReports';
import { href } from '../router';

// 건강 자가 보고 on the customer's overview (doctors and administrators, issue 11): what the
// customer said of their stress, sleep, focus, pain and fatigue (1–10), by day, with the first
// against the latest; and a form to record a new report. The server keeps them only with the
// customer's health-data consent; the admin's 분석 tab compares them as before and after.

/** The panel's element id: the 분석 tab's health panel points here. */
export const SELF_REPORTS_ANCHOR = 'self-reports';

const metricLabel = (m: SelfReportMetric) => t(`sr.metric.${m}` as I18nKey);
const betterLabel = (m: SelfReportMetric) => (lowerIsBetter(m) ? t('sr.lowerBetter') : t('sr.higherBetter'));

/** The server's fields this form has an input for (`values` alone has none: it is the form's). */
const FIELDS = ['reported_on', ...SELF_REPORT_METRICS.map((m) => `values.${m}`)];

interface Saved {
  date: string;
  text: string;
}

export function CustomerSelfReports(props: {
  customerId: string;
  /** The customer's health-data consent as the detail knows it: false disables the form up front. */
  consent: boolean | null | undefined;
  /** After a report is saved (the 분석 tab's figures then change). */
  onSaved?: () => void;
}) {
  const id = encodeURIComponent(props.customerId);
  const list = usePanel<SelfReportList>(`/api/v1/customers/${id}/self-reports`);
  const days = list.data ? reportsByDay(list.data.items) : [];
  const forbidden = list.error instanceof ApiError && list.error.code === 'FORBIDDEN_ROLE';

  return (
    <div id={SELF_REPORTS_ANCHOR} class="selfrep-anchor">
      <PanelCard
        testid="self-reports"
        title={t('sr.title')}
        note={list.data && days.length ? t('sr.daysN', { n: formatNumber(days.length) }) : undefined}
        state={list.error ? 'error' : !list.data ? 'loading' : days.length ? 'ready' : 'empty'}
        class="selfrep health-card"
      >
        {list.error ? (
          <PanelError error={list.error} testid="sr-error" onRetry={forbidden ? undefined : list.reload} message={forbidden ? t('sr.forbidden') : undefined} />
        ) : !list.data ? (
          <PanelSkeleton lines={3} />
        ) : (
          <ReportTable days={days} />
        )}
        {forbidden ? null : (
          <SelfReportForm
            customerId={props.customerId}
            consent={props.consent}
            onSaved={() => {
              list.reload();
              props.onSaved?.();
            }}
          />
        )}
      </PanelCard>
    </div>
  );
}

function ReportTable({ days }: { days: ReturnType<typeof reportsByDay> }) {
  if (!days.length) {
    return (
      <p class="muted selfrep-empty" data-testid="sr-empty">
        {t('sr.empty')}
      </p>
    );
  }
  const change = trends(days);
  const anyChange = SELF_REPORT_METRICS.some((m) => change[m]);
  return (
    <>
      <p class="small muted selfrep-direction" data-testid="sr-direction">
        {t('sr.direction')}
      </p>
      <div class="table-wrap flat selfrep-table-wrap">
        <table class="table selfrep-table" data-testid="sr-table">
          <thead>
            <tr>
              <th>{t('sr.col.date')}</th>
              {SELF_REPORT_METRICS.map((m) => (
                <th key={m} title={betterLabel(m)} data-metric={m}>
                  {metricLabel(m)}
                  <span class="selfrep-arrow" aria-hidden="true">
                    {lowerIsBetter(m) ? '↓' : '↑'}
                  </span>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {days.map((d) => (
              <tr key={d.date} data-testid="sr-row" data-date={d.date} {...Object.fromEntries(SELF_REPORT_METRICS.map((m) => [`data-${m.replace('_', '-')}`, d.values[m]?.value ?? '']))}>
                <td class="mono" title={d.replaced ? t('sr.replaced') : undefined}>
                  {d.date}
                  {d.replaced ? <span class="selfrep-replaced" aria-label={t('sr.replaced')}>*</span> : null}
                </td>
                {SELF_REPORT_METRICS.map((m) => {
                  const r = d.values[m];
                  return (
                    <td key={m} class="mono" data-metric={m} title={r ? t('sr.cellTitle', { by: r.recorded_by ?? t('common.empty'), when: formatDateTime(r.created_at) }) : undefined}>
                      {r ? r.value : null}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
          {anyChange ? (
            <tfoot>
              <tr data-testid="sr-change-row">
                <th scope="row">{t('sr.change')}</th>
                {SELF_REPORT_METRICS.map((m) => {
                  const c = change[m];
                  return (
                    <td key={m} data-metric={m} data-direction={c?.direction ?? ''} title={c ? t('sr.changeTitle', { first: c.firstDate, latest: c.latestDate }) : undefined}>
                      {c ? (
                        <>
                          <span class="mono">
                            {c.before}→{c.after}
                          </span>
                          <span class={`selfrep-dir selfrep-${c.direction}`}>{t(`sr.dir.${c.direction}` as I18nKey)}</span>
                        </>
                      ) : (
                        <span class="muted">{t('common.empty')}</span>
                      )}
                    </td>
                  );
                })}
              </tr>
            </tfoot>
          ) : null}
        </table>
      </div>
    </>
  );
}

function SelfReportForm(props: { customerId: string; consent: boolean | null | undefined; onSaved: () => void }) {
  const today = kstToday();
  const [date, setDate] = useState(today);
  const [typed, setTyped] = useState<Partial<Record<SelfReportMetric, string>>>({});
  const [busy, setBusy] = useState(false);
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<string, string>>>({});
  const [formError, setFormError] = useState<string | null>(null);
  // The server said the consent is missing (the detail may have been opened before it was withdrawn).
  const [consentRefused, setConsentRefused] = useState(false);
  const [saved, setSaved] = useState<Saved | null>(null);
  const noConsent = props.consent === false || consentRefused;

  const submit = async () => {
    if (busy || noConsent) return;
    setFieldErrors({});
    setFormError(null);
    setSaved(null);
    const { body, notNumbers } = selfReportBody(date, typed);
    if (notNumbers.length) {
      setFieldErrors(Object.fromEntries(notNumbers.map((m) => [`values.${m}`, t('sr.notNumber')])));
      focusField(`values.${notNumbers[0]}`);
      return;
    }
    if (Object.keys(body.values).length === 0) {
      setFormError(t('sr.needOne'));
      focusField('values.stress_level');
      return;
    }
    setBusy(true);
    let focus: string | null = null;
    try {
      const env = await api<SelfReportAnswer>('POST', `/api/v1/customers/${encodeURIComponent(props.customerId)}/self-reports`, body);
      const answer = env.data;
      const shown = SELF_REPORT_METRICS.flatMap((m) => {
        const item = answer.items.find((i) => i.metric === m);
        return item ? [`${metricLabel(m)} ${item.value}`] : [];
      });
      setSaved({ date: answer.reported_on, text: t('sr.saved', { date: answer.reported_on, values: shown.join(', ') }) });
      setTyped({});
      props.onSaved();
    } catch (e) {
      if (e instanceof ApiError && e.code === 'HEALTH_CONSENT_REQUIRED') {
        setConsentRefused(true);
      } else {
        // Each field's error next to it; what names no input of this form (`values`) above the button.
        const { byInput, rest } = errorsByInput(e, (f) => (FIELDS.includes(f) ? f : null));
        setFieldErrors(byInput);
        const first = Object.keys(byInput)[0];
        setFormError(first ? (rest.length ? rest.map(describeFieldError).join(' ') : null) : describeError(e));
        focus = first ?? null;
      }
    } finally {
      setBusy(false);
    }
    // Once the fields are enabled again.
    if (focus) setTimeout(() => focusField(focus!), 0);
  };

  const has = (f: string) => (fieldErrors[f] ? ' has-error' : '');
  return (
    <form
      class="selfrep-form no-print"
      data-testid="sr-form"
      data-disabled={noConsent ? 'true' : 'false'}
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <h3 class="panel-sub">{t('sr.formTitle')}</h3>
      {noConsent ? (
        <div class="notice selfrep-consent" role="alert" data-testid="sr-consent-required" data-source={consentRefused ? 'server' : 'detail'}>
          <b>{t('sr.noConsent')}</b>
          <div class="small">
            {t('sr.noConsentHint')}{' '}
            <a href={href({ name: 'edit', id: props.customerId })} data-testid="sr-edit-customer">
              {t('sr.editCustomer')}
            </a>
          </div>
        </div>
      ) : (
        <p class="small muted selfrep-hint">{t('sr.formHint')}</p>
      )}
      <fieldset class="selfrep-fields" disabled={noConsent || busy}>
        <div class={`field selfrep-date${has('reported_on')}`}>
          <label class="field-label" for="sr-date">
            {t('sr.date')}
          </label>
          <DateInput id="sr-date" testid="sr-date" field="reported_on" value={date} max={today} invalid={!!fieldErrors.reported_on} onChange={setDate} />
          <FieldMessage errors={fieldErrors} field="reported_on" />
        </div>
        <div class="selfrep-metrics">
          {SELF_REPORT_METRICS.map((m) => {
            const field = `values.${m}`;
            return (
              <div key={m} class={`field selfrep-metric${has(field)}`}>
                <label class="field-label" for={`sr-${m}`}>
                  {metricLabel(m)} <span class="selfrep-optional">({t('sr.optional')})</span>
                </label>
                <input
                  id={`sr-${m}`}
                  class="input num"
                  type="text"
                  inputMode="numeric"
                  autoComplete="off"
                  maxLength={4}
                  placeholder={t('sr.placeholder')}
                  data-testid={`sr-input-${m}`}
                  data-field={field}
                  aria-invalid={fieldErrors[field] ? true : undefined}
                  aria-describedby={`sr-${m}-hint`}
                  value={typed[m] ?? ''}
                  onInput={(e) => {
                    const v = e.currentTarget.value;
                    setTyped((x) => ({ ...x, [m]: v }));
                  }}
                />
                <span class="field-hint" id={`sr-${m}-hint`}>
                  {betterLabel(m)}
                </span>
                <FieldMessage errors={fieldErrors} field={field} />
              </div>
            );
          })}
        </div>
      </fieldset>
      {formError ? (
        <div class="error-box" role="alert" data-testid="sr-form-error">
          {formError}
        </div>
      ) : null}
      <div class="selfrep-actions">
        <button type="submit" class="btn btn-primary" data-testid="sr-submit" disabled={noConsent || busy}>
          {busy ? t('common.saving') : t('sr.submit')}
        </button>
        {saved ? (
          <span class="notice success-notice selfrep-saved" role="status" data-testid="sr-saved" data-date={saved.date}>
            {saved.text}
          </span>
        ) : null}
      </div>
    </form>
  );
}

function focusField(field: string) {
  document.querySelector<HTMLElement>(`.selfrep-form [data-field="${field}"]`)?.focus();
}
