import { useEffect, useLayoutEffect, useState } from 'preact/hooks';
import { logout, onSessionChange, restoreSession, setupStatus } from './api';
import { clearCatalog, loadServices } from './catalog';
import { AccountMenu } from './components/AccountMenu';
import { ApiDocsEntry } from './components/ApiDocsEntry';
import { Modal } from './components/Modal';
import { SyncIndicator, SyncProgressBanner } from './components/SyncIndicator';
import { Kbd, LangToggle, Spinner, Toasts } from './components/ui';
import { AppContext } from './context';
import { getLang, onLangChange, t, type Lang } from './i18n';
import { describeError } from './logic/errors';
import { canManageSync } from './logic/sync';
import { mark, markOnce } from './perf';
import { href, isPatientRoute, navigate, parseRoute, useRoute } from './router';
import { canSeeAnalytics } from './logic/analytics';
import { AnalyticsScreen } from './screens/Analytics';
import { AuditScreen } from './screens/Audit';
import { CashUpScreen, canSeeCashUp } from './screens/CashUp';
import { ClinicSettingsScreen, canEditClinic } from './screens/ClinicSettings';
import { CustomerDetailScreen } from './screens/CustomerDetail';
import { CustomerForm } from './screens/CustomerForm';
import { DevicesScreen, canManageDevices } from './screens/Devices';
import { ta } from './allergyText';
import { canDoAllergyCare, canReadKnowledge, canSeeAllergyStats } from './logic/allergy';
import { AllergyPatientScreen } from './screens/AllergyPatient';
import { AllergyPatientsScreen } from './screens/AllergyPatients';
import { AllergyRegisterScreen } from './screens/AllergyRegister';
import { AllergyStatsScreen } from './screens/AllergyStats';
import { DiagnosisEntryScreen } from './screens/DiagnosisEntry';
import { DiagnosisViewScreen } from './screens/DiagnosisView';
import { KitsScreen } from './screens/Kits';
import { KnowledgeScreen } from './screens/Knowledge';
import { Login, Logo } from './screens/Login';
import { PatientAuthScreen } from './screens/patient/PatientAuth';
import { PatientShell } from './screens/patient/PatientShell';
import { ResearchScreen, canUseResearch } from './screens/Research';
import { rt } from './screens/ResearchText';
import { SearchScreen, resetSearchState } from './screens/Search';
import { Setup } from './screens/Setup';
import { SyncConflictsScreen } from './screens/SyncConflicts';
import { SyncSettingsScreen } from './screens/SyncSettings';
import { TodayScreen } from './screens/Today';
import { UsersScreen } from './screens/Users';
import type { SetupStatus, User } from './types';

/**
 * `restoring`: a session restore already under way (main.tsx starts it before the first
 * render); without it the App starts one itself.
 */
