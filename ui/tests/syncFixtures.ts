// Sync statuses as `GET /api/v1/sync/status` answers them, for the sync tests.

import type { SyncStatus } from '../src/types';

export function nodeStatus(over: Partial<SyncStatus> = {}): SyncStatus {
  return {
    role: 'node',
    connected: true,
    online: true,
    pending_changes: 0,
    conflicts: 0,
    overdrawn_packages: 0,
    merge_candidates: 0,
    server_url: 'https://clinic.example.kr',
    device_id: 'dev-1',
    last_sync_at: null,
    last_attempt_at: null,
    last_error: null,
    pull: { cursor: 120, head: 120, fraction: 1 },
    checked_at: '2024-05-30T05:00:00Z',
    ...over,
  };
}

export function centralStatus(over: Partial<SyncStatus> = {}): SyncStatus {
  return nodeStatus({ role: 'central', connected: false, online: true, server_url: null, device_id: null, pull: null, ...over });
}
