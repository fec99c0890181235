// The patient's web UI after login: their own pages only. No staff navigation, no staff
// screen: App renders this instead of the staff shell for the `patient` role, and any
// address that is not a patient page leads to the list of results.

import { useEffect } from 'preact/hooks';
import { logout } from '../../api';
import { LangToggle } from '../../components/ui';
import { href, isPatientRoute, navigate, useRoute, type Route } from '../../router';
import type { User } from '../../types';
import { Logo } from '../Login';
import { EmergencyScreen } from './Emergency';
import { KitsScreen } from './Kits';
import { MyDiagnosesScreen } from './MyDiagnoses';
import { MyGuideScreen } from './MyGuide';
import { pt } from './text';

/** The patient pages a signed-in patient may be on (the sign-in pages are not among them). */
function isOwnPage(route: Route): boolean {
  return isPatientRoute(route) && route.name !== 'patientLogin' && route.name !== 'patientSignup';
}

export function PatientShell({ user }: { user: User }) {
  const route = useRoute();
  const own = isOwnPage(route);

  useEffect(() => {
    if (!own) navigate({ name: 'myHome' }, true);
  }, [own]);

  let page = null;
  switch (route.name) {
    case 'myDiagnosis':
      page = <MyGuideScreen key={route.id} id={route.id} user={user} />;
      break;
    case 'myEmergency':
      page = <EmergencyScreen />;
      break;
    case 'myKits':
      page = <KitsScreen />;
      break;
    case 'myHome':
      page = <MyDiagnosesScreen />;
      break;
  }

  const tab = (name: Route['name'], label: string, testid: string, active: boolean) => (
    <a class={`patient-tab${active ? ' active' : ''}`} href={href({ name } as Route)} data-testid={testid} aria-current={active ? 'page' : undefined}>
      {label}
    </a>
  );

  return (
    <div class="patient-shell" data-testid="patient-shell">
      <header class="patient-top no-print">
        <div class="patient-top-inner">
          <a class="patient-brand" href={href({ name: 'myHome' })}>
            <Logo size={26} />
            <span class="patient-brand-name">{pt('shell.title')}</span>
          </a>
          <nav class="patient-tabs" aria-label={pt('shell.nav')}>
            {tab('myHome', pt('shell.home'), 'patient-nav-home', route.name === 'myHome' || route.name === 'myDiagnosis')}
            {tab('myEmergency', pt('shell.emergency'), 'patient-nav-emergency', route.name === 'myEmergency')}
            {tab('myKits', pt('shell.kits'), 'patient-nav-kits', route.name === 'myKits')}
          </nav>
          <div class="patient-top-right">
            <span class="patient-user" data-testid="patient-name">
              {pt('shell.greeting', { name: user.display_name })}
            </span>
            <LangToggle />
            <button
              type="button"
              class="btn btn-outline btn-sm"
              data-testid="patient-logout"
              onClick={async () => {
                await logout();
                navigate({ name: 'patientLogin' }, true);
              }}
            >
              {pt('shell.logout')}
            </button>
          </div>
        </div>
      </header>
      <main class="patient-content">{own ? page : null}</main>
    </div>
  );
}
