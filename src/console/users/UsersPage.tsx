import { useEffect, useId, useState } from 'react';
import { api, errorMessage } from '../api/client.js';
import type { Page, User, UserInput } from '../api/types.js';
import { ErrorMessage } from '../components/Status.js';
import { useAsync } from '../components/useAsync.js';
import { UserFormDialog } from './UserFormDialog.js';
import { UsersTable, userLabel } from './UsersTable.js';
import { VerifyPasswordDialog } from './VerifyPasswordDialog.js';
import { emailApi } from '../email/email-api.js';

type Dialog = { kind: 'create' } | { kind: 'edit'; user: User } | { kind: 'verify'; user: User } | null;

const PAGE_SIZES = [10, 25, 50, 100];

/** The users of a pool, through whichever face its custom database mode gives the API. */
export function UsersPage({ poolId, confirm = (m: string) => window.confirm(m) }: { poolId: string; confirm?: (message: string) => boolean }) {
  const id = useId();
  const [input, setInput] = useState('');
  const [keyword, setKeyword] = useState('');
  const [page, setPage] = useState(1);
  const [limit, setLimit] = useState(10);
  const [dialog, setDialog] = useState<Dialog>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);

  // Search as you type, a moment after the typing stops.
  useEffect(() => {
    const timer = setTimeout(() => {
      setKeyword(input.trim());
      setPage(1);
    }, 300);
    return () => clearTimeout(timer);
  }, [input]);

  const users = useAsync<Page<User>>(
    () => (keyword === '' ? api.listUsers(poolId, page, limit) : api.searchUsers(poolId, keyword, page, limit)),
    [poolId, keyword, page, limit],
  );
  const config = useAsync(() => api.getCustomDb(poolId), [poolId]);
  const mode = config.state.data?.enabled ? config.state.data.mode : null;

  const total = users.state.data?.totalCount ?? 0;
  const pages = Math.max(1, Math.ceil(total / limit));

  const done = (message: string) => {
    setDialog(null);
    setNotice(message);
    setActionError(null);
    users.reload();
  };

  const remove = async (user: User) => {
    const migrated = user.source === 'migrated' ? ' They will not be migrated again at their next login.' : '';
    if (!confirm(`Delete ${userLabel(user)}? This cannot be undone.${migrated}`)) return;
    try {
      await api.deleteUser(poolId, user.id);
      done(`Deleted ${userLabel(user)}.`);
    } catch (error) {
      setNotice(null);
      setActionError(`Could not delete ${userLabel(user)}: ${errorMessage(error)}`);
    }
  };

  const mail = async (user: User, what: string, send: (email: string) => Promise<unknown>, sent: (email: string) => string) => {
    if (!user.email) return;
    try {
      await send(user.email);
      setNotice(`${sent(user.email)} Without a mail server (GATEHOUSE_SMTP_URL) it is in the pool's Outbox.`);
      setActionError(null);
    } catch (error) {
      setNotice(null);
      setActionError(`Could not send ${what} to ${userLabel(user)}: ${errorMessage(error)}`);
    }
  };
  const sendVerification = (user: User) =>
    mail(user, 'a verification email', () => emailApi.sendVerificationEmail(poolId, user.id), (email) => `Sent a verification email to ${email}.`);
  // forgot-password answers the same whether or not the account can receive mail (blocked, say): the notice says so
  const sendReset = (user: User) =>
    mail(
      user,
      'a password reset',
      (email) => emailApi.sendPasswordReset(poolId, email),
      (email) => `A password reset link was sent to ${email} if the account can receive mail.`,
    );

  return (
    <section aria-labelledby={`${id}-title`}>
      <div className="section-head">
        <h2 id={`${id}-title`}>Users</h2>
        <button type="button" className="primary" onClick={() => setDialog({ kind: 'create' })}>
          Create user
        </button>
      </div>
      {mode === 'LAZY_MIGRATION' && (
        <p className="help">
          Lazy migration is on: users of your database appear here once they have logged in, and Source says where
          each one came from.
        </p>
      )}
      {mode === 'CUSTOM_USER_STORE' && (
        <p className="help">Custom user store is on: this page runs your scripts, and the users live in your database.</p>
      )}

      <form
        className="toolbar"
        role="search"
        onSubmit={(event) => {
          event.preventDefault();
          setKeyword(input.trim());
          setPage(1);
        }}
      >
        <div className="field inline grow">
          <label htmlFor={`${id}-search`} className="sr-only">
            Search users
          </label>
          <input
            id={`${id}-search`}
            type="search"
            placeholder="Search users by email, username, phone or nickname"
            value={input}
            onChange={(event) => setInput(event.target.value)}
          />
        </div>
        <div className="field inline">
          <label htmlFor={`${id}-limit`}>Rows per page</label>
          <select
            id={`${id}-limit`}
            value={limit}
            onChange={(event) => {
              setLimit(Number(event.target.value));
              setPage(1);
            }}
          >
            {PAGE_SIZES.map((size) => (
              <option key={size} value={size}>
                {size}
              </option>
            ))}
          </select>
        </div>
      </form>

      {notice && (
        <p role="status" className="saved-note">
          {notice}
        </p>
      )}
      {actionError && <ErrorMessage>{actionError}</ErrorMessage>}

      <UsersTable
        state={users.state}
        searching={keyword !== ''}
        onRetry={users.reload}
        onEdit={(user) => setDialog({ kind: 'edit', user })}
        onVerify={(user) => setDialog({ kind: 'verify', user })}
        onDelete={(user) => void remove(user)}
        onSendVerification={(user) => void sendVerification(user)}
        onSendReset={(user) => void sendReset(user)}
      />

      <nav className="pager" aria-label="Pages of users">
        <button type="button" className="secondary" disabled={page <= 1} onClick={() => setPage(page - 1)}>
          Previous page
        </button>
        <span aria-live="polite">
          Page {page} of {pages} · {total} {total === 1 ? 'user' : 'users'}
        </span>
        <button type="button" className="secondary" disabled={page >= pages} onClick={() => setPage(page + 1)}>
          Next page
        </button>
      </nav>

      {dialog?.kind === 'create' && (
        <UserFormDialog
          onClose={() => setDialog(null)}
          onSubmit={async (values: UserInput) => {
            const user = await api.createUser(poolId, values);
            done(`Created ${userLabel(user)}.`);
          }}
        />
      )}
      {dialog?.kind === 'edit' && (
        <UserFormDialog
          user={dialog.user}
          onClose={() => setDialog(null)}
          onSubmit={async (values: UserInput) => {
            const user = await api.updateUser(poolId, dialog.user.id, values);
            done(`Saved ${userLabel(user)}.`);
          }}
        />
      )}
      {dialog?.kind === 'verify' && (
        <VerifyPasswordDialog
          user={dialog.user}
          onClose={() => setDialog(null)}
          verify={async (password) => (await api.verifyPassword(poolId, dialog.user.id, password)).valid}
        />
      )}
    </section>
  );
}
