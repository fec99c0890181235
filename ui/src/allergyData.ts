// Knowledge-base versions as the allergy screens read them: a published version never changes,
// so each is fetched once per session (`current` is not cached: a new version may be published).

import { api } from './api';
import type { KnowledgeVersionDetail, SourceRef } from './allergyTypes';
import { boundsFromGrades } from './logic/allergy';

const cache = new Map<string, Promise<KnowledgeVersionDetail>>();

export function loadKnowledge(version: string): Promise<KnowledgeVersionDetail> {
  if (version === 'current') {
    return api<KnowledgeVersionDetail>('GET', '/api/v1/pro/knowledge/current').then((r) => {
      cache.set(r.data.version, Promise.resolve(r.data));
      return r.data;
    });
  }
  let p = cache.get(version);
  if (!p) {
    p = api<KnowledgeVersionDetail>('GET', `/api/v1/pro/knowledge/${encodeURIComponent(version)}`).then((r) => r.data);
    p.catch(() => cache.delete(version));
    cache.set(version, p);
  }
  return p;
}

/** Forget what was read (tests, and a sign-out). */
export function clearKnowledgeCache(): void {
  cache.clear();
}

/** The sources of a version by id, for the guide's list of citations. */
export function sourcesById(k: KnowledgeVersionDetail | null | undefined): Record<string, SourceRef> | null {
  const list = k?.document?.sources;
  if (!Array.isArray(list)) return null;
  const out: Record<string, SourceRef> = {};
  for (const s of list) if (s && typeof s.id === 'string') out[s.id] = { id: s.id, citation: String(s.citation ?? s.id), url: s.url ?? null };
  return out;
}

/** The kU/L lower bounds of grades 1–6 of a version, or null. */
export function gradeBoundsOf(k: KnowledgeVersionDetail | null | undefined): number[] | null {
  return boundsFromGrades(k?.document?.grades?.grades);
}
