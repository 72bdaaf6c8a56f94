import type { User } from '../api/types.js';
import { Empty, ErrorMessage, Loading } from '../components/Status.js';
import type { AsyncState } from '../components/useAsync.js';
import { formatTime } from '../components/format.js';
import type { Page } from '../api/types.js';

interface UsersTableProps {
  state: AsyncState<Page<User>>;
  searching: boolean;
  onRetry: () => void;
  onEdit: (user: User) => void;
  onDelete: (user: User) => void;
  onVerify: (user: User) => void;
  /** mail actions, offered for users with an email address */
  onSendVerification?: (user: User) => void;
  onSendReset?: (user: User) => void;
}

export function userLabel(user: User): string {
  return user.email ?? user.username ?? user.phone ?? user.name ?? user.id;
}

const SOURCE_HELP: Record<string, string> = {
  local: 'Created in Gatehouse',
  migrated: 'Copied in from your database at first login',
  'custom-db': 'Lives in your database',
};

export function UsersTable({ state, searching, onRetry, onEdit, onDelete, onVerify, onSendVerification, onSendReset }: UsersTableProps) {
  const page = state.data;
  return (
    <div aria-busy={state.status === 'loading'}>
      {state.status === 'error' && <ErrorMessage onRetry={onRetry}>{state.error}</ErrorMessage>}
      {page === undefined ? (
        state.status === 'loading' && <Loading label="Loading users…" />
      ) : page.list.length === 0 ? (
        <Empty>{searching ? 'No user matches this search.' : 'No users yet. Create one, or let them log in.'}</Empty>
      ) : (
        <div className="table-wrap">
          <table className="users">
            <caption className="sr-only">Users</caption>
            <thead>
              <tr>
                <th scope="col">Email</th>
                <th scope="col">Username</th>
                <th scope="col">Phone</th>
                <th scope="col">Name</th>
                <th scope="col">Source</th>
                <th scope="col">Last login</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {page.list.map((user) => (
                <tr key={user.id}>
                  <td>
                    {user.email ?? '—'}
                    {user.blocked && <span className="badge bad">blocked</span>}
                  </td>
                  <td>{user.username ?? '—'}</td>
                  <td className="nowrap">{user.phone ?? '—'}</td>
                  <td>{user.name ?? user.nickname ?? '—'}</td>
                  <td>
                    <span className={`badge source-${user.source}`} title={SOURCE_HELP[user.source]}>
                      {user.source}
                    </span>
                  </td>
                  <td className="nowrap">{formatTime(user.lastLogin)}</td>
                  <td className="row-actions">
                    <button type="button" className="link-button" onClick={() => onEdit(user)} aria-label={`Edit ${userLabel(user)}`}>
                      Edit
                    </button>
                    <button type="button" className="link-button" onClick={() => onVerify(user)} aria-label={`Verify password of ${userLabel(user)}`}>
                      Verify password
                    </button>
                    {user.email && onSendVerification && (
                      <button type="button" className="link-button" onClick={() => onSendVerification(user)} aria-label={`Send verification email to ${userLabel(user)}`}>
                        Send verification email
                      </button>
                    )}
                    {user.email && onSendReset && (
                      <button type="button" className="link-button" onClick={() => onSendReset(user)} aria-label={`Send password reset to ${userLabel(user)}`}>
                        Send password reset
                      </button>
                    )}
                    <button type="button" className="link-button danger" onClick={() => onDelete(user)} aria-label={`Delete ${userLabel(user)}`}>
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
