// Hash routing: works the same from the server (served at `/`) and from the Tauri asset
// protocol, with no server-side fallback needed.

import { useEffect, useState } from 'preact/hooks';

export type Route =
  | { name: 'today' }
  | { name: 'search' }
  | { name: 'new' }
  | { name: 'detail'; id: string }
  | { name: 'edit'; id: string }
  | { name: 'users' }
  | { name: 'audit'; customerId?: string }
  // The day in the address, so that going back from a customer opened in the list returns
  // to the same day.
  | { name: 'cashUp'; date?: string }
  | { name: 'clinicSettings' }
  | { name: 'devices' }
  // Sync (issue 9): this PC's connection to the clinic's server, and what two PCs disagreed on.
  | { name: 'sync' }
  | { name: 'syncConflicts' };

export function parseRoute(hash: string): Route {
  const [path, query = ''] = hash.replace(/^#/, '').split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'today') return { name: 'today' };
  if (parts[0] === 'users') return { name: 'users' };
  if (parts[0] === 'audit') {
    const customerId = new URLSearchParams(query).get('customer_id');
    return customerId ? { name: 'audit', customerId } : { name: 'audit' };
  }
  if (parts[0] === 'cash-up') {
    const date = new URLSearchParams(query).get('date');
    return date ? { name: 'cashUp', date } : { name: 'cashUp' };
  }
  if (parts[0] === 'settings' && parts[1] === 'clinic') return { name: 'clinicSettings' };
  if (parts[0] === 'devices') return { name: 'devices' };
  if (parts[0] === 'sync') return parts[1] === 'conflicts' ? { name: 'syncConflicts' } : { name: 'sync' };
  if (parts[0] === 'customers') {
    if (parts[1] === 'new') return { name: 'new' };
    if (parts[1] && parts[2] === 'edit') return { name: 'edit', id: parts[1] };
    if (parts[1]) return { name: 'detail', id: parts[1] };
    return { name: 'search' };
  }
  // After login (no hash) and for anything unknown: the day's work.
  return { name: 'today' };
}

export function href(route: Route): string {
  switch (route.name) {
    case 'today':
      return '#/today';
    case 'search':
      return '#/customers';
    case 'new':
      return '#/customers/new';
    case 'detail':
      return `#/customers/${encodeURIComponent(route.id)}`;
    case 'edit':
      return `#/customers/${encodeURIComponent(route.id)}/edit`;
    case 'users':
      return '#/users';
    case 'audit':
      return route.customerId ? `#/audit?customer_id=${encodeURIComponent(route.customerId)}` : '#/audit';
    case 'cashUp':
      return route.date ? `#/cash-up?date=${encodeURIComponent(route.date)}` : '#/cash-up';
    case 'clinicSettings':
      return '#/settings/clinic';
    case 'devices':
      return '#/devices';
    case 'sync':
      return '#/sync';
    case 'syncConflicts':
      return '#/sync/conflicts';
  }
}

export function navigate(route: Route, replace = false): void {
  const h = href(route);
  if (replace) {
    history.replaceState(null, '', h);
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  } else if (location.hash !== h) {
    location.hash = h;
  }
}

export function useRoute(): Route {
  const [route, setRoute] = useState<Route>(() => parseRoute(location.hash));
  useEffect(() => {
    const on = () => setRoute(parseRoute(location.hash));
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return route;
}
