import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import { Toasts } from '../src/components/ui';
import { setLang } from '../src/i18n';
import { conflictFieldLabel, conflictValueText } from '../src/logic/sync';
import { href, parseRoute } from '../src/router';
import { SyncConflictsScreen } from '../src/screens/SyncConflicts';
import { resetSyncState } from '../src/syncState';
import type { Role, SyncConflict, SyncConflicts } from '../src/types';
import { setupApi, WithUser, type Handler } from './helpers';

afterEach(() => {
  cleanup();
  resetSyncState();
  setLang('ko');
});

function conflict(over: Partial<SyncConflict> = {}): SyncConflict {
  return {
    id: 'k-1',
    entity: 'customer',
    entity_id: 'c-1',
    label: '김영희',
    field: 'phone',
    kept: { value: '010-1111-2222', stamp: 's2', at: '2024-05-30T05:05:00Z' },
    lost: { value: '010-3333-4444', stamp: 's1', at: '2024-05-30T04:50:00Z' },
    hidden: false,
    detected_at: '2024-05-30T05:10:00Z',
    ...over,
  };
}

function sample(): SyncConflicts {
  return {
    conflicts: [
      conflict(),
      conflict({
        id: 'k-2',
        field: 'consent_marketing',
        kept: { value: '1', stamp: 's4', at: '2024-05-30T06:00:00Z' },
        lost: { value: '0', stamp: 's3', at: null },
      }),
      conflict({ id: 'k-3', field: 'health_goals', hidden: true, kept: { value: null, stamp: 's6', at: '2024-05-30T06:00:00Z' }, lost: { value: null, stamp: 's5', at: '2024-05-30T05:00:00Z' } }),
    ],
    overdrawn_packages: [{ purchase_id: 'p-9', customer_id: 'c-9', customer_name: '박민수', package_name: '브레인 10회권', overdrawn_sessions: 1 }],
    merge_candidates: [{ customer_a: 'c-5', customer_b: 'c-6', name: '이지은', detected_at: '2024-05-30T07:00:00Z' }],
  };
}

/** A server whose open conflicts resolving removes. */
function renderConflicts(role: Role = 'manager', overrides: Record<string, Handler> = {}, data: SyncConflicts = sample()) {
  const open = data;
  const api = setupApi({
    'GET /api/v1/sync/conflicts': () => ({ data: JSON.parse(JSON.stringify(open)) }),
    'POST /api/v1/sync/conflicts/k-1/resolve': ({ body }) => {
      open.conflicts = open.conflicts.filter((c) => c.id !== 'k-1');
      return { data: { id: 'k-1', choice: body.choice, field: 'phone' } };
    },
    'POST /api/v1/sync/conflicts/k-2/resolve': ({ body }) => {
      open.conflicts = open.conflicts.filter((c) => c.id !== 'k-2');
      return { data: { id: 'k-2', choice: body.choice, field: 'consent_marketing' } };
    },
    ...overrides,
  });
  render(
    <WithUser role={role}>
      <SyncConflictsScreen />
      <Toasts />
    </WithUser>,
  );
  return api;
}

function card(id: string): HTMLElement {
  return screen.getAllByTestId('conflict-card').find((c) => c.dataset.conflictId === id)!;
}

const text = (el: HTMLElement, testid: string) => within(el).getByTestId(testid).textContent?.trim();
const resolves = (calls: { method: string; path: string; body: unknown }[]) => calls.filter((c) => c.method === 'POST').map((c) => [c.path, c.body]);

describe('sync conflicts: address and wording', () => {
  it('has its own address, under the sync settings', () => {
    expect(parseRoute('#/sync/conflicts')).toEqual({ name: 'syncConflicts' });
    expect(href({ name: 'syncConflicts' })).toBe('#/sync/conflicts');
    expect(parseRoute('#/sync')).toEqual({ name: 'sync' });
    expect(href({ name: 'sync' })).toBe('#/sync');
  });

  it('labels fields as the customer form does, and values as people read them', () => {
    expect(conflictFieldLabel('customer', 'phone')).toBe('연락처');
    expect(conflictFieldLabel('customer', 'consent_marketing')).toBe('마케팅 수신 동의');
    expect(conflictFieldLabel('user', 'display_name')).toBe('이름');
    expect(conflictFieldLabel('package_template', 'price')).toBe('price');
    expect(conflictValueText('customer', 'consent_privacy', '1')).toBe('예');
    expect(conflictValueText('customer', 'consent_privacy', '0')).toBe('아니오');
    expect(conflictValueText('user', 'active', '0')).toBe('아니오');
    expect(conflictValueText('customer', 'membership_level', 'vip')).toBe('VIP');
    expect(conflictValueText('customer', 'preferred_services', '["brain","red"]')).toBe('브레인 피드백, 레드 테라피');
    expect(conflictValueText('customer', 'preferred_time_slots', '[]')).toBe('(비어 있음)');
    expect(conflictValueText('customer', 'memo', null)).toBe('(비어 있음)');
    expect(conflictValueText('customer', 'memo', '1')).toBe('1');
  });
});