export function App({ restoring }: { restoring?: Promise<User | null> } = {}) {
  const [lang, setLangState] = useState<Lang>(getLang());
  const [booting, setBooting] = useState(true);
  const [user, setUser] = useState<User | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  // First run: no administrator can log in yet (checked while nobody is signed in).
  const [setup, setSetup] = useState<SetupStatus | null>(null);
  // Unknown (null): the login screen, as before.
  const checkSetup = () => setupStatus().then(setSetup);
  // A brand-new desktop just connected to the clinic's server by this account: the login
  // screen that follows has it filled in, and says the server's password works here.
  const [connectedAs, setConnectedAs] = useState<string | null>(null);
  // Before login: the staff login, or the patients' sign-in and sign-up (#/patient/…, #/my…).
  const route = useRoute();

  useEffect(() => onLangChange(setLangState), []);
  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);

  // A layout effect, so that a restore that has already settled (main.tsx starts it while
  // the fonts load) switches from the boot screen to the right screen before the first paint.
  useLayoutEffect(() => {
    const off = onSessionChange((u, reason) => {
      if (u) markOnce('user');
      setUser(u);
      if (u) {
        // Signed in (also right after the first-run set-up): set-up is over.
        setSetup(null);
        setNotice(null);
        setConnectedAs(null);
        // Patients never use the service catalogue (nor may they read it).
        if (u.role !== 'patient') loadServices();
      } else {
        clearCatalog();
        resetSearchState();
        setNotice(reason === 'expired' || reason === 'invalid' ? t('login.sessionExpired') : null);
      }
    });
    (restoring ?? restoreSession())
      .then(async (u) => {
        if (u) {
          setUser(u);
          // The restore may have finished before this component listened for it.
          if (u.role !== 'patient') loadServices();
        } else {
          await checkSetup();
        }
      })
      .catch((e) => setNotice(describeError(e)))
      .finally(() => {
        mark('session-checked');
        setBooting(false);
      });
    return off;
  }, []);

  if (booting) {
    return (
      <div class="boot">
        <Logo size={40} />
        <Spinner label={t('login.restoring')} />
      </div>
    );
  }

  if (!user && setup?.needs_setup) {
    return (
      <>
        <Setup
          allowed={setup.setup_allowed}
          connectAllowed={setup.connect_allowed === true}
          onRecheck={() => void checkSetup()}
          onConnected={(username, accountsArrived) => {
            setConnectedAs(username);
            // The first sync brought the clinic's accounts: set-up is over, the login is next.
            // (When it did not, 다시 확인 asks the server whether they came since.)
            if (accountsArrived) setSetup(null);
          }}
        />
        <Toasts />
      </>
    );
  }

  if (!user && isPatientRoute(route)) {
    return (
      <>
        <PatientAuthScreen mode={route.name === 'patientSignup' ? 'signup' : 'login'} notice={notice} />
        <Toasts />
      </>
    );
  }

  if (!user) {
    return (
      <>
        <Login key={connectedAs ?? ''} notice={connectedAs ? t('setup.connectedNotice') : notice} username={connectedAs ?? undefined} />
        <Toasts />
      </>
    );
  }

  // A patient sees their own pages only: never the staff shell or any staff screen.
  if (user.role === 'patient') {
    return (
      <AppContext.Provider value={{ user, lang }}>
        <PatientShell user={user} />
        <Toasts />
      </AppContext.Provider>
    );
  }

  return (
    <AppContext.Provider value={{ user, lang }}>
      <Shell user={user} />
      <Toasts />
    </AppContext.Provider>
  );
}

function isTyping(el: EventTarget | null): boolean {
  const node = el as HTMLElement | null;
  if (!node || !node.tagName) return false;
  const tag = node.tagName;
  return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || node.isContentEditable;
}

