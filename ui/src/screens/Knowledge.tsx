import { useEffect, useState } from 'preact/hooks';
import { ApiError, api } from '../api';
import { loadKnowledge } from '../allergyData';
import { ta, taEnum } from '../allergyText';
import type { KnowledgeDocument, KnowledgePublished, KnowledgeVersionDetail, KnowledgeVersions } from '../allergyTypes';
import { Modal } from '../components/Modal';
import { Card, ErrorBox, Field, Spinner } from '../components/ui';
import { toast, useApp } from '../context';
import { canPublishKnowledge, canReadKnowledge } from '../logic/allergy';
import { describeError } from '../logic/errors';
import { formatDateTime, formatNumber } from '../logic/format';
import { navigate } from '../router';
import { AllergyForbidden } from './AllergyPatients';

const VERSION = /^[A-Za-z0-9._-]{1,40}$/;

/** What a version holds, counted from its document. */
export function summarize(doc: KnowledgeDocument | null | undefined) {
  const allergens = Array.isArray(doc?.allergens) ? doc!.allergens : [];
  const by = (c: string) => allergens.filter((a) => a?.category === c).length;
  const cross = allergens.reduce((n, a) => n + (Array.isArray(a?.cross_reactivity) ? a.cross_reactivity.length : 0), 0);
  const emergencyNumber = doc?.emergency?.emergency_number;
  return {
    allergens: allergens.length,
    food: by('food'),
    inhalant: by('inhalant'),
    other: by('other'),
    mfds: allergens.filter((a) => a?.mfds_labelling === true).length,
    cross,
    sources: Array.isArray(doc?.sources) ? doc!.sources.length : 0,
    emergencyNumber: typeof emergencyNumber === 'string' ? emergencyNumber : typeof emergencyNumber?.number === 'string' ? emergencyNumber.number : null,
    grades: Array.isArray(doc?.grades?.grades) ? doc!.grades.grades! : [],
  };
}