describe('sync conflicts: the conflicts', () => {
  it('shows each conflict with its row, field and both values side by side, with their times', async () => {
    renderConflicts();
    await screen.findAllByTestId('conflict-card');
    expect(screen.getAllByTestId('conflict-card').map((c) => c.dataset.conflictId)).toEqual(['k-1', 'k-2', 'k-3']);
    const phone = card('k-1');
    expect(text(phone, 'conflict-label')).toBe('김영희');
    expect(within(phone).getByTestId('conflict-label').getAttribute('href')).toBe('#/customers/c-1');
    expect(text(phone, 'conflict-entity')).toBe('고객');
    expect(text(phone, 'conflict-field')).toBe('연락처');
    const kept = within(phone).getByTestId('conflict-kept');
    const lost = within(phone).getByTestId('conflict-lost');
    expect(kept.textContent).toContain('지금 값');
    expect(text(kept, 'conflict-kept-value')).toBe('010-1111-2222');
    expect(text(kept, 'conflict-kept-at')).toBe('2024-05-30 14:05 수정');
    expect(lost.textContent).toContain('다른 PC의 값');
    expect(text(lost, 'conflict-lost-value')).toBe('010-3333-4444');
    expect(text(lost, 'conflict-lost-at')).toBe('2024-05-30 13:50 수정');
    expect(text(kept, 'conflict-keep')).toBe('이 값 유지');
    expect(text(lost, 'conflict-use-lost')).toBe('이 값으로 바꾸기');
    expect(within(lost).getByTestId('conflict-use-lost').getAttribute('aria-label')).toBe('연락처: 다른 PC의 값으로 바꾸기');
    expect(screen.getByTestId('conflicts-section').querySelector('[data-testid="section-count"]')?.textContent).toBe('3건');
  });

  it('shows flags as 예/아니오 and an unknown time as such', async () => {
    renderConflicts();
    await screen.findAllByTestId('conflict-card');
    const consent = card('k-2');
    expect(text(consent, 'conflict-field')).toBe('마케팅 수신 동의');
    expect(text(consent, 'conflict-kept-value')).toBe('예');
    expect(text(consent, 'conflict-lost-value')).toBe('아니오');
    expect(text(consent, 'conflict-lost-at')).toBe('수정 시각 모름');
  });

  it('hides a health value the role may not see, and offers no choice on it', async () => {
    const { calls } = renderConflicts();
    await screen.findAllByTestId('conflict-card');
    const health = card('k-3');
    expect(health.dataset.hidden).toBe('true');
    expect(text(health, 'conflict-field')).toBe('건강 목표');
    expect(text(health, 'conflict-kept-value')).toBe('건강정보 — 볼 권한 없음');
    expect(text(health, 'conflict-lost-value')).toBe('건강정보 — 볼 권한 없음');
    const keep = within(health).getByTestId('conflict-keep') as HTMLButtonElement;
    const use = within(health).getByTestId('conflict-use-lost') as HTMLButtonElement;
    expect(keep.disabled).toBe(true);
    expect(use.disabled).toBe(true);
    fireEvent.click(keep);
    fireEvent.click(use);
    expect(within(health).getByTestId('conflict-hidden-note')).toBeTruthy();
    expect(resolves(calls)).toEqual([]);
  });

  it('takes the other PC’s value with {choice: "lost"}; the card goes and the list is fetched again', async () => {
    const { calls } = renderConflicts();
    await screen.findAllByTestId('conflict-card');
    fireEvent.click(within(card('k-1')).getByTestId('conflict-use-lost'));
    await waitFor(() => expect(screen.getAllByTestId('conflict-card').map((c) => c.dataset.conflictId)).toEqual(['k-2', 'k-3']));
    expect(resolves(calls)).toEqual([['/api/v1/sync/conflicts/k-1/resolve', { choice: 'lost' }]]);
    expect(calls.filter((c) => c.method === 'GET' && c.path === '/api/v1/sync/conflicts')).toHaveLength(2);
    expect(screen.getAllByTestId('toast').map((t) => t.textContent)).toContain("'연락처'을(를) 다른 PC의 값으로 바꿨습니다.×");
  });

  it('keeps the current value with {choice: "kept"}', async () => {
    const { calls } = renderConflicts('admin');
    await screen.findAllByTestId('conflict-card');
    fireEvent.click(within(card('k-2')).getByTestId('conflict-keep'));
    await waitFor(() => expect(screen.getAllByTestId('conflict-card').map((c) => c.dataset.conflictId)).toEqual(['k-1', 'k-3']));
    expect(resolves(calls)).toEqual([['/api/v1/sync/conflicts/k-2/resolve', { choice: 'kept' }]]);
  });

  it('says so when someone settled it first, and shows the list as it is now', async () => {
    const { calls } = renderConflicts('manager', {
      'POST /api/v1/sync/conflicts/k-1/resolve': () => ({ status: 404, error: { code: 'SYNC_CONFLICT_NOT_FOUND', message: '해결할 충돌을 찾을 수 없습니다 (이미 해결되었을 수 있습니다)' } }),
    });
    await screen.findAllByTestId('conflict-card');
    fireEvent.click(within(card('k-1')).getByTestId('conflict-keep'));
    await waitFor(() => expect(screen.getAllByTestId('toast').map((t) => t.textContent).join(' ')).toContain('해결할 충돌을 찾을 수 없습니다'));
    await waitFor(() => expect(calls.filter((c) => c.method === 'GET' && c.path === '/api/v1/sync/conflicts')).toHaveLength(2));
  });

  it('keeps the card with the reason on another failure', async () => {
    renderConflicts('manager', {
      'POST /api/v1/sync/conflicts/k-1/resolve': () => ({ status: 500, error: { code: 'INTERNAL_ERROR', message: 'x' } }),
    });
    await screen.findAllByTestId('conflict-card');
    fireEvent.click(within(card('k-1')).getByTestId('conflict-use-lost'));
    expect((await screen.findByTestId('conflict-error')).textContent).toBe('서버 오류가 발생했습니다. 잠시 후 다시 시도하세요.');
    expect(card('k-1')).toBeTruthy();
  });
});

