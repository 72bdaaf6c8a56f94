import type { ReactNode } from 'react';
import { api } from '../api/client.js';
import { ErrorMessage } from '../components/Status.js';
import { useAsync } from '../components/useAsync.js';
import { Link, paths } from '../router.js';

interface PoolLayoutProps {
  poolId: string;
  current: 'customDb' | 'users' | 'importUsers' | 'applications' | 'outbox' | 'monitoring';
  children: ReactNode;
}

/** A pool's pages: its name and the navigation between them. */
export function PoolLayout({ poolId, current, children }: PoolLayoutProps) {
  const pool = useAsync(() => api.getPool(poolId), [poolId]);
  return (
    <main className="page">
      <p className="breadcrumb">
        <Link to={paths.pools()}>User pools</Link> <span aria-hidden="true">/</span>{' '}
        <span>{pool.state.data?.name ?? (pool.state.status === 'loading' ? '…' : poolId)}</span>
      </p>
      {pool.state.status === 'error' && <ErrorMessage onRetry={pool.reload}>{pool.state.error}</ErrorMessage>}
      <h1 className="pool-title">{pool.state.data?.name ?? 'User pool'}</h1>
      <nav className="tabs-nav" aria-label="Pool">
        <Link to={paths.customDb(poolId)} aria-current={current === 'customDb' ? 'page' : undefined}>
          Custom database
        </Link>
        <Link to={paths.users(poolId)} aria-current={current === 'users' ? 'page' : undefined}>
          Users
        </Link>
        <Link to={paths.importUsers(poolId)} aria-current={current === 'importUsers' ? 'page' : undefined}>
          Import users
        </Link>
        <Link to={paths.applications(poolId)} aria-current={current === 'applications' ? 'page' : undefined}>
          Applications
        </Link>
        <Link to={paths.outbox(poolId)} aria-current={current === 'outbox' ? 'page' : undefined}>
          Outbox
        </Link>
        <Link to={paths.monitoring(poolId)} aria-current={current === 'monitoring' ? 'page' : undefined}>
          Monitoring
        </Link>
      </nav>
      {children}
    </main>
  );
}
