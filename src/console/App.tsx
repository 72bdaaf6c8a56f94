import { useEffect, useState } from 'react';
import { getToken, onTokenChange, setToken } from './api/session.js';
import { CustomDbPage } from './custom-db/CustomDbPage.js';
import { PoolLayout } from './pages/PoolLayout.js';
import { PoolsPage } from './pages/PoolsPage.js';
import { SignIn } from './pages/SignIn.js';
import { Link, mayLeave, parseRoute, paths, useLocationPath } from './router.js';
import { ApplicationsPage } from './applications/ApplicationsPage.js';
import { UsersPage } from './users/UsersPage.js';
import { ImportUsersPage } from './users/ImportUsersPage.js';
import { OutboxPage } from './email/OutboxPage.js';
import { AdminKeysPage } from './admin/AdminKeysPage.js';
import { AuditPage } from './admin/AuditPage.js';
import { MonitoringPage } from './monitoring/MonitoringPage.js';

export function App() {
  const [token, setTokenState] = useState<string | null>(getToken);
  const [reason, setReason] = useState<string | null>(null);
  const path = useLocationPath();
  const route = parseRoute(path);

  useEffect(
    () =>
      onTokenChange((next, why) => {
        setTokenState(next);
        setReason(why ?? null);
      }),
    [],
  );

  useEffect(() => {
    const titles = {
      pools: 'User pools',
      customDb: 'Custom database',
      users: 'Users',
      importUsers: 'Import users',
      applications: 'Applications',
      outbox: 'Outbox',
      adminKeys: 'Admin keys',
      audit: 'Audit log',
      monitoring: 'Monitoring',
      notFound: 'Not found',
    } as const;
    document.title = token === null ? 'Sign in · Gatehouse console' : `${titles[route.page]} · Gatehouse console`;
  }, [route.page, token]);

  if (token === null) {
    return (
      <SignIn
        reason={reason}
        onSignedIn={(accepted) => setToken(accepted)}
      />
    );
  }

  return (
    <>
      <a className="skip-link" href="#content">
        Skip to content
      </a>
      <header className="topbar">
        <Link to={paths.pools()} className="brand">
          Gatehouse
        </Link>
        <nav className="topbar-nav" aria-label="Console">
          <Link to={paths.adminKeys()} aria-current={route.page === 'adminKeys' ? 'page' : undefined}>
            Admin keys
          </Link>
          <Link to={paths.audit()} aria-current={route.page === 'audit' ? 'page' : undefined}>
            Audit log
          </Link>
        </nav>
        <button
          type="button"
          className="secondary"
          onClick={() => {
            if (mayLeave()) setToken(null);
          }}
        >
          Sign out
        </button>
      </header>
      <div id="content" tabIndex={-1}>
        {route.page === 'pools' && <PoolsPage />}
        {route.page === 'customDb' && (
          <PoolLayout poolId={route.poolId} current="customDb">
            <CustomDbPage poolId={route.poolId} />
          </PoolLayout>
        )}
        {route.page === 'users' && (
          <PoolLayout poolId={route.poolId} current="users">
            <UsersPage poolId={route.poolId} />
          </PoolLayout>
        )}
        {route.page === 'importUsers' && (
          <PoolLayout poolId={route.poolId} current="importUsers">
            <ImportUsersPage poolId={route.poolId} />
          </PoolLayout>
        )}
        {route.page === 'applications' && (
          <PoolLayout poolId={route.poolId} current="applications">
            <ApplicationsPage poolId={route.poolId} />
          </PoolLayout>
        )}
        {route.page === 'outbox' && (
          <PoolLayout poolId={route.poolId} current="outbox">
            <OutboxPage poolId={route.poolId} />
          </PoolLayout>
        )}
        {route.page === 'adminKeys' && <AdminKeysPage />}
        {route.page === 'audit' && <AuditPage />}
        {route.page === 'monitoring' && (
          <PoolLayout poolId={route.poolId} current="monitoring">
            <MonitoringPage poolId={route.poolId} />
          </PoolLayout>
        )}
        {route.page === 'notFound' && (
          <main className="page">
            <h1>Not found</h1>
            <p>
              Nothing lives at <code>{route.path}</code>. <Link to={paths.pools()}>Back to the user pools</Link>.
            </p>
          </main>
        )}
      </div>
    </>
  );
}
