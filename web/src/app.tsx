// The application shell: skip link, header with navigation and the unread count, and the page for the path.
import { useEffect, useState } from 'react';
import { get, post, setCsrfToken } from './api.js';
import { Link, navigate, useLocation } from './router.js';
import { SessionProvider, isAdmin, useSession } from './session.js';
import { closeLiveEvents, useLiveEvents } from './live.js';
import { Loading } from './components/alerts.js';
import { SignInPage } from './pages/sign-in.js';
import { SetupPage, InvitePage } from './pages/setup.js';
import { InboxPage } from './pages/inbox.js';
import { ComposePage } from './pages/compose.js';
import { BulletinPage } from './pages/bulletin.js';
import { DirectoryPage } from './pages/directory.js';
import { OrgPage } from './pages/org.js';
import { AccountPage } from './pages/account.js';
import { IncidentsPage } from './pages/incidents.js';
import { IncidentReportPage } from './pages/incident-report.js';
import { IncidentPage } from './pages/incident.js';
import { BoardPage } from './pages/board.js';
import { ElectionsPage } from './pages/elections.js';
import { AdvisoriesPage } from './pages/advisories.js';
import { AdvisoryPage } from './pages/advisory.js';
import { AdvisoryEditPage } from './pages/advisory-edit.js';
import { IntelPage } from './pages/intel.js';
import { StixObjectPage } from './pages/stix-object.js';
import { FeedsPage } from './pages/feeds.js';
import { InventoryPage } from './pages/inventory.js';
import { InventoryAlertsPage } from './pages/inventory-alerts.js';
import { VulnerabilitiesPage } from './pages/vulnerabilities.js';
import { LogsPage } from './pages/logs.js';
import { ScanningPage } from './pages/scanning.js';
import { AuditsPage } from './pages/audits.js';
import { AuditPage } from './pages/audit.js';
import { AuditBoardPage } from './pages/audit-board.js';
import { MonitoringPage } from './pages/monitoring.js';
import type { Countdown } from './incidents-api.js';

export function App() {
  return (
    <SessionProvider>
      <Shell />
    </SessionProvider>
  );
}

function UnreadCount() {
  const [count, setCount] = useState<{ unread: number; capped: boolean } | null>(null);
  const load = () => void get<{ unread: number; capped: boolean }>('/api/v1/bulletins/unread-count').then(setCount, () => undefined);
  useEffect(load, []);
  useLiveEvents(['bulletin.created', 'bulletin.shared', 'bulletin.read-changed'], load);
  if (!count || count.unread === 0) return null;
  return (
    <span className="eoc-count">
      {count.unread}
      {count.capped ? '+' : ''}
      <span className="usa-sr-only"> unread</span>
    </span>
  );
}

/** The next election for the user's office, refreshed every few minutes (the day changes at midnight). */
function useCountdown(enabled: boolean): Countdown | null {
  const [c, setC] = useState<Countdown | null>(null);
  useEffect(() => {
    if (!enabled) return;
    const load = () => void get<Countdown>('/api/v1/elections/countdown').then(setC, () => undefined);
    load();
    const t = window.setInterval(load, 5 * 60_000);
    return () => window.clearInterval(t);
  }, [enabled]);
  return c;
}

function CountdownBadge({ c }: { c: Countdown | null }) {
  if (!c?.next) return null;
  return (
    <span className={`eoc-countdown${c.electionDay ? ' eoc-countdown--today' : ''}`} title={`${c.next.name}, ${c.next.day}`}>
      {c.electionDay ? 'Election day' : `${c.daysLeft} day${c.daysLeft === 1 ? '' : 's'} to the election`}
    </span>
  );
}

function Header() {
  const { me, refresh } = useSession();
  const countdown = useCountdown(Boolean(me && !me.pendingMfa));
  const { path } = useLocation();
  const current = (p: string) => (path === p || (p !== '/' && path.startsWith(p)) ? 'page' : undefined);
  const signOut = async () => {
    await post('/api/v1/auth/logout').catch(() => undefined);
    closeLiveEvents();
    setCsrfToken(null);
    await refresh();
    navigate('/sign-in');
  };
  const ready = me && !me.pendingMfa;
  return (
    <header className="eoc-header padding-y-1">
      <div className="grid-container display-flex flex-wrap flex-align-center flex-justify">
        <span>
          <Link to="/" className="eoc-brand margin-right-2">
            Election Ops Center
          </Link>
          <CountdownBadge c={countdown} />
        </span>
        {ready && (
          <nav aria-label="Main">
            <ul className="eoc-nav">
              {countdown?.electionDay && (
                <li>
                  <Link to="/board" aria-current={current('/board')}>
                    Live board
                  </Link>
                </li>
              )}
              <li>
                <Link to="/" aria-current={current('/')}>
                  Inbox
                  <UnreadCount />
                </Link>
              </li>
              <li>
                <Link to="/incidents" aria-current={current('/incidents')}>
                  Incidents
                </Link>
              </li>
              <li>
                <Link to="/advisories" aria-current={current('/advisories')}>
                  Advisories
                </Link>
              </li>
              <li>
                <Link to="/intel" aria-current={current('/intel')}>
                  Threat intel
                </Link>
              </li>
              <li>
                <Link to="/inventory" aria-current={current('/inventory')}>
                  Our systems
                </Link>
              </li>
              <li>
                <Link to="/scanning" aria-current={current('/scanning')}>
                  Scanning
                </Link>
              </li>
              <li>
                <Link to="/monitoring" aria-current={current('/monitoring')}>
                  Monitoring
                </Link>
              </li>
              {!countdown?.electionDay && (
                <li>
                  <Link to="/board" aria-current={current('/board')}>
                    Live board
                  </Link>
                </li>
              )}
              {me.user.role !== 'viewer' && (
                <li>
                  <Link to="/bulletins/new" aria-current={current('/bulletins/new')}>
                    Send a bulletin
                  </Link>
                </li>
              )}
              <li>
                <Link to="/elections" aria-current={current('/elections')}>
                  Elections
                </Link>
              </li>
              <li>
                <Link to="/audits" aria-current={current('/audits')}>
                  Audits
                </Link>
              </li>
              <li>
                <Link to="/directory" aria-current={current('/directory')}>
                  Directory
                </Link>
              </li>
              <li>
                <Link to={`/orgs/${me.org.id}`} aria-current={path === `/orgs/${me.org.id}` ? 'page' : undefined}>
                  {isAdmin(me) ? 'My organisation' : me.org.name}
                </Link>
              </li>
              <li>
                <Link to="/account" aria-current={current('/account')}>
                  {me.user.name}
                </Link>
              </li>
              <li>
                <button type="button" className="usa-button usa-button--outline usa-button--inverse usa-button--unstyled text-white padding-y-1" onClick={() => void signOut()}>
                  Sign out
                </button>
              </li>
            </ul>
          </nav>
        )}
      </div>
    </header>
  );
}