function Shell({ user }: { user: User }) {
  markOnce('shell-render');
  const route = useRoute();
  const [help, setHelp] = useState(false);

  // A staff login never lands on the patients' pages (a bookmark, a shared address).
  const patientPage = isPatientRoute(route);
  useEffect(() => {
    if (patientPage) navigate({ name: 'today' }, true);
  }, [patientPage]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented) return;
      if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'k') {
        e.preventDefault();
        goSearch();
        return;
      }
      if (e.key === 'F1') {
        e.preventDefault();
        setHelp(true);
        return;
      }
      if (isTyping(e.target) || e.ctrlKey || e.metaKey || e.altKey) return;
      if (document.querySelector('.modal')) return;
      if (e.key === '/') {
        e.preventDefault();
        goSearch();
      } else if (e.key === '?') {
        e.preventDefault();
        setHelp(true);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  let screen;
  switch (route.name) {
    case 'today':
      screen = <TodayScreen />;
      break;
    case 'search':
      screen = <SearchScreen />;
      break;
    case 'new':
      screen = <CustomerForm key="new" />;
      break;
    case 'edit':
      screen = <CustomerForm key={`edit-${route.id}`} id={route.id} />;
      break;
    case 'detail':
      screen = <CustomerDetailScreen key={route.id} id={route.id} tab={route.tab} />;
      break;
    case 'users':
      screen = <UsersScreen />;
      break;
    case 'audit':
      screen = <AuditScreen customerId={route.customerId} />;
      break;
    case 'cashUp':
      screen = <CashUpScreen date={route.date} />;
      break;
    case 'clinicSettings':
      screen = <ClinicSettingsScreen />;
      break;
    case 'devices':
      screen = <DevicesScreen />;
      break;
    case 'sync':
      screen = <SyncSettingsScreen />;
      break;
    case 'syncConflicts':
      screen = <SyncConflictsScreen />;
      break;
    case 'allergyPatients':
      screen = <AllergyPatientsScreen />;
      break;
    case 'allergyPatientNew':
      screen = <AllergyRegisterScreen key={route.customerId ?? 'new'} customerId={route.customerId} />;
      break;
    case 'allergyPatient':
      screen = <AllergyPatientScreen key={route.id} id={route.id} />;
      break;
    case 'diagnosisNew':
      screen = <DiagnosisEntryScreen key={route.patientId} patientId={route.patientId} />;
      break;
    case 'diagnosis':
      screen = <DiagnosisViewScreen key={route.id} id={route.id} />;
      break;
    case 'allergyStats':
      screen = <AllergyStatsScreen month={route.month} />;
      break;
    case 'analytics':
      screen = <AnalyticsScreen period={route.period} start={route.start} end={route.end} metric={route.metric} section={route.section} />;
      break;
    case 'kits':
      screen = <KitsScreen status={route.status} />;
      break;
    case 'knowledge':
      screen = <KnowledgeScreen version={route.version} />;
      break;
    case 'research':
      screen = <ResearchScreen />;
      break;
  }

  return (
    <div class="shell">
      <aside class="sidebar">
        <div class="sidebar-inner">
        <a class="brand" href={href({ name: 'today' })}>
          <Logo size={26} />
          <span>{t('app.name')}</span>
        </a>
        <nav aria-label={t('nav.main')}>
          <a class={`nav-item${route.name === 'today' ? ' active' : ''}`} href={href({ name: 'today' })} data-testid="nav-today" title={t('nav.today')}>
            <TodayIcon />
            <span>{t('nav.today')}</span>
          </a>
          <a
            class={`nav-item${route.name === 'search' || route.name === 'detail' || route.name === 'edit' ? ' active' : ''}`}
            href={href({ name: 'search' })}
            data-testid="nav-search"
            title={t('nav.search')}
          >
            <SearchIcon />
            <span>{t('nav.search')}</span>
            <Kbd>Ctrl K</Kbd>
          </a>
          <a class={`nav-item${route.name === 'new' ? ' active' : ''}`} href={href({ name: 'new' })} data-testid="nav-new-customer" title={t('nav.newCustomer')}>
            <PlusIcon />
            <span>{t('nav.newCustomer')}</span>
          </a>
          {canDoAllergyCare(user.role) ? (
            <a
              class={`nav-item${['allergyPatients', 'allergyPatientNew', 'allergyPatient', 'diagnosisNew', 'diagnosis'].includes(route.name) ? ' active' : ''}`}
              href={href({ name: 'allergyPatients' })}
              data-testid="nav-allergy-patients"
              title={ta('nav.patients')}
            >
              <AllergyIcon />
              <span>{ta('nav.patients')}</span>
            </a>
          ) : null}
          {canDoAllergyCare(user.role) ? (
            <a class={`nav-item${route.name === 'kits' ? ' active' : ''}`} href={href({ name: 'kits' })} data-testid="nav-kits" title={ta('nav.kits')}>
              <KitIcon />
              <span>{ta('nav.kits')}</span>
            </a>
          ) : null}
          {canSeeAllergyStats(user.role) ? (
            <a class={`nav-item${route.name === 'allergyStats' ? ' active' : ''}`} href={href({ name: 'allergyStats' })} data-testid="nav-allergy-stats" title={ta('nav.stats')}>
              <StatsIcon />
              <span>{ta('nav.stats')}</span>
            </a>
          ) : null}
          {canReadKnowledge(user.role) ? (
            <a class={`nav-item${route.name === 'knowledge' ? ' active' : ''}`} href={href({ name: 'knowledge' })} data-testid="nav-knowledge" title={ta('nav.knowledge')}>
              <KnowledgeIcon />
              <span>{ta('nav.knowledge')}</span>
            </a>
          ) : null}
          {canSeeAnalytics(user.role) ? (
            <a class={`nav-item${route.name === 'analytics' ? ' active' : ''}`} href={href({ name: 'analytics' })} data-testid="nav-analytics" title={t('nav.analytics')}>
              <AnalyticsIcon />
              <span>{t('nav.analytics')}</span>
            </a>
          ) : null}
          {canSeeCashUp(user.role) ? (
            <a class={`nav-item${route.name === 'cashUp' ? ' active' : ''}`} href={href({ name: 'cashUp' })} data-testid="nav-cashup" title={t('nav.cashUp')}>
              <CashUpIcon />
              <span>{t('nav.cashUp')}</span>
            </a>
          ) : null}
          {user.role === 'admin' ? (
            <a class={`nav-item${route.name === 'users' ? ' active' : ''}`} href={href({ name: 'users' })} data-testid="nav-users" title={t('nav.users')}>
              <UsersIcon />
              <span>{t('nav.users')}</span>
            </a>
          ) : null}
          {user.role === 'admin' || user.role === 'manager' ? (
            <a class={`nav-item${route.name === 'audit' ? ' active' : ''}`} href={href({ name: 'audit' })} data-testid="nav-audit" title={t('nav.audit')}>
              <AuditIcon />
              <span>{t('nav.audit')}</span>
            </a>
          ) : null}
          {/* Everyone may read the clinic's details (the screen says who may change them);
              the entry is for those who keep them. */}
          {canEditClinic(user.role) ? (
            <a class={`nav-item${route.name === 'clinicSettings' ? ' active' : ''}`} href={href({ name: 'clinicSettings' })} data-testid="nav-clinic" title={t('nav.clinic')}>
              <ClinicIcon />
              <span>{t('nav.clinic')}</span>
            </a>
          ) : null}
          {canManageDevices(user.role) ? (
            <a class={`nav-item${route.name === 'devices' ? ' active' : ''}`} href={href({ name: 'devices' })} data-testid="nav-devices" title={t('nav.devices')}>
              <DevicesIcon />
              <span>{t('nav.devices')}</span>
            </a>
          ) : null}
          {canUseResearch(user.role) ? (
            <a class={`nav-item${route.name === 'research' ? ' active' : ''}`} href={href({ name: 'research' })} data-testid="nav-research" title={rt('nav.research')}>
              <ResearchIcon />
              <span>{rt('nav.research')}</span>
            </a>
          ) : null}
          {canManageSync(user.role) ? (
            <a
              class={`nav-item${route.name === 'sync' || route.name === 'syncConflicts' ? ' active' : ''}`}
              href={href({ name: 'sync' })}
              data-testid="nav-sync"
              title={t('nav.sync')}
            >
              <SyncIcon />
              <span>{t('nav.sync')}</span>
            </a>
          ) : null}
        </nav>
        <div class="sidebar-foot">
          <ApiDocsEntry />
          <button type="button" class="nav-item as-button" onClick={() => setHelp(true)} data-testid="shortcuts-button" title={t('common.shortcuts')}>
            <KeyIcon />
            <span>{t('common.shortcuts')}</span>
            <Kbd>F1</Kbd>
          </button>
        </div>
        </div>
      </aside>
      <div class="main-col">
        <header class="topbar">
          <div class="topbar-title">{t('app.tagline')}</div>
          <div class="topbar-right">
            <SyncIndicator user={user} />
            <AccountMenu user={user} />
            <LangToggle />
            <button
              type="button"
              class="btn btn-outline btn-sm"
              data-testid="logout-button"
              onClick={async () => {
                await logout();
                // The next login lands on the day's work.
                navigate({ name: 'today' }, true);
              }}
            >
              {t('header.logout')}
            </button>
          </div>
        </header>
        <SyncProgressBanner />
        <main class="content">{screen}</main>
      </div>
      {help ? <ShortcutsHelp onClose={() => setHelp(false)} /> : null}
    </div>
  );
}

