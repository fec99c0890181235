// Import a PubMed XML or MEDLINE export into the library: choose a file, send its text, then
// follow the import (a progress bar) until it is done. A refused file names its line; nothing
// of it was imported.

import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError } from '../api';
import { Card, ErrorBox } from '../components/ui';
import { describeError } from '../logic/errors';
import { formatKstDateTime } from '../logic/format';
import { fileSizeText, rt, type ImportProgress, type ImportStarted, type Library } from './ResearchText';

export const MAX_IMPORT_BYTES = 20 * 1024 * 1024;
const ACCEPTED = ['.xml', '.nbib', '.txt', '.medline'];

type Phase = 'idle' | 'sending' | 'running' | 'done' | 'failed' | 'refused';

export function ResearchImport(props: { library: Library | null; onChanged: () => void; pollMs?: number }) {
  const pollMs = props.pollMs ?? 500;
  const [file, setFile] = useState<File | null>(null);
  const [phase, setPhase] = useState<Phase>('idle');
  const [progress, setProgress] = useState<ImportProgress | null>(null);
  const [refused, setRefused] = useState<{ line: number | null; message: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const input = useRef<HTMLInputElement>(null);
  // Polling stops when the screen goes away.
  const alive = useRef(true);
  useEffect(
    () => () => {
      alive.current = false;
    },
    [],
  );

  const pick = (f: File | null) => {
    setFile(f);
    setPhase('idle');
    setProgress(null);
    setRefused(null);
    setError(null);
    if (!f) return;
    const name = f.name.toLowerCase();
    if (!ACCEPTED.some((ext) => name.endsWith(ext))) setError(rt('import.badType'));
    else if (f.size > MAX_IMPORT_BYTES) setError(rt('import.tooBig', { size: fileSizeText(f.size) }));
  };

  const follow = async (id: string) => {
    for (;;) {
      if (!alive.current) return;
      let p: ImportProgress;
      try {
        p = (await api<ImportProgress>('GET', `/api/v1/pro/research/imports/${encodeURIComponent(id)}`)).data;
      } catch (e) {
        if (!alive.current) return;
        setError(describeError(e));
        setPhase('failed');
        return;
      }
      if (!alive.current) return;
      setProgress(p);
      if (p.status === 'done') {
        setPhase('done');
        props.onChanged();
        return;
      }
      if (p.status === 'failed') {
        setPhase('failed');
        props.onChanged();
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  };

  const start = async () => {
    if (!file || error || phase === 'sending' || phase === 'running') return;
    setPhase('sending');
    setRefused(null);
    setProgress(null);
    let content: string;
    try {
      content = await file.text();
    } catch {
      setError(rt('import.unreadable'));
      setPhase('idle');
      return;
    }
    try {
      const env = await api<ImportStarted>('POST', '/api/v1/pro/research/imports', { filename: file.name, content });
      const started = env.data;
      setProgress({ ...started, processed: 0, imported: 0, duplicates: 0, error: null });
      setPhase('running');
      await follow(started.import_id);
    } catch (e) {
      if (e instanceof ApiError && e.code === 'RESEARCH_IMPORT_INVALID') {
        const line = Number(e.details?.line);
        const message = typeof e.details?.message === 'string' ? e.details.message : e.message;
        setRefused({ line: Number.isFinite(line) && line > 0 ? line : null, message });
        setPhase('refused');
      } else {
        setError(describeError(e));
        setPhase('idle');
      }
    }
  };

  const again = () => {
    pick(null);
    if (input.current) input.current.value = '';
    input.current?.click();
  };

  const busy = phase === 'sending' || phase === 'running';
  const total = progress?.total ?? 0;
  const processed = Math.min(progress?.processed ?? 0, total);
  const pct = phase === 'done' ? 100 : total > 0 ? Math.round((processed / total) * 100) : 0;

  return (
    <div class="research-import">
      <Card heading={rt('import.title')} data-testid="research-import">
        <p class="muted research-note">{rt('import.intro')}</p>
        <div class="research-file-row">
          <input
            ref={input}
            id="research-file"
            class="file-input"
            type="file"
            accept={ACCEPTED.join(',')}
            data-testid="research-file"
            disabled={busy}
            onChange={(e) => pick(e.currentTarget.files?.[0] ?? null)}
          />
          <label for="research-file" class={`btn btn-outline${busy ? ' disabled' : ''}`}>
            {rt('import.choose')}
          </label>
          <span class="research-file-name" data-testid="research-file-name">
            {file ? (
              <>
                <b>{file.name}</b> <span class="muted">{fileSizeText(file.size)}</span>
              </>
            ) : (
              <span class="muted">{rt('import.none')}</span>
            )}
          </span>
          <span class="grow" />
          {phase === 'done' || phase === 'failed' || phase === 'refused' ? (
            <button type="button" class="btn btn-outline" onClick={again} data-testid="research-import-again">
              {rt('import.another')}
            </button>
          ) : (
            <button type="button" class="btn btn-primary" data-testid="research-import-submit" disabled={!file || !!error || busy} onClick={() => void start()}>
              {phase === 'sending' ? rt('import.starting') : rt('import.start')}
            </button>
          )}
        </div>

        {error ? <ErrorBox testid="import-error">{error}</ErrorBox> : null}

        {refused ? (
          <div class="error-box import-refused" role="alert" data-testid="import-refused" data-line={refused.line ?? ''}>
            <div>
              <strong>{rt('import.refused')}</strong>
              <div class="import-refused-why">
                {refused.line ? (
                  <span class="import-line" data-testid="import-refused-line">
                    {rt('import.refusedLine', { line: refused.line })}
                  </span>
                ) : null}
                <span data-testid="import-refused-message">{refused.message}</span>
              </div>
            </div>
          </div>
        ) : null}

        {progress && (phase === 'running' || phase === 'done' || phase === 'failed') ? (
          <div class={`import-progress import-${phase}`} data-testid="import-progress" data-status={phase} data-processed={processed} data-total={total}>
            <div class="import-progress-line">
              <span data-testid="import-status">
                {phase === 'running'
                  ? rt('import.running', { processed, total })
                  : phase === 'done'
                    ? rt('import.done', { imported: progress.imported, duplicates: progress.duplicates })
                    : rt('import.failed', { error: progress.error ?? error ?? '' })}
              </span>
              <span class="muted">{pct}%</span>
            </div>
            <div class="sync-progress-track" role="progressbar" aria-label={rt('import.progress')} aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct}>
              <div class="sync-progress-fill" style={{ width: `${pct}%` }} />
            </div>
          </div>
        ) : null}
      </Card>

      <Card heading={rt('import.recent')} data-testid="research-recent">
        {!props.library || props.library.recent_imports.length === 0 ? (
          <p class="muted">{rt('import.noRecent')}</p>
        ) : (
          <div class="table-wrap">
            <table class="table research-recent-table">
              <thead>
                <tr>
                  <th>{rt('import.colFile')}</th>
                  <th>{rt('import.colStatus')}</th>
                  <th class="num">{rt('import.colImported')}</th>
                  <th class="num">{rt('import.colDuplicates')}</th>
                  <th>{rt('import.colFinished')}</th>
                </tr>
              </thead>
              <tbody>
                {props.library.recent_imports.map((r) => (
                  <tr key={r.import_id} data-testid="recent-import" data-status={r.status}>
                    <td class="research-cell-file">{r.filename}</td>
                    <td>
                      <span class={`badge import-badge-${r.status}`}>{rt(`status.${r.status}` as 'status.done')}</span>
                    </td>
                    <td class="num">{r.imported}</td>
                    <td class="num">{r.duplicates}</td>
                    <td class="nowrap">{r.finished_at ? formatKstDateTime(r.finished_at) : '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>
    </div>
  );
}