function Page() {
  const { me, loading } = useSession();
  const { path } = useLocation();
  if (path === '/setup') return <SetupPage />;
  if (path === '/invite') return <InvitePage />;
  // Audit boards sign in with a passphrase, not an account.
  if (path === '/audit-board') return <AuditBoardPage />;
  if (loading) return <Loading what="your session" />;
  if (!me || me.pendingMfa || path === '/sign-in') return <SignInPage />;
  if (path === '/') return <InboxPage />;
  if (path === '/bulletins/new') return <ComposePage />;
  if (path === '/incidents') return <IncidentsPage />;
  if (path === '/incidents/new') return me.user.role === 'viewer' ? <IncidentsPage /> : <IncidentReportPage />;
  const incident = /^\/incidents\/([0-9a-f-]{36})$/.exec(path);
  if (incident) return <IncidentPage id={incident[1]!} />;
  if (path === '/board') return <BoardPage />;
  if (path === '/advisories') return <AdvisoriesPage />;
  if (path === '/advisories/new') return <AdvisoryEditPage />;
  const advisory = /^\/advisories\/([0-9a-f-]{36})(\/edit)?$/.exec(path);
  if (advisory) return advisory[2] ? <AdvisoryEditPage id={advisory[1]!} /> : <AdvisoryPage id={advisory[1]!} />;
  if (path === '/intel') return <IntelPage />;
  if (path === '/inventory') return <InventoryPage />;
  if (path === '/inventory/alerts') return <InventoryAlertsPage />;
  if (path === '/scanning') return <ScanningPage />;
  if (path === '/monitoring') return <MonitoringPage />;
  if (path === '/logs' || /^\/logs\/[0-9a-f-]{36}$/.test(path)) return <LogsPage />;
  if (path === '/intel/feeds') return <FeedsPage />;
  if (path === '/intel/vulnerabilities') return <VulnerabilitiesPage />;
  const stix = /^\/intel\/objects\/([a-z0-9-]+--[0-9a-f-]{36})$/.exec(path);
  if (stix) return <StixObjectPage id={stix[1]!} />;
  if (path === '/elections') return <ElectionsPage />;
  if (path === '/audits') return <AuditsPage />;
  const audit = /^\/audits\/([0-9a-f-]{36})$/.exec(path);
  if (audit) return <AuditPage id={audit[1]!} />;
  const bulletin = /^\/bulletins\/([0-9a-f-]{36})$/.exec(path);
  if (bulletin) return <BulletinPage id={bulletin[1]!} />;
  if (path === '/directory') return <DirectoryPage />;
  const org = /^\/orgs\/([0-9a-f-]{36})$/.exec(path);
  if (org) return <OrgPage id={org[1]!} />;
  if (path === '/account') return <AccountPage />;
  return (
    <>
      <h1>Page not found</h1>
      <p>
        There is no page at this address. <Link to="/">Go to your inbox</Link>.
      </p>
    </>
  );
}

function Shell() {
  const { path } = useLocation();
  useEffect(() => {
    // Move focus to the main content after navigation so screen readers announce the new page.
    document.getElementById('main-content')?.focus();
  }, [path]);
  return (
    <>
      <a className="usa-skipnav" href="#main-content">
        Skip to main content
      </a>
      <div className="usa-banner">
        <div className="usa-banner__header padding-y-05">
          <div className="grid-container font-sans-3xs">A shared operations center for election offices. Share only what the label allows.</div>
        </div>
      </div>
      <Header />
      <main id="main-content" tabIndex={-1} className="grid-container padding-y-4 outline-0">
        <Page />
      </main>
      <footer className="usa-footer usa-footer--slim">
        <div className="grid-container padding-y-2 font-sans-3xs text-base">
          Election Ops Center · TLP 2.0 sharing policy ·{' '}
          <a href="/api/openapi.json">API</a>
        </div>
      </footer>
    </>
  );
}
