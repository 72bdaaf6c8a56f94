import { useId, useState, type FormEvent } from 'react';
import { api, errorMessage } from '../api/client.js';
import { Empty, ErrorMessage, Loading } from '../components/Status.js';
import { useAsync } from '../components/useAsync.js';
import { formatTime } from '../components/format.js';
import { Link, navigate, paths } from '../router.js';

const LIMIT = 20;

export function PoolsPage() {
  const id = useId();
  const [page, setPage] = useState(1);
  const pools = useAsync(() => api.listPools(page, LIMIT), [page]);
  const [name, setName] = useState('');
  const [creating, setCreating] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  const create = async (event: FormEvent) => {
    event.preventDefault();
    if (name.trim() === '') {
      setProblem('Give the pool a name.');
      return;
    }
    setCreating(true);
    setProblem(null);
    try {
      const pool = await api.createPool(name.trim());
      navigate(paths.customDb(pool.id));
    } catch (error) {
      setProblem(errorMessage(error));
      setCreating(false);
    }
  };

  const data = pools.state.data;
  const pages = data ? Math.max(1, Math.ceil(data.totalCount / LIMIT)) : 1;
  return (
    <main className="page">
      <section aria-labelledby={`${id}-title`}>
        <h1 id={`${id}-title`}>User pools</h1>
        <form className="toolbar card" onSubmit={(event) => void create(event)} noValidate>
          <div className="field inline grow">
            <label htmlFor={`${id}-name`}>Pool name</label>
            <input id={`${id}-name`} type="text" value={name} onChange={(event) => setName(event.target.value)} maxLength={128} />
          </div>
          <button type="submit" className="primary" disabled={creating}>
            Create pool
          </button>
        </form>
        {problem && <ErrorMessage>{problem}</ErrorMessage>}

        {pools.state.status === 'error' && <ErrorMessage onRetry={pools.reload}>{pools.state.error}</ErrorMessage>}
        {data === undefined ? (
          pools.state.status === 'loading' && <Loading label="Loading pools…" />
        ) : data.list.length === 0 ? (
          <Empty>No user pools yet. Create the first one above.</Empty>
        ) : (
          <ul className="pool-list" aria-label="User pools">
            {data.list.map((pool) => (
              <li key={pool.id} className="card">
                <Link to={paths.customDb(pool.id)} className="pool-name">
                  {pool.name}
                </Link>
                <span className="muted">
                  <code>{pool.id}</code> · created {formatTime(pool.createdAt)}
                </span>
              </li>
            ))}
          </ul>
        )}
        {pages > 1 && (
          <nav className="pager" aria-label="Pages of pools">
            <button type="button" className="secondary" disabled={page <= 1} onClick={() => setPage(page - 1)}>
              Previous page
            </button>
            <span>
              Page {page} of {pages}
            </span>
            <button type="button" className="secondary" disabled={page >= pages} onClick={() => setPage(page + 1)}>
              Next page
            </button>
          </nav>
        )}
      </section>
    </main>
  );
}
