import type { Application, Page } from '../api/types.js';
import { Empty, ErrorMessage, Loading } from '../components/Status.js';
import type { AsyncState } from '../components/useAsync.js';
import { TYPE_LABELS, hasSecret } from './application-form.js';

interface ApplicationsTableProps {
  state: AsyncState<Page<Application>>;
  onRetry: () => void;
  onEdit: (application: Application) => void;
  onRotate: (application: Application) => void;
  onDelete: (application: Application) => void;
}

export function ApplicationsTable({ state, onRetry, onEdit, onRotate, onDelete }: ApplicationsTableProps) {
  const page = state.data;
  return (
    <div aria-busy={state.status === 'loading'}>
      {state.status === 'error' && <ErrorMessage onRetry={onRetry}>{state.error}</ErrorMessage>}
      {page === undefined ? (
        state.status === 'loading' && <Loading label="Loading applications…" />
      ) : page.list.length === 0 ? (
        <Empty>No applications yet. Create one to let people sign in to it through Gatehouse.</Empty>
      ) : (
        <div className="table-wrap">
          <table className="users">
            <caption className="sr-only">Applications</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Type</th>
                <th scope="col">Client ID</th>
                <th scope="col">Redirect URIs</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {page.list.map((application) => (
                <tr key={application.id}>
                  <td>{application.name}</td>
                  <td className="nowrap" title={TYPE_LABELS[application.type]}>
                    {application.type}
                  </td>
                  <td className="mono">{application.clientId}</td>
                  <td>
                    {application.redirectUris.length === 0 ? (
                      <span className="muted">none</span>
                    ) : (
                      <ul className="uri-list">
                        {application.redirectUris.map((uri) => (
                          <li key={uri} className="mono">
                            {uri}
                          </li>
                        ))}
                      </ul>
                    )}
                  </td>
                  <td className="row-actions">
                    <button type="button" className="link-button" onClick={() => onEdit(application)} aria-label={`Edit ${application.name}`}>
                      Edit
                    </button>
                    {hasSecret(application.type) && (
                      <button type="button" className="link-button" onClick={() => onRotate(application)} aria-label={`Rotate secret of ${application.name}`}>
                        Rotate secret
                      </button>
                    )}
                    <button type="button" className="link-button danger" onClick={() => onDelete(application)} aria-label={`Delete ${application.name}`}>
                      Delete
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
