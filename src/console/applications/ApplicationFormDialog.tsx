import { useId, useState, type FormEvent } from 'react';
import { errorMessage } from '../api/client.js';
import type { Application, ApplicationInput, ApplicationPatch, ApplicationType } from '../api/types.js';
import { Modal } from '../components/Modal.js';
import { ErrorMessage } from '../components/Status.js';
import {
  TYPE_LABELS,
  fieldOfMessage,
  hasRedirects,
  hasSecret,
  inputFrom,
  patchFrom,
  textOf,
  type FormField,
  type FormValues,
} from './application-form.js';

type ApplicationFormDialogProps =
  | { application?: undefined; onSubmit: (input: ApplicationInput) => Promise<void>; onClose: () => void }
  | { application: Application; onSubmit: (patch: ApplicationPatch) => Promise<void>; onClose: () => void };

const FIELD_LABELS: Record<FormField, string> = {
  name: 'Name',
  type: 'Type',
  redirectUris: 'Redirect URIs',
  postLogoutRedirectUris: 'Post-logout redirect URIs',
};

/** Creates an application, or edits one (its type is fixed once created: it decides whether it has a secret). */
export function ApplicationFormDialog(props: ApplicationFormDialogProps) {
  const { application, onClose } = props;
  const id = useId();
  const [values, setValues] = useState<FormValues>(() => ({
    name: application?.name ?? '',
    type: application?.type ?? 'web',
    redirectUris: textOf(application?.redirectUris ?? []),
    postLogoutRedirectUris: textOf(application?.postLogoutRedirectUris ?? []),
  }));
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const named = problem === null ? null : fieldOfMessage(problem);
  const errorId = `${id}-error`;
  /** The props that tie a control to the error when the API's message names it. */
  const invalid = (field: FormField) =>
    named?.field === field ? { 'aria-invalid': true as const, 'aria-describedby': `${errorId} ${id}-${field}-help` } : { 'aria-describedby': `${id}-${field}-help` };
  const set = (field: keyof FormValues) => (value: string) => setValues((previous) => ({ ...previous, [field]: value }));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    // No checks of its own: the API's 400 names the field, and the form points at it.
    setBusy(true);
    setProblem(null);
    try {
      if (props.application === undefined) {
        await props.onSubmit(inputFrom(values));
      } else {
        const patch = patchFrom(values, props.application);
        if (Object.keys(patch).length === 0) {
          onClose();
          return;
        }
        await props.onSubmit(patch);
      }
    } catch (error) {
      setProblem(errorMessage(error));
      setBusy(false);
    }
  };

  const redirects = hasRedirects(values.type);
  return (
    <Modal title={application ? 'Edit application' : 'Create application'} onClose={onClose} wide>
      <form onSubmit={(event) => void submit(event)} noValidate>
        <div className="grid-2">
          <div className="field">
            <label htmlFor={`${id}-name`}>Name</label>
            <input id={`${id}-name`} type="text" autoComplete="off" maxLength={128} value={values.name} onChange={(event) => set('name')(event.target.value)} {...invalid('name')} />
            <p className="help" id={`${id}-name-help`}>
              Shown to people on the sign-in page.
            </p>
          </div>
          <div className="field">
            <label htmlFor={`${id}-type`}>Type</label>
            <select
              id={`${id}-type`}
              value={values.type}
              disabled={application !== undefined}
              onChange={(event) => set('type')(event.target.value as ApplicationType)}
              {...invalid('type')}
            >
              {(Object.keys(TYPE_LABELS) as ApplicationType[]).map((type) => (
                <option key={type} value={type}>
                  {TYPE_LABELS[type]}
                </option>
              ))}
            </select>
            <p className="help" id={`${id}-type-help`}>
              {hasSecret(values.type) ? 'Gets a client secret, shown once after creating.' : 'A public client: no secret, sign-in uses PKCE.'}
              {application ? ' The type cannot change after creating.' : ''}
            </p>
          </div>
        </div>
        {redirects ? (
          <div className="grid-2">
            <div className="field">
              <label htmlFor={`${id}-redirectUris`}>Redirect URIs</label>
              <textarea
                id={`${id}-redirectUris`}
                rows={4}
                spellCheck={false}
                value={values.redirectUris}
                onChange={(event) => set('redirectUris')(event.target.value)}
                {...invalid('redirectUris')}
              />
              <p className="help" id={`${id}-redirectUris-help`}>
                One a line, matched exactly. https: (http: only on localhost){values.type === 'native' ? ', or your app’s own scheme' : ''}.
              </p>
            </div>
            <div className="field">
              <label htmlFor={`${id}-postLogoutRedirectUris`}>Post-logout redirect URIs</label>
              <textarea
                id={`${id}-postLogoutRedirectUris`}
                rows={4}
                spellCheck={false}
                value={values.postLogoutRedirectUris}
                onChange={(event) => set('postLogoutRedirectUris')(event.target.value)}
                {...invalid('postLogoutRedirectUris')}
              />
              <p className="help" id={`${id}-postLogoutRedirectUris-help`}>
                Where signing out may return to; one a line, may be empty.
              </p>
            </div>
          </div>
        ) : (
          <p className="help">A machine-to-machine application signs no one in, so it has no redirect URIs.</p>
        )}
        {problem && (
          <div id={errorId}>
            <ErrorMessage>
              {problem}
              {named && ` (${FIELD_LABELS[named.field]}${named.entry === undefined ? '' : `, URI ${String(named.entry)}`})`}
            </ErrorMessage>
          </div>
        )}
        <div className="actions">
          <button type="submit" className="primary" disabled={busy}>
            {application ? 'Save application' : 'Create application'}
          </button>
          <button type="button" className="secondary" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Modal>
  );
}
