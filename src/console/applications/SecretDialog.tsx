import { useId, useRef, useState } from 'react';
import type { AsyncState } from '../components/useAsync.js';
import { Modal } from '../components/Modal.js';

interface SecretDialogProps {
  title: string;
  applicationName: string;
  clientId: string;
  /** absent for public clients (spa, native): they have no secret */
  clientSecret?: string | undefined;
  issuer: Issuer;
  onClose: () => void;
}

export interface Issuer {
  state: AsyncState<string>;
  /** what the console computes when the discovery document cannot be read */
  fallback: string;
}

/** A read-only field with a copy button: selecting or copying is all one does with it. */
export function CopyField({ label, value, describedBy }: { label: string; value: string; describedBy?: string }) {
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState<string | null>(null);
  const copy = async () => {
    try {
      // The clipboard API exists only in secure contexts (https or localhost).
      if (!navigator.clipboard) throw new Error('no clipboard');
      await navigator.clipboard.writeText(value);
      setCopied('Copied.');
    } catch {
      input.current?.select();
      setCopied('Copying is not allowed here: the text is selected, press Ctrl+C.');
    }
  };
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <div className="copy-row">
        <input
          ref={input}
          id={id}
          type="text"
          className="mono"
          readOnly
          value={value}
          spellCheck={false}
          onFocus={(event) => event.target.select()}
          {...(describedBy ? { 'aria-describedby': describedBy } : {})}
        />
        <button type="button" className="secondary" onClick={() => void copy()} aria-label={`Copy ${label.toLowerCase()}`}>
          Copy
        </button>
      </div>
      {copied && (
        <p className="help" role="status">
          {copied}
        </p>
      )}
    </div>
  );
}

/**
 * What an application needs to be configured: client id, issuer and, right after a
 * create or a rotation, the secret. The secret lives only in this dialog's props: once
 * it closes, the console has forgotten it and the server keeps only its hash.
 */
export function SecretDialog({ title, applicationName, clientId, clientSecret, issuer, onClose }: SecretDialogProps) {
  const noteId = useId();
  const issuerValue = issuer.state.data ?? issuer.fallback;
  return (
    <Modal title={title} onClose={onClose} wide {...(clientSecret ? { describedBy: noteId } : {})}>
      <p>
        Configure <strong>{applicationName}</strong> with these values.
      </p>
      {clientSecret && (
        <>
          <p className="notice" id={noteId}>
            Copy the client secret now: you will not see it again. Gatehouse keeps only a hash of it; if it is lost, rotate the secret.
          </p>
          <CopyField label="Client secret" value={clientSecret} describedBy={noteId} />
        </>
      )}
      <CopyField label="Client ID" value={clientId} />
      <CopyField label="Issuer" value={issuerValue} />
      {issuer.state.status === 'error' && (
        <p className="help">
          The discovery document could not be read ({issuer.state.error}); this issuer is computed from the console’s address and
          differs if GATEHOUSE_PUBLIC_URL names another.
        </p>
      )}
      <div className="actions">
        <button type="button" className="primary" onClick={onClose}>
          {clientSecret ? 'I have saved the secret' : 'Done'}
        </button>
      </div>
    </Modal>
  );
}
