import { useEffect, useRef, useState } from 'preact/hooks';
import { toast } from '../context';
import { t } from '../i18n';
import { roundSummary, syncErrorText } from '../logic/sync';
import { runSyncNow, useSyncStatus } from '../syncState';

/**
 * 지금 동기화: runs one round and says how it went, under the button. One run at a time for the
 * whole window (the indicator's menu and the settings screen share it). When the button is gone
 * before the answer (the menu was closed), the outcome comes as a toast instead.
 */
export function SyncNow({ block }: { block?: boolean }) {
  const { busy } = useSyncStatus();
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string } | null>(null);
  const mounted = useRef(true);
  useEffect(
    () => () => {
      mounted.current = false;
    },
    [],
  );

  const run = async () => {
    if (busy) return;
    setOutcome(null);
    let result: { ok: boolean; text: string };
    try {
      result = { ok: true, text: roundSummary(await runSyncNow()) };
    } catch (e) {
      result = { ok: false, text: syncErrorText(e) };
    }
    if (mounted.current) setOutcome(result);
    else toast(result.text, result.ok ? 'success' : 'error', result.ok ? 3500 : 6000);
  };

  return (
    <div class={`sync-now${block ? ' block' : ''}`}>
      <button type="button" class={`btn btn-primary btn-sm${block ? ' btn-block' : ''}`} data-testid="sync-run" disabled={busy} aria-busy={busy} onClick={() => void run()}>
        {busy ? t('sync.running') : t('sync.runNow')}
      </button>
      {outcome ? (
        <div
          class={`small sync-run-outcome ${outcome.ok ? 'ok' : 'failed'}`}
          role={outcome.ok ? 'status' : 'alert'}
          data-testid={outcome.ok ? 'sync-run-result' : 'sync-run-error'}
        >
          {outcome.text}
        </div>
      ) : null}
    </div>
  );
}
