import { useEffect, useId, useState } from 'react';
import { ApiError, api, errorMessage, type Tagged } from '../api/client.js';
import type { ConnectionVersion, CustomDatabase } from '../api/types.js';
import { Modal } from '../components/Modal.js';
import { Empty, ErrorMessage, Loading } from '../components/Status.js';
import { useAsync } from '../components/useAsync.js';
import { formatTime } from '../components/format.js';
import { ScriptDiff } from './ScriptDiff.js';
import type { ScriptSources } from './script-diff.js';

const PAGE_SIZE = 10;

interface VersionHistoryProps {
  poolId: string;
  /** the scripts as saved now, to diff a version against */
  current: ScriptSources;
  /** the ETag the page last read: a restore is refused when someone saved since */
  etag: string | null;
  /** bumped after every save, so the list shows it */
  refreshKey: number;
  /** true when the form has changes a restore would replace */
  unsaved: boolean;
  onRestored(restored: Tagged<CustomDatabase>): void;
}

/** Every save of the connection, newest first: view one against the current scripts, restore it. */
export function VersionHistory({ poolId, current, etag, refreshKey, unsaved, onRestored }: VersionHistoryProps) {
  const id = useId();
  const [page, setPage] = useState(1);
  const [viewing, setViewing] = useState<ConnectionVersion | null>(null);
  const { state, reload } = useAsync(() => api.customDbVersions(poolId, page, PAGE_SIZE), [poolId, page]);
  useEffect(() => {
    if (refreshKey > 0) reload();
  }, [refreshKey, reload]);
  const pages = Math.max(1, Math.ceil((state.data?.totalCount ?? 0) / PAGE_SIZE));

  return (
    <section className="section card" aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>Version history</h2>
      {state.status === 'error' && <ErrorMessage onRetry={reload}>{state.error}</ErrorMessage>}
      {state.data === undefined ? (
        state.status === 'loading' && <Loading />
      ) : state.data.list.length === 0 ? (
        <Empty>No saved versions yet: every save keeps one.</Empty>
      ) : (
        <>
          <table className="users" aria-labelledby={`${id}-heading`}>
            <thead>
              <tr>
                <th scope="col">Version</th>
                <th scope="col">Saved</th>
                <th scope="col">By</th>
                <th scope="col">Note</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {state.data.list.map((version) => (
                <tr key={version.version}>
                  <td>{version.version}</td>
                  <td className="small">{formatTime(version.savedAt)}</td>
                  <td>{version.savedBy.name}</td>
                  <td>{version.note ?? ''}</td>
                  <td>
                    <button type="button" className="secondary" onClick={() => setViewing(version)}>
                      View version {version.version}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {pages > 1 && (
            <div className="actions">
              <button type="button" className="secondary" disabled={page <= 1} onClick={() => setPage(page - 1)}>
                Newer versions
              </button>
              <span className="muted">
                Page {page} of {pages}
              </span>
              <button type="button" className="secondary" disabled={page >= pages} onClick={() => setPage(page + 1)}>
                Older versions
              </button>
            </div>
          )}
        </>
      )}
      {viewing && (
        <VersionDialog
          poolId={poolId}
          version={viewing}
          current={current}
          etag={etag}
          unsaved={unsaved}
          onClose={() => setViewing(null)}
          onRestored={(restored) => {
            setViewing(null);
            setPage(1);
            reload();
            onRestored(restored);
          }}
        />
      )}
    </section>
  );
}

interface VersionDialogProps {
  poolId: string;
  version: ConnectionVersion;
  current: ScriptSources;
  etag: string | null;
  unsaved: boolean;
  onClose(): void;
  onRestored(restored: Tagged<CustomDatabase>): void;
}

function VersionDialog({ poolId, version, current, etag, unsaved, onClose, onRestored }: VersionDialogProps) {
  const number = version.version;
  const { state } = useAsync(() => api.customDbVersion(poolId, number), [poolId, number]);
  const [restoring, setRestoring] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const restore = async () => {
    const warning = unsaved ? ' Your unsaved changes on this page will be replaced.' : '';
    if (!window.confirm(`Restore version ${String(number)}? It is saved again as the newest version and takes effect for new requests.${warning}`)) return;
    setRestoring(true);
    setError(null);
    try {
      onRestored(await api.restoreCustomDbVersion(poolId, number, etag));
    } catch (caught) {
      setError(
        caught instanceof ApiError && caught.status === 412
          ? 'The connection was changed by someone else since this page loaded it. Reload the page, then restore again.'
          : errorMessage(caught),
      );
      setRestoring(false);
    }
  };

  return (
    <Modal title={`Version ${String(number)}`} onClose={onClose} wide>
      <p className="help">
        Saved {formatTime(version.savedAt)} by {version.savedBy.name}
        {version.note ? `: ${version.note}` : ''}. Secrets are shown masked; a restore brings back the values this version
        had.
      </p>
      {state.status === 'error' && <ErrorMessage>{state.error}</ErrorMessage>}
      {state.status === 'loading' && <Loading label="Loading the version…" />}
      {state.status === 'ready' && (
        <ScriptDiff before={state.data.scripts} after={current} beforeLabel={`Version ${String(number)}`} afterLabel="Current" />
      )}
      {error && <ErrorMessage>Not restored: {error}</ErrorMessage>}
      <div className="actions">
        <button type="button" className="primary" aria-disabled={restoring} onClick={() => void restore()}>
          Restore version {number}
        </button>
        <button type="button" className="secondary" onClick={onClose}>
          Close
        </button>
      </div>
    </Modal>
  );
}
