import { useId, useState } from 'react';
import { api, errorMessage } from '../api/client.js';
import type { Application, OpenIdConfiguration, Page } from '../api/types.js';
import { ErrorMessage } from '../components/Status.js';
import { useAsync } from '../components/useAsync.js';
import { ApplicationFormDialog } from './ApplicationFormDialog.js';
import { ApplicationsTable } from './ApplicationsTable.js';
import { SecretDialog, type Issuer } from './SecretDialog.js';

type Dialog =
  | { kind: 'create' }
  | { kind: 'edit'; application: Application }
  | { kind: 'secret'; title: string; application: Pick<Application, 'name' | 'clientId'>; clientSecret?: string | undefined }
  | null;

const PAGE_SIZE = 25;

/** The issuer applications of this pool are configured with. */
function useIssuer(poolId: string): Issuer {
  const discovery = useAsync(async () => {
    // An HTML page where the document should be (a dev server without the /oidc proxy) parses as nothing.
    const configuration = (await api.openIdConfiguration(poolId)) as Partial<OpenIdConfiguration> | undefined;
    const issuer = configuration?.issuer;
    if (typeof issuer !== 'string') throw new Error('the discovery document names no issuer');
    return issuer;
  }, [poolId]);
  return {
    state: discovery.state,
    // The server builds the issuer from GATEHOUSE_PUBLIC_URL, which may differ from the
    // address the console was opened at (a proxy, another host name); the discovery
    // document is the authority, this is only what is shown when it cannot be read.
    fallback: `${location.origin}/oidc/${encodeURIComponent(poolId)}`,
  };
}

/** The applications (OAuth clients) that sign people in through this pool. */
export function ApplicationsPage({ poolId, confirm = (m: string) => window.confirm(m) }: { poolId: string; confirm?: (message: string) => boolean }) {
  const id = useId();
  const [page, setPage] = useState(1);
  const [dialog, setDialog] = useState<Dialog>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const applications = useAsync<Page<Application>>(() => api.listApplications(poolId, page, PAGE_SIZE), [poolId, page]);
  const issuer = useIssuer(poolId);

  const total = applications.state.data?.totalCount ?? 0;
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));

  const done = (message: string, next: Dialog = null) => {
    setDialog(next);
    setNotice(message);
    setActionError(null);
    applications.reload();
  };
  const failed = (what: string, error: unknown) => {
    setNotice(null);
    setActionError(`Could not ${what}: ${errorMessage(error)}`);
  };

  const remove = async (application: Application) => {
    if (!confirm(`Delete ${application.name}? Its tokens stop working and nobody can sign in to it any more. This cannot be undone.`)) return;
    try {
      await api.deleteApplication(poolId, application.id);
      done(`Deleted ${application.name}.`);
    } catch (error) {
      failed(`delete ${application.name}`, error);
    }
  };

  const rotate = async (application: Application) => {
    if (!confirm(`Rotate the secret of ${application.name}? The current secret stops working at once; the application needs the new one.`)) return;
    try {
      const { clientSecret } = await api.rotateSecret(poolId, application.id);
      done(`Rotated the secret of ${application.name}.`, { kind: 'secret', title: 'New client secret', application, clientSecret });
    } catch (error) {
      failed(`rotate the secret of ${application.name}`, error);
    }
  };

  const issuerValue = issuer.state.data ?? issuer.fallback;
  return (
    <section aria-labelledby={`${id}-title`}>
      <div className="section-head">
        <h2 id={`${id}-title`}>Applications</h2>
        <button type="button" className="primary" onClick={() => setDialog({ kind: 'create' })}>
          Create application
        </button>
      </div>
      <p className="help">
        Applications sign people in with OpenID Connect. Issuer: <code>{issuerValue}</code>
        {issuer.state.status === 'error' && ' (computed from this page’s address: GATEHOUSE_PUBLIC_URL may name another)'}
      </p>

      {notice && (
        <p role="status" className="saved-note">
          {notice}
        </p>
      )}
      {actionError && <ErrorMessage>{actionError}</ErrorMessage>}

      <ApplicationsTable
        state={applications.state}
        onRetry={applications.reload}
        onEdit={(application) => setDialog({ kind: 'edit', application })}
        onRotate={(application) => void rotate(application)}
        onDelete={(application) => void remove(application)}
      />

      {pages > 1 && (
        <nav className="pager" aria-label="Pages of applications">
          <button type="button" className="secondary" disabled={page <= 1} onClick={() => setPage(page - 1)}>
            Previous page
          </button>
          <span aria-live="polite">
            Page {page} of {pages} · {total} applications
          </span>
          <button type="button" className="secondary" disabled={page >= pages} onClick={() => setPage(page + 1)}>
            Next page
          </button>
        </nav>
      )}

      {dialog?.kind === 'create' && (
        <ApplicationFormDialog
          onClose={() => setDialog(null)}
          onSubmit={async (input) => {
            const { clientSecret, ...created } = await api.createApplication(poolId, input);
            done(`Created ${created.name}.`, { kind: 'secret', title: 'Application created', application: created, clientSecret });
          }}
        />
      )}
      {dialog?.kind === 'edit' && (
        <ApplicationFormDialog
          application={dialog.application}
          onClose={() => setDialog(null)}
          onSubmit={async (patch) => {
            const saved = await api.updateApplication(poolId, dialog.application.id, patch);
            done(`Saved ${saved.name}.`);
          }}
        />
      )}
      {dialog?.kind === 'secret' && (
        <SecretDialog
          title={dialog.title}
          applicationName={dialog.application.name}
          clientId={dialog.application.clientId}
          clientSecret={dialog.clientSecret}
          issuer={issuer}
          onClose={() => setDialog(null)}
        />
      )}
    </section>
  );
}
