import { useId, useState, type FormEvent } from 'react';
import { errorMessage } from '../api/client.js';
import type { AdminKey, CreatedAdminKey } from '../api/types.js';
import { CopyField } from '../applications/SecretDialog.js';
import { Modal } from '../components/Modal.js';
import { Empty, ErrorMessage, Loading } from '../components/Status.js';
import { formatTime } from '../components/format.js';
import { useAsync } from '../components/useAsync.js';
import { adminApi } from './admin-api.js';
import { usePools } from './usePools.js';

/**
 * Named admin keys: create one (for every pool, or limited to one), see its token once,
 * revoke it. The startup admin token is not listed: it is the owner, set by the operator.
 */
export function AdminKeysPage({ confirm = (m: string) => window.confirm(m) }: { confirm?: (message: string) => boolean }) {
  const id = useId();
  const keys = useAsync<AdminKey[]>(() => adminApi.listKeys(), []);
  const pools = usePools();
  const [name, setName] = useState('');
  const [poolId, setPoolId] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [created, setCreated] = useState<CreatedAdminKey | null>(null);

  const create = async (event: FormEvent) => {
    event.preventDefault();
    if (name.trim() === '') {
      setProblem('Give the key a name, such as the team or the tool that will use it.');
      return;
    }
    setBusy(true);
    setProblem(null);
    setNotice(null);
    try {
      const key = await adminApi.createKey({ name: name.trim(), ...(poolId === '' ? {} : { poolId }) });
      setCreated(key);
      setName('');
      keys.reload();
    } catch (error) {
      setProblem(errorMessage(error));
    } finally {
      setBusy(false);
    }
  };

  const revoke = async (key: AdminKey) => {
    if (!confirm(`Revoke ${key.name}? Requests made with it are refused at once, on every instance. This cannot be undone.`)) return;
    setProblem(null);
    try {
      await adminApi.revokeKey(key.id);
      setNotice(`Revoked ${key.name}.`);
      keys.reload();
    } catch (error) {
      setNotice(null);
      setProblem(`Could not revoke ${key.name}: ${errorMessage(error)}`);
    }
  };

  const list = keys.state.data;
  return (
    <main className="page">
      <section aria-labelledby={`${id}-title`}>
        <h1 id={`${id}-title`}>Admin keys</h1>
        <p className="help">
          Keys for people and tools that administer Gatehouse. A key limited to one pool can use only that pool’s endpoints: hand a
          team its pool without the others. The startup admin token stays the owner’s key and is not listed here.
        </p>
        <form className="toolbar card" onSubmit={(event) => void create(event)} noValidate>
          <div className="field inline grow">
            <label htmlFor={`${id}-name`}>Key name</label>
            <input id={`${id}-name`} type="text" value={name} onChange={(event) => setName(event.target.value)} maxLength={100} />
          </div>
          <div className="field inline">
            <label htmlFor={`${id}-pool`}>Pool</label>
            <select id={`${id}-pool`} value={poolId} onChange={(event) => setPoolId(event.target.value)}>
              <option value="">All pools</option>
              {pools.list.map((pool) => (
                <option key={pool.id} value={pool.id}>
                  {pool.name}
                </option>
              ))}
            </select>
          </div>
          <button type="submit" className="primary" disabled={busy}>
            Create key
          </button>
        </form>
        {problem && <ErrorMessage>{problem}</ErrorMessage>}
        {notice && (
          <p role="status" className="saved-note">
            {notice}
          </p>
        )}

        <div aria-busy={keys.state.status === 'loading'}>
          {keys.state.status === 'error' && <ErrorMessage onRetry={keys.reload}>{keys.state.error}</ErrorMessage>}
          {list === undefined ? (
            keys.state.status === 'loading' && <Loading label="Loading admin keys…" />
          ) : list.length === 0 ? (
            <Empty>No admin keys yet: only the startup admin token can use the API.</Empty>
          ) : (
            <div className="table-wrap">
              <table className="users">
                <caption className="sr-only">Admin keys</caption>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Pool</th>
                    <th scope="col">Created</th>
                    <th scope="col">Status</th>
                    <th scope="col">
                      <span className="sr-only">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((key) => (
                    <tr key={key.id}>
                      <td>{key.name}</td>
                      <td>{pools.nameOf(key.poolId)}</td>
                      <td className="nowrap">{formatTime(key.createdAt)}</td>
                      <td className="nowrap">{key.revokedAt === null ? 'Active' : `Revoked ${formatTime(key.revokedAt)}`}</td>
                      <td className="row-actions">
                        {key.revokedAt === null && (
                          <button type="button" className="link-button danger" onClick={() => void revoke(key)} aria-label={`Revoke ${key.name}`}>
                            Revoke
                          </button>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </div>
      </section>

      {created && <TokenDialog created={created} poolName={pools.nameOf(created.poolId)} onClose={() => setCreated(null)} />}
    </main>
  );
}

/** The new key's token, the only time it is shown: once closed, the console has forgotten it and the server keeps its hash. */
function TokenDialog({ created, poolName, onClose }: { created: CreatedAdminKey; poolName: string; onClose: () => void }) {
  const noteId = useId();
  return (
    <Modal title="Admin key created" onClose={onClose} wide describedBy={noteId}>
      <p>
        <strong>{created.name}</strong> · {poolName}
      </p>
      <p className="notice" id={noteId}>
        Copy the token now: you will not see it again. Gatehouse keeps only a hash of it; if it is lost, revoke the key and create
        another.
      </p>
      <CopyField label="Token" value={created.token} describedBy={noteId} />
      <div className="actions">
        <button type="button" className="primary" onClick={onClose}>
          I have saved the token
        </button>
      </div>
    </Modal>
  );
}