/** 지식 베이스: the versions (current and built-in marked), one version's summary, publishing (admin). */
export function KnowledgeScreen({ version: routeVersion }: { version?: string }) {
  const { user } = useApp();
  const allowed = canReadKnowledge(user.role);
  const admin = canPublishKnowledge(user.role);
  const [list, setList] = useState<KnowledgeVersions | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [reload, setReload] = useState(0);
  const [detail, setDetail] = useState<KnowledgeVersionDetail | null>(null);
  const [detailError, setDetailError] = useState<string | null>(null);
  const selected = routeVersion ?? list?.current ?? null;

  useEffect(() => {
    if (!allowed) return;
    let live = true;
    api<KnowledgeVersions>('GET', '/api/v1/pro/knowledge')
      .then((r) => live && setList(r.data))
      .catch((e) => live && setError(describeError(e)));
    return () => {
      live = false;
    };
  }, [allowed, reload]);

  useEffect(() => {
    if (!allowed || !selected) return;
    let live = true;
    setDetailError(null);
    loadKnowledge(selected)
      .then((k) => live && setDetail(k))
      .catch((e) => live && setDetailError(describeError(e)));
    return () => {
      live = false;
    };
  }, [selected, allowed]);

  if (!allowed) return <AllergyForbidden />;

  const versions = list?.versions ?? [];
  const s = detail && detail.version === selected ? summarize(detail.document) : null;
  return (
    <div class="screen allergy-screen knowledge-screen" data-testid="knowledge-screen">
      <div class="screen-head">
        <h1>{ta('knowledge.title')}</h1>
        {!admin ? (
          <span class="badge knowledge-readonly" data-testid="knowledge-readonly">
            {ta('knowledge.readOnly')}
          </span>
        ) : null}
      </div>
      <p class="muted section-lead">{ta('knowledge.explain')}</p>
      {error ? <ErrorBox testid="knowledge-error">{error}</ErrorBox> : null}

      <div class="knowledge-grid">
        <Card heading={ta('knowledge.versions')} data-testid="knowledge-versions">
          {!list ? <Spinner /> : null}
          {list ? (
            <div class="table-wrap flat">
              <table class="table results">
                <thead>
                  <tr>
                    <th>{ta('knowledge.col.version')}</th>
                    <th>{ta('knowledge.col.published')}</th>
                    <th>{ta('knowledge.col.by')}</th>
                  </tr>
                </thead>
                <tbody>
                  {versions.map((v) => (
                    <tr
                      key={v.version}
                      class={v.version === selected ? 'selected' : undefined}
                      data-testid="knowledge-version-row"
                      data-version={v.version}
                      data-current={v.current ? 'true' : 'false'}
                      data-builtin={v.builtin ? 'true' : 'false'}
                      onClick={() => navigate({ name: 'knowledge', version: v.version }, true)}
                    >
                      <td class="nowrap">
                        <button type="button" class="link-btn mono strong" onClick={() => navigate({ name: 'knowledge', version: v.version }, true)}>
                          {v.version}
                        </button>
                        <div class="tag-list knowledge-marks">
                          {v.current ? <span class="badge knowledge-current" data-testid="knowledge-current">{ta('knowledge.current')}</span> : null}
                          {v.builtin ? <span class="badge knowledge-builtin">{ta('knowledge.builtin')}</span> : null}
                        </div>
                      </td>
                      <td class="mono nowrap">{formatDateTime(v.published_at)}</td>
                      <td class="wrap">{v.published_by?.name ?? <span class="muted">{ta('knowledge.builtinBy')}</span>}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : null}
        </Card>

        <Card heading={selected ? ta('knowledge.summary', { version: selected }) : ta('knowledge.versions')} data-testid="knowledge-summary" data-version={selected ?? ''}>
          {detailError ? <ErrorBox testid="knowledge-detail-error">{detailError}</ErrorBox> : null}
          {!s && !detailError ? <Spinner /> : null}
          {s && detail ? (
            <>
              <dl class="kv knowledge-kv">
                <dt>{ta('knowledge.publishedAt')}</dt>
                <dd class="mono">{formatDateTime(detail.published_at)}</dd>
                <dt>{ta('knowledge.allergens')}</dt>
                <dd data-testid="knowledge-allergen-count" data-value={s.allergens}>
                  <b>{ta('knowledge.countN', { n: formatNumber(s.allergens) })}</b>{' '}
                  <span class="muted">{ta('knowledge.byCategory', { food: s.food, inhalant: s.inhalant, other: s.other })}</span>
                </dd>
                <dt>{ta('knowledge.mfds')}</dt>
                <dd>{ta('knowledge.countN', { n: s.mfds })}</dd>
                <dt>{ta('knowledge.cross')}</dt>
                <dd>{ta('knowledge.countN', { n: s.cross })}</dd>
                <dt>{ta('knowledge.sources')}</dt>
                <dd>{ta('knowledge.countN', { n: s.sources })}</dd>
                {s.emergencyNumber ? (
                  <>
                    <dt>{ta('knowledge.emergencyNumber')}</dt>
                    <dd class="mono strong">{s.emergencyNumber}</dd>
                  </>
                ) : null}
                <dt>{ta('knowledge.hash')}</dt>
                <dd class="mono small hash" title={detail.content_hash}>
                  {detail.content_hash.slice(0, 16)}…
                </dd>
              </dl>
              {s.grades.length ? (
                <>
                  <h3 class="knowledge-sub">{ta('knowledge.gradeScale')}</h3>
                  <div class="table-wrap flat">
                    <table class="table knowledge-grades" data-testid="knowledge-grades">
                      <thead>
                        <tr>
                          <th>{ta('knowledge.grade.col.grade')}</th>
                          <th>{ta('knowledge.grade.col.range')}</th>
                          <th>{ta('knowledge.grade.col.label')}</th>
                          <th>{ta('knowledge.grade.col.tier')}</th>
                        </tr>
                      </thead>
                      <tbody>
                        {s.grades.map((g) => (
                          <tr key={g.grade}>
                            <td class="mono">{g.grade}</td>
                            <td class="mono nowrap">{g.range_text ?? '—'}</td>
                            <td>{g.label_ko ?? '—'}</td>
                            <td>{g.risk_tier ? <span class={`badge tier-badge tier-${g.risk_tier}`}>{taEnum('tier', g.risk_tier)}</span> : '—'}</td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  </div>
                </>
              ) : null}
            </>
          ) : null}
        </Card>
      </div>

      {admin ? (
        <PublishCard
          taken={new Set(versions.map((v) => v.version))}
          onPublished={(v) => {
            setReload((n) => n + 1);
            navigate({ name: 'knowledge', version: v }, true);
          }}
        />
      ) : null}
    </div>
  );
}

function PublishCard({ taken, onPublished }: { taken: Set<string>; onPublished: (version: string) => void }) {
  const [fileName, setFileName] = useState<string | null>(null);
  const [doc, setDoc] = useState<KnowledgeDocument | null>(null);
  const [fileError, setFileError] = useState<string | null>(null);
  const [version, setVersion] = useState('');
  const [versionError, setVersionError] = useState<string | null>(null);
  const [problems, setProblems] = useState<{ path: string; message: string }[] | null>(null);
  const [general, setGeneral] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);

  const readFile = async (file: File | undefined) => {
    setProblems(null);
    setGeneral(null);
    setDoc(null);
    setFileError(null);
    if (!file) return;
    setFileName(file.name);
    let parsed: unknown;
    try {
      parsed = JSON.parse(await file.text());
    } catch (e) {
      setFileError(ta('knowledge.fileInvalid', { reason: (e as Error).message }));
      return;
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
      setFileError(ta('knowledge.fileNotObject'));
      return;
    }
    const d = parsed as KnowledgeDocument;
    setDoc(d);
    if (typeof d.version === 'string' && d.version) setVersion(d.version);
    setVersionError(null);
  };

  const checkVersion = (): boolean => {
    const v = version.trim();
    const err = !VERSION.test(v) ? ta('knowledge.versionInvalid') : taken.has(v) ? ta('knowledge.versionTaken') : null;
    setVersionError(err);
    return !err;
  };

  const ask = (e: Event) => {
    e.preventDefault();
    if (!doc) {
      setFileError(ta('knowledge.chooseFile'));
      return;
    }
    if (!checkVersion()) return;
    setConfirming(true);
  };

  const publish = async () => {
    const v = version.trim();
    setBusy(true);
    setProblems(null);
    setGeneral(null);
    try {
      const body = { ...doc, version: v };
      const r = await api<KnowledgePublished>('PUT', `/api/v1/pro/knowledge/${encodeURIComponent(v)}`, body);
      setConfirming(false);
      toast(r.status === 200 ? ta('knowledge.alreadySame', { version: r.data.version }) : ta('knowledge.published', { version: r.data.version, n: r.data.allergen_count }));
      setDoc(null);
      setFileName(null);
      setVersion('');
      onPublished(r.data.version);
    } catch (e) {
      setConfirming(false);
      if (e instanceof ApiError && e.code === 'KNOWLEDGE_INVALID' && Array.isArray(e.details?.problems)) {
        setProblems((e.details!.problems as { path: string; message: string }[]).map((p) => ({ path: String(p.path ?? ''), message: String(p.message ?? '') })));
      } else if (e instanceof ApiError && e.code === 'KNOWLEDGE_VERSION_EXISTS') {
        setVersionError(ta('knowledge.versionTaken'));
      } else {
        setGeneral(describeError(e));
      }
    } finally {
      setBusy(false);
    }
  };

  const s = doc ? summarize(doc) : null;
  return (
    <Card heading={ta('knowledge.publish')} data-testid="knowledge-publish">
      <form class="stack" onSubmit={ask} noValidate>
        <p class="muted small">{ta('knowledge.publishExplain')}</p>
        <div class="form-grid">
          <Field label={ta('knowledge.file')} htmlFor="kb-file" error={fileError} hint={s && fileName ? ta('knowledge.filePreview', { file: fileName, allergens: s.allergens, sources: s.sources }) : null}>
            <div class="kb-file">
              {/* The browser's own button speaks the browser's language: ours speaks the UI's. */}
              <input id="kb-file" type="file" accept=".json,application/json" class="kb-file-native" data-testid="knowledge-file" onChange={(e) => void readFile(e.currentTarget.files?.[0])} />
              <label for="kb-file" class="btn btn-outline btn-sm" data-testid="knowledge-file-button">
                {ta('knowledge.fileButton')}
              </label>
              <span class={`kb-file-name${fileName ? '' : ' muted'}`} data-testid="knowledge-file-name">
                {fileName ?? ta('knowledge.noFile')}
              </span>
            </div>
          </Field>
          <Field label={ta('knowledge.newVersion')} htmlFor="kb-version" error={versionError} hint={ta('knowledge.versionHint')}>
            <input
              id="kb-version"
              class="input mono"
              data-testid="knowledge-version"
              value={version}
              autoComplete="off"
              spellcheck={false}
              maxLength={40}
              onInput={(e) => {
                setVersion(e.currentTarget.value);
                setVersionError(null);
              }}
            />
          </Field>
        </div>
        {problems ? (
          <div class="error-box knowledge-problems" role="alert" data-testid="knowledge-problems" data-count={problems.length}>
            <b>{ta('knowledge.problemsTitle', { n: problems.length })}</b>
            <div class="table-wrap flat">
              <table class="table">
                <thead>
                  <tr>
                    <th>{ta('knowledge.problem.path')}</th>
                    <th>{ta('knowledge.problem.message')}</th>
                  </tr>
                </thead>
                <tbody>
                  {problems.map((p, i) => (
                    <tr key={i} data-testid="knowledge-problem">
                      <td class="mono nowrap">{p.path}</td>
                      <td>{p.message}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </div>
        ) : null}
        {general ? <ErrorBox testid="knowledge-publish-error">{general}</ErrorBox> : null}
        <div>
          <button type="submit" class="btn btn-primary" data-testid="knowledge-publish-button" disabled={busy || !doc}>
            {ta('knowledge.publishButton')}
          </button>
        </div>
      </form>
      {confirming ? (
        <Modal
          title={ta('knowledge.confirmTitle')}
          testid="knowledge-confirm-dialog"
          onClose={() => setConfirming(false)}
          busy={busy}
          width={480}
          footer={
            <>
              <button type="button" class="btn btn-outline" disabled={busy} onClick={() => setConfirming(false)}>
                {ta('entry.confirmBack')}
              </button>
              <button type="button" class="btn btn-primary" data-testid="knowledge-confirm" disabled={busy} onClick={publish}>
                {busy ? ta('knowledge.publishing') : ta('knowledge.confirm')}
              </button>
            </>
          }
        >
          <p class="confirm-statement">{ta('knowledge.confirmBody', { version: version.trim() })}</p>
          {s ? <p class="muted">{ta('knowledge.filePreview', { file: fileName ?? '', allergens: s.allergens, sources: s.sources })}</p> : null}
        </Modal>
      ) : null}
    </Card>
  );
}
