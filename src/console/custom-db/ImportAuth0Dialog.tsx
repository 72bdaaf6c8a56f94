import { useId, useState, type ChangeEvent, type FormEvent } from 'react';
import { api, errorMessage, type Tagged } from '../api/client.js';
import type { CustomDatabase } from '../api/types.js';
import { Modal } from '../components/Modal.js';
import { ErrorMessage } from '../components/Status.js';

interface ImportAuth0DialogProps {
  poolId: string;
  /** the editors hold changes: importing replaces the saved connection, and they are dropped */
  unsaved: boolean;
  onClose: () => void;
  onImported: (saved: Tagged<CustomDatabase>) => void;
  importAuth0?: (poolId: string, connection: unknown) => Promise<Tagged<CustomDatabase>>;
}

/**
 * "Import from Auth0": an Auth0 database connection as Auth0's export writes it, pasted or
 * read from a file, saved as this pool's connection (its scripts run unchanged). The server
 * checks every field and names what is wrong; this only checks that the text is JSON.
 */
export function ImportAuth0Dialog({ poolId, unsaved, onClose, onImported, importAuth0 = api.importAuth0 }: ImportAuth0DialogProps) {
  const id = useId();
  const [text, setText] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [importing, setImporting] = useState(false);

  const readFile = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    if (file === undefined) return;
    try {
      setText(await file.text());
      setProblem(null);
    } catch (error) {
      setProblem(`The file could not be read: ${errorMessage(error)}`);
    }
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (importing) return;
    let connection: unknown;
    try {
      connection = JSON.parse(text);
    } catch (error) {
      setProblem(`This is not JSON: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    setProblem(null);
    setImporting(true);
    try {
      onImported(await importAuth0(poolId, connection));
    } catch (error) {
      setProblem(errorMessage(error));
    } finally {
      setImporting(false);
    }
  };

  return (
    <Modal title="Import from Auth0" onClose={onClose} wide describedBy={`${id}-intro`}>
      <p className="help" id={`${id}-intro`}>
        Paste or upload an Auth0 database connection as Auth0&apos;s export writes it (its <code>options.customScripts</code>{' '}
        and <code>options.configuration</code>). It becomes this pool&apos;s connection with its scripts unchanged;{' '}
        <code>import_mode</code> on means lazy migration, off a custom user store.
      </p>
      {unsaved && (
        <p className="notice" role="note">
          You have unsaved changes; importing replaces the saved connection and drops them.
        </p>
      )}
      <form onSubmit={(event) => void submit(event)} noValidate>
        <div className="field">
          <label htmlFor={`${id}-file`}>Upload JSON file</label>
          <input id={`${id}-file`} type="file" accept="application/json,.json" onChange={(event) => void readFile(event)} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-json`}>Auth0 connection JSON</label>
          <textarea
            id={`${id}-json`}
            rows={14}
            className="mono"
            spellCheck={false}
            value={text}
            onChange={(event) => setText(event.target.value)}
          />
        </div>
        {problem && <ErrorMessage>{problem}</ErrorMessage>}
        <div className="actions">
          <button type="submit" className="primary" aria-disabled={importing}>
            Import
          </button>
          {importing && (
            <span role="status" className="status loading">
              Importing…
            </span>
          )}
        </div>
      </form>
    </Modal>
  );
}
