// Hash routing: works the same from the server (served at `/`) and from the Tauri asset
// protocol, with no server-side fallback needed.

import { useEffect, useState } from 'preact/hooks';

export type Route =
  | { name: 'today' }
  | { name: 'search' }
  | { name: 'new' }
  // The customer's tab (분석, 추천: managers and administrators) in the address, so that a
  // reload or a link keeps it; none is the customer's overview.
  | { name: 'detail'; id: string; tab?: string }
  | { name: 'edit'; id: string }
  | { name: 'users' }
  | { name: 'audit'; customerId?: string }
  // The day in the address, so that going back from a customer opened in the list returns
  // to the same day.
  | { name: 'cashUp'; date?: string }
  | { name: 'clinicSettings' }
  // 경영 분석 (managers, administrators): the period (or a custom range) and the forecast's
  // metric in the address, so that a reload or a link keeps them.
  | { name: 'analytics'; period?: string; start?: string; end?: string; metric?: string; section?: string }
  | { name: 'devices' }
  // Sync (issue 9): this PC's connection to the clinic's server, and what two PCs disagreed on.
  | { name: 'sync' }
  | { name: 'syncConflicts' }
  // Allergy care (doctors, administrators; the statistics also managers).
  | { name: 'allergyPatients' }
  | { name: 'allergyPatientNew'; customerId?: string }
  | { name: 'allergyPatient'; id: string }
  | { name: 'diagnosisNew'; patientId: string }
  | { name: 'diagnosis'; id: string }
  | { name: 'allergyStats'; month?: string }
  | { name: 'kits'; status?: string }
  | { name: 'knowledge'; version?: string }
  // The research library (doctors, administrators).
  | { name: 'research' }
  // The patient's web UI (screens/patient): sign-in and sign-up before login, then their own pages.
  | { name: 'patientLogin' }
  | { name: 'patientSignup' }
  | { name: 'myHome' }
  | { name: 'myDiagnosis'; id: string }
  | { name: 'myEmergency' }
  | { name: 'myKits' };

/** The patient's pages (and their sign-in): never shown to staff. */
export function isPatientRoute(route: Route): boolean {
  return ['patientLogin', 'patientSignup', 'myHome', 'myDiagnosis', 'myEmergency', 'myKits'].includes(route.name);
}

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
  if (parts[0] === 'analytics') {
    const params = new URLSearchParams(query);
    const route: Extract<Route, { name: 'analytics' }> = { name: 'analytics' };
    const period = params.get('period');
    const start = params.get('start_date');
    const end = params.get('end_date');
    const metric = params.get('metric');
    if (period) route.period = period;
    if (start) route.start = start;
    if (end) route.end = end;
    if (metric) route.metric = metric;
    const section = params.get('section');
    if (section) route.section = section;
    return route;
  }
  if (parts[0] === 'devices') return { name: 'devices' };
  if (parts[0] === 'sync') return parts[1] === 'conflicts' ? { name: 'syncConflicts' } : { name: 'sync' };
  if (parts[0] === 'research') return { name: 'research' };
  if (parts[0] === 'patient') return parts[1] === 'signup' ? { name: 'patientSignup' } : { name: 'patientLogin' };
  if (parts[0] === 'my') {
    if (parts[1] === 'diagnoses' && parts[2]) return { name: 'myDiagnosis', id: parts[2] };
    if (parts[1] === 'emergency') return { name: 'myEmergency' };
    if (parts[1] === 'kits') return { name: 'myKits' };
    return { name: 'myHome' };
  }
  if (parts[0] === 'allergy') {
    const params = new URLSearchParams(query);
    if (parts[1] === 'patients') {
      if (parts[2] === 'new') {
        const customerId = params.get('customer_id');
        return customerId ? { name: 'allergyPatientNew', customerId } : { name: 'allergyPatientNew' };
      }
      if (parts[2] && parts[3] === 'diagnosis') return { name: 'diagnosisNew', patientId: parts[2] };
      if (parts[2]) return { name: 'allergyPatient', id: parts[2] };
      return { name: 'allergyPatients' };
    }
    if (parts[1] === 'diagnoses' && parts[2]) return { name: 'diagnosis', id: parts[2] };
    if (parts[1] === 'stats') {
      const month = params.get('month');
      return month ? { name: 'allergyStats', month } : { name: 'allergyStats' };
    }
    if (parts[1] === 'kits') {
      const status = params.get('status');
      return status ? { name: 'kits', status } : { name: 'kits' };
    }
    if (parts[1] === 'knowledge') {
      const version = params.get('version');
      return version ? { name: 'knowledge', version } : { name: 'knowledge' };
    }
    return { name: 'allergyPatients' };
  }
  if (parts[0] === 'customers') {
    if (parts[1] === 'new') return { name: 'new' };
    if (parts[1] && parts[2] === 'edit') return { name: 'edit', id: parts[1] };
    if (parts[1]) {
      const tab = new URLSearchParams(query).get('tab');
      return tab ? { name: 'detail', id: parts[1], tab } : { name: 'detail', id: parts[1] };
    }
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
      return `#/customers/${encodeURIComponent(route.id)}${route.tab ? `?tab=${encodeURIComponent(route.tab)}` : ''}`;
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
    case 'analytics': {
      const params = new URLSearchParams();
      if (route.start && route.end) {
        params.set('start_date', route.start);
        params.set('end_date', route.end);
      } else if (route.period) {
        params.set('period', route.period);
      }
      if (route.metric) params.set('metric', route.metric);
      if (route.section) params.set('section', route.section);
      const q = params.toString();
      return q ? `#/analytics?${q}` : '#/analytics';
    }
    case 'devices':
      return '#/devices';
    case 'sync':
      return '#/sync';
    case 'syncConflicts':
      return '#/sync/conflicts';
    case 'allergyPatients':
      return '#/allergy/patients';
    case 'allergyPatientNew':
      return route.customerId ? `#/allergy/patients/new?customer_id=${encodeURIComponent(route.customerId)}` : '#/allergy/patients/new';
    case 'allergyPatient':
      return `#/allergy/patients/${encodeURIComponent(route.id)}`;
    case 'diagnosisNew':
      return `#/allergy/patients/${encodeURIComponent(route.patientId)}/diagnosis`;
    case 'diagnosis':
      return `#/allergy/diagnoses/${encodeURIComponent(route.id)}`;
    case 'allergyStats':
      return route.month ? `#/allergy/stats?month=${encodeURIComponent(route.month)}` : '#/allergy/stats';
    case 'kits':
      return route.status ? `#/allergy/kits?status=${encodeURIComponent(route.status)}` : '#/allergy/kits';
    case 'knowledge':
      return route.version ? `#/allergy/knowledge?version=${encodeURIComponent(route.version)}` : '#/allergy/knowledge';
    case 'research':
      return '#/research';
    case 'patientLogin':
      return '#/patient/login';
    case 'patientSignup':
      return '#/patient/signup';
    case 'myHome':
      return '#/my';
    case 'myDiagnosis':
      return `#/my/diagnoses/${encodeURIComponent(route.id)}`;
    case 'myEmergency':
      return '#/my/emergency';
    case 'myKits':
      return '#/my/kits';
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