describe('sync conflicts: overdrawn packages and possible duplicates', () => {
  it('lists overdrawn packages with the customer linked and why it happened', async () => {
    renderConflicts();
    const row = await screen.findByTestId('overdrawn-row');
    expect(within(row).getByTestId('overdrawn-customer').getAttribute('href')).toBe('#/customers/c-9');
    expect(text(row, 'overdrawn-customer')).toBe('박민수');
    expect(text(row, 'overdrawn-package')).toBe('브레인 10회권');
    expect(text(row, 'overdrawn-count')).toBe('초과 1회');
    expect(screen.getByTestId('overdrawn-explain').textContent).toBe('두 PC에서 오프라인으로 같은 마지막 회차를 써서 생긴 초과입니다; 방문은 둘 다 남아 있습니다.');
  });

  it('lists possible duplicates with links to both customers', async () => {
    renderConflicts();
    const row = await screen.findByTestId('merge-row');
    expect(text(row, 'merge-name')).toBe('이지은');
    expect(within(row).getByTestId('merge-a').getAttribute('href')).toBe('#/customers/c-5');
    expect(within(row).getByTestId('merge-b').getAttribute('href')).toBe('#/customers/c-6');
  });

  it('says so in Korean when a section is empty', async () => {
    renderConflicts('manager', {}, { conflicts: [], overdrawn_packages: [], merge_candidates: [] });
    expect((await screen.findByTestId('conflicts-empty')).textContent).toBe('확인할 충돌이 없습니다.');
    expect(screen.getByTestId('overdrawn-empty').textContent).toBe('회차를 초과한 패키지가 없습니다.');
    expect(screen.getByTestId('merges-empty').textContent).toBe('중복이 의심되는 고객이 없습니다.');
    expect(screen.queryByTestId('conflict-card')).toBeNull();
  });
});

describe('sync conflicts: who', () => {
  it('tells staff and doctors it is not for them, without asking the server', async () => {
    for (const role of ['staff', 'doctor'] as const) {
      const { calls } = renderConflicts(role);
      expect((await screen.findByTestId('sync-conflicts-forbidden')).textContent).toBe('매니저와 관리자만 볼 수 있는 화면입니다.');
      expect(calls).toHaveLength(0);
      cleanup();
    }
  });

  it('shows the same message when the server refuses', async () => {
    renderConflicts('manager', { 'GET /api/v1/sync/conflicts': () => ({ status: 403, error: { code: 'FORBIDDEN_ROLE', message: 'x' } }) });
    expect((await screen.findByTestId('sync-conflicts-forbidden')).textContent).toBe('매니저와 관리자만 볼 수 있는 화면입니다.');
  });

  it('shows a failure with a retry', async () => {
    let fail = true;
    const data = sample();
    renderConflicts('manager', {
      'GET /api/v1/sync/conflicts': () => (fail ? { status: 500, error: { code: 'INTERNAL_ERROR', message: 'x' } } : { data }),
    });
    const error = await screen.findByTestId('sync-conflicts-error');
    fail = false;
    fireEvent.click(within(error).getByRole('button'));
    expect(await screen.findAllByTestId('conflict-card')).toHaveLength(3);
  });
});