function goSearch() {
  if (parseRoute(location.hash).name !== 'search') navigate({ name: 'search' });
  // Focus after the search screen has rendered.
  setTimeout(() => {
    const input = document.querySelector<HTMLInputElement>('[data-testid="search-input"]');
    input?.focus();
    input?.select();
  }, 30);
}

function ShortcutsHelp({ onClose }: { onClose: () => void }) {
  const rows: [string, string][] = [
    ['Ctrl K  /  /', t('shortcuts.search')],
    ['N', t('shortcuts.newCustomer')],
    ['↑ ↓  Enter', t('shortcuts.rows')],
    ['V', t('shortcuts.visit')],
    ['P', t('shortcuts.purchase')],
    ['I', t('shortcuts.interaction')],
    ['E', t('shortcuts.edit')],
    ['Esc', t('shortcuts.back')],
    ['F1  ?', t('shortcuts.help')],
  ];
  return (
    <Modal title={t('shortcuts.title')} onClose={onClose} testid="shortcuts-dialog" width={460}>
      <table class="shortcuts">
        <tbody>
          {rows.map(([k, d]) => (
            <tr key={k}>
              <td>
                {k.split('  ').map((x) => (
                  <Kbd key={x}>{x}</Kbd>
                ))}
              </td>
              <td>{d}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div class="modal-foot">
        <button type="button" class="btn btn-primary" onClick={onClose} data-autofocus>
          {t('common.confirm')}
        </button>
      </div>
    </Modal>
  );
}

function ResearchIcon() {
  return (
    <svg viewBox="0 0 20 20" width="16" height="16" aria-hidden="true">
      <path d="M4 3.5h8.5L16 7v9.5H4z" fill="none" stroke="currentColor" stroke-width="1.7" stroke-linejoin="round" />
      <circle cx="9.5" cy="10.5" r="2.6" fill="none" stroke="currentColor" stroke-width="1.6" />
      <path d="m11.4 12.4 2.1 2.1" stroke="currentColor" stroke-width="1.6" stroke-linecap="round" />
    </svg>
  );
}

function AllergyIcon() {
  return (
    <svg viewBox="0 0 20 20" width="16" height="16" aria-hidden="true">
      <path d="M10 2.8c2.6 3 4.6 5.6 4.6 8.4a4.6 4.6 0 0 1-9.2 0c0-2.8 2-5.4 4.6-8.4z" fill="none" stroke="currentColor" stroke-width="1.7" stroke-linejoin="round" />
      <path d="M10 9v3.6M8.2 10.8h3.6" stroke="currentColor" stroke-width="1.6" stroke-linecap="round" />
    </svg>
  );
}

function KitIcon() {
  return (
    <svg viewBox="0 0 20 20" width="16" height="16" aria-hidden="true">
      <rect x="3" y="5.5" width="14" height="11" rx="1.6" fill="none" stroke="currentColor" stroke-width="1.7" />
      <path d="M7 5.5V4a1 1 0 0 1 1-1h4a1 1 0 0 1 1 1v1.5M7 10.5h6M7 13.2h3.5" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round" />
    </svg>
  );
}

function StatsIcon() {
  return (
    <svg viewBox="0 0 20 20" width="16" height="16" aria-hidden="true">
      <path d="M3 16.5h14" stroke="currentColor" stroke-width="1.7" stroke-linecap="round" />
      <path d="M4.5 7h5M4.5 10.2h9M4.5 13.4h3" stroke="currentColor" stroke-width="2.2" stroke-linecap="round" />
      <path d="M4.5 3.8v10" stroke="currentColor" stroke-width="1.2" stroke-linecap="round" opacity=".6" />
    </svg>
  );
}

function KnowledgeIcon() {
  return (
    <svg viewBox="0 0 20 20" width="16" height="16" aria-hidden="true">
      <path d="M3.5 4.5c2.4-.8 4.6-.6 6.5.8v11c-1.9-1.4-4.1-1.6-6.5-.8z M16.5 4.5c-2.4-.8-4.6-.6-6.5.8v11c1.9-1.4 4.1-1.6 6.5-.8z" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linejoin="round" />
    </svg>
  );
}

function TodayIcon() {
  return (
    <svg viewBox="0 0 20 20" width="16" height="16" aria-hidden="true">
      <rect x="3" y="4" width="14" height="13" rx="2" fill="none" stroke="currentColor" stroke-width="1.8" />
      <path d="M3 8h14M7 2.5v3M13 2.5v3" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" />
      <path d="m7.5 12.5 1.8 1.8 3.4-3.6" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round" />
    </svg>
  );
}

function SearchIcon() {
  return (
    <svg viewBox="0 0 20 20" width="16" height="16" aria-hidden="true">
      <circle cx="8.5" cy="8.5" r="5.5" fill="none" stroke="currentColor" stroke-width="2" />
      <path d="m13 13 4.5 4.5" stroke="currentColor" stroke-width="2" stroke-linecap="round" />
    </svg>
  );
}

function PlusIcon() {
  return (
    <svg viewBox="0 0 20 20" width="16" height="16" aria-hidden="true">
      <circle cx="10" cy="7" r="3.5" fill="none" stroke="currentColor" stroke-width="1.8" />
      <path d="M3.5 17c.8-3 3.4-4.5 6.5-4.5" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" />
      <path d="M15 11.5v6M12 14.5h6" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" />
    </svg>
  );
}

function UsersIcon() {
  return (
    <svg viewBox="0 0 20 20" width="16" height="16" aria-hidden="true">
      <circle cx="7.5" cy="7" r="3" fill="none" stroke="currentColor" stroke-width="1.8" />
      <path d="M2 17c.6-2.8 2.8-4.3 5.5-4.3s4.9 1.5 5.5 4.3" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" />
      <path d="M13 4.5a2.8 2.8 0 0 1 0 5.2M15 12.9c1.6.6 2.6 2 3 4.1" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" />
    </svg>
  );
}

function AuditIcon() {
  return (
    <svg viewBox="0 0 20 20" width="16" height="16" aria-hidden="true">
      <path d="M5 2.8h7l3 3v11.4H5z" fill="none" stroke="currentColor" stroke-width="1.7" stroke-linejoin="round" />
      <path d="M7.8 8.5h4.4M7.8 11.5h4.4M7.8 14.5h2.4" stroke="currentColor" stroke-width="1.7" stroke-linecap="round" />
    </svg>
  );
}

function AnalyticsIcon() {
  return (
    <svg viewBox="0 0 20 20" width="16" height="16" aria-hidden="true">
      <path d="M3 3.5v13h14" fill="none" stroke="currentColor" stroke-width="1.7" stroke-linecap="round" stroke-linejoin="round" />
      <path d="m6 12.5 3.2-3.6 2.6 2.2L16 6" fill="none" stroke="currentColor" stroke-width="1.7" stroke-linecap="round" stroke-linejoin="round" />
    </svg>
  );
}

function CashUpIcon() {
  return (
    <svg viewBox="0 0 20 20" width="16" height="16" aria-hidden="true">
      <rect x="2" y="5" width="16" height="10" rx="1.8" fill="none" stroke="currentColor" stroke-width="1.7" />
      <circle cx="10" cy="10" r="2.3" fill="none" stroke="currentColor" stroke-width="1.7" />
      <path d="M5 8v4M15 8v4" stroke="currentColor" stroke-width="1.7" stroke-linecap="round" />
    </svg>
  );
}

function ClinicIcon() {
  return (
    <svg viewBox="0 0 20 20" width="16" height="16" aria-hidden="true">
      <path d="M3.5 17.5V7.5L10 3l6.5 4.5v10z" fill="none" stroke="currentColor" stroke-width="1.7" stroke-linejoin="round" />
      <path d="M10 8.5v5M7.5 11h5" stroke="currentColor" stroke-width="1.7" stroke-linecap="round" />
    </svg>
  );
}

function DevicesIcon() {
  return (
    <svg viewBox="0 0 20 20" width="16" height="16" aria-hidden="true">
      <rect x="2.5" y="3.5" width="15" height="10" rx="1.6" fill="none" stroke="currentColor" stroke-width="1.7" />
      <path d="M7 17h6M10 13.5V17" stroke="currentColor" stroke-width="1.7" stroke-linecap="round" />
      <path d="M7.2 8.2a3 3 0 0 1 5-1.2M12.8 8.8a3 3 0 0 1-5 1.2" fill="none" stroke="currentColor" stroke-width="1.4" stroke-linecap="round" />
      <path d="M12.6 5.6v1.6H11M7.4 11.4V9.8H9" fill="none" stroke="currentColor" stroke-width="1.4" stroke-linecap="round" stroke-linejoin="round" />
    </svg>
  );
}

function SyncIcon() {
  return (
    <svg viewBox="0 0 20 20" width="16" height="16" aria-hidden="true">
      <path d="M15.5 8A6 6 0 0 0 4.6 6.2M4.5 12a6 6 0 0 0 10.9 1.8" fill="none" stroke="currentColor" stroke-width="1.7" stroke-linecap="round" />
      <path d="M4.2 3v3.4h3.4M15.8 17v-3.4h-3.4" fill="none" stroke="currentColor" stroke-width="1.7" stroke-linecap="round" stroke-linejoin="round" />
    </svg>
  );
}

function KeyIcon() {
  return (
    <svg viewBox="0 0 20 20" width="16" height="16" aria-hidden="true">
      <rect x="2" y="5" width="16" height="10" rx="2" fill="none" stroke="currentColor" stroke-width="1.6" />
      <path d="M5 8.5h1M8 8.5h1M11 8.5h1M14 8.5h1M6 11.5h8" stroke="currentColor" stroke-width="1.6" stroke-linecap="round" />
    </svg>
  );
}
