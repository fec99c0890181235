import { useEffect, useState } from 'preact/hooks';
import { api, qs } from '../api';
import { ErrorBox, Spinner } from '../components/ui';
import { t, tEnum } from '../i18n';
import { kstDateTime } from '../logic/audit';
import { describeError } from '../logic/errors';
import { href } from '../router';

export interface RevealEvent {
  id: string;
  occurred_at: string;
  username: string | null;
  role: string | null;
  staff_name: string | null;
  customer_id: string | null;
  customer_name: string | null;
  reason: string | null;
  note: string | null;
}

const PAGE_SIZE = 50;

/**
 * Who revealed which customer's phone number, and why (`GET /api/v1/audit/phone-reveals`):
 * the part of the audit trail managers review. Administrators see it in the whole trail too.
 */
export function PhoneReveals({ customerId }: { customerId?: string }) {
  const [events, setEvents] = useState<RevealEvent[] | null>(null);
  const [page, setPage] = useState(1);
  const [hasMore, setHasMore] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    setError(null);
    api<{ events: RevealEvent[]; pagination: { has_more: boolean } }>(
      'GET',
      `/api/v1/audit/phone-reveals${qs({ customer_id: customerId || null, page, size: PAGE_SIZE })}`,
    )
      .then((r) => {
        if (!live) return;
        setEvents((before) => (page === 1 ? r.data.events : [...(before ?? []), ...r.data.events]));
        setHasMore(r.data.pagination.has_more);
      })
      .catch((e) => live && setError(describeError(e)));
    return () => {
      live = false;
    };
  }, [page, customerId]);

  return (
    <div class="screen reveals-screen" data-testid="reveals-screen">
      <h1 class="screen-title">{t('reveals.title')}</h1>
      <p class="muted small">{t('reveals.note')}</p>
      {error ? <ErrorBox testid="reveals-error">{error}</ErrorBox> : null}
      {events === null && !error ? <Spinner label={t('common.loading')} /> : null}
      {events && events.length === 0 ? <div class="empty" data-testid="reveals-empty">{t('reveals.empty')}</div> : null}
      {events && events.length > 0 ? (
        <div class="card">
          <div class="table-scroll">
            <table class="table reveals-table" data-testid="reveals-table">
              <thead>
                <tr>
                  <th>{t('reveals.when')}</th>
                  <th>{t('reveals.who')}</th>
                  <th>{t('reveals.whom')}</th>
                  <th>{t('reveals.why')}</th>
                </tr>
              </thead>
              <tbody>
                {events.map((e) => (
                  <tr key={e.id} data-testid="reveal-row">
                    <td class="mono nowrap">{kstDateTime(e.occurred_at)}</td>
                    <td>
                      {e.staff_name ?? e.username ?? t('common.empty')}
                      {e.username ? <span class="muted small"> ({e.username}{e.role ? ` · ${tEnum('role', e.role)}` : ''})</span> : null}
                    </td>
                    <td>
                      {e.customer_id ? (
                        <a href={href({ name: 'detail', id: e.customer_id })} data-testid="reveal-customer">
                          {e.customer_name ?? e.customer_id.slice(0, 8)}
                        </a>
                      ) : (
                        t('common.empty')
                      )}
                    </td>
                    <td data-testid="reveal-reason">
                      {e.reason ? t(`reveal.reason.${e.reason}` as 'reveal.reason.booking') : t('common.empty')}
                      {e.note ? <span class="muted"> — {e.note}</span> : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      ) : null}
      {hasMore ? (
        <button type="button" class="btn btn-outline btn-sm" data-testid="reveals-more" onClick={() => setPage((p) => p + 1)}>
          {t('reveals.more')}
        </button>
      ) : null}
    </div>
  );
}
