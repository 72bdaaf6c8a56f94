import { useId, useState, type FormEvent } from 'react';
import { api, errorMessage } from '../api/client.js';
import type { DebugInput, DebugResult, Dialect, ScriptKey } from '../api/types.js';
import { Modal } from '../components/Modal.js';
import { ErrorMessage } from '../components/Status.js';
import { formatDuration } from '../components/format.js';
import { SAMPLE_USER, SCRIPT_LABELS } from '../scripts.js';
import { DEBUG_FIELD_LABELS, EMPTY_DEBUG_FIELDS, buildDebugArgsFor, debugFieldsFor, type DebugField, type DebugFields } from './debug-args.js';

interface DebugDialogProps {
  poolId: string;
  scripts: readonly ScriptKey[];
  initialScript: ScriptKey;
  /** the saved connection's dialect: Auth0's scripts take Auth0's arguments */
  dialect?: Dialect;
  /** the editors hold changes the server has not got: debug runs the saved scripts */
  unsaved: boolean;
  onClose: () => void;
  /** after each run (the connection log has a new entry) */
  onRan?: () => void;
  runDebug?: (poolId: string, script: DebugInput['script'], args: unknown[]) => Promise<DebugResult>;
}

const MULTILINE: ReadonlySet<DebugField> = new Set(['userinfo', 'updates', 'user']);
const INPUT_TYPES: Partial<Record<DebugField, string>> = { email: 'email', phone: 'tel', password: 'password', newPassword: 'password', newEmail: 'email', page: 'number', limit: 'number' };

export function DebugDialog({ poolId, scripts, initialScript, dialect = 'gatehouse', unsaved, onClose, onRan, runDebug = api.debug }: DebugDialogProps) {
  const id = useId();
  const [script, setScript] = useState<ScriptKey>(scripts.includes(initialScript) ? initialScript : (scripts[0] ?? 'login'));
  const [fields, setFields] = useState<DebugFields>(EMPTY_DEBUG_FIELDS);
  const [problem, setProblem] = useState<string | null>(null);
  const [running, setRunning] = useState(false);
  const [result, setResult] = useState<DebugResult | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (running) return;
    const built = buildDebugArgsFor(dialect, script, fields);
    if (!built.ok) {
      setProblem(built.message);
      return;
    }
    setProblem(null);
    setRunning(true);
    setResult(null);
    try {
      setResult(await runDebug(poolId, script, built.args));
      onRan?.();
    } catch (error) {
      setProblem(errorMessage(error));
    } finally {
      setRunning(false);
    }
  };

  const hint =
    dialect === 'gatehouse' && (script === 'login' || script === 'getUser')
      ? `Sample user: ${SAMPLE_USER.email} or ${SAMPLE_USER.phone}${script === 'login' ? `, password ${SAMPLE_USER.password}` : ''}.`
      : null;

  return (
    <Modal title="Debug script" onClose={onClose} wide describedBy={`${id}-intro`}>
      <p className="help" id={`${id}-intro`}>
        Runs the <strong>saved</strong> script with a test user, as a real request would, and shows what it returned and
        logged.
      </p>
      {unsaved && (
        <p className="notice" role="note">
          You have unsaved changes. Debug runs the saved scripts: save first to test what the editors show.
        </p>
      )}
      <form onSubmit={(event) => void submit(event)} className="debug-form" noValidate>
        <div className="field">
          <label htmlFor={`${id}-script`}>Script</label>
          <select
            id={`${id}-script`}
            value={script}
            onChange={(event) => {
              setScript(event.target.value as ScriptKey);
              setResult(null);
              setProblem(null);
            }}
          >
            {scripts.map((name) => (
              <option key={name} value={name}>
                {SCRIPT_LABELS[name]}
              </option>
            ))}
          </select>
        </div>
        {dialect === 'gatehouse' && (script === 'login' || script === 'getUser') && (
          <p className="help">
            Fill one of Email, Username{script === 'getUser' ? ', Phone or User ID' : ' or Phone'}.
            {hint && <> {hint}</>}
          </p>
        )}
        <div className="grid-2">
          {debugFieldsFor(dialect, script).map((name) => {
            const fieldId = `${id}-${name}`;
            const common = {
              id: fieldId,
              value: fields[name],
              spellCheck: false,
              autoComplete: 'off',
              onChange: (event: { target: { value: string } }) => setFields((previous) => ({ ...previous, [name]: event.target.value })),
            };
            return (
              <div className={MULTILINE.has(name) ? 'field span-2' : 'field'} key={name}>
                <label htmlFor={fieldId}>{DEBUG_FIELD_LABELS[name]}</label>
                {MULTILINE.has(name) ? <textarea rows={5} className="mono" {...common} /> : <input type={INPUT_TYPES[name] ?? 'text'} {...common} />}
              </div>
            );
          })}
        </div>
        {problem && <ErrorMessage>{problem}</ErrorMessage>}
        <div className="actions">
          <button type="submit" className="primary" aria-disabled={running}>
            Test
          </button>
          {running && (
            <span role="status" className="status loading">
              Running…
            </span>
          )}
        </div>
      </form>
      <div aria-live="polite">{result && <DebugResultView result={result} />}</div>
    </Modal>
  );
}

export function DebugResultView({ result }: { result: DebugResult }) {
  return (
    <section className={result.ok ? 'debug-result ok' : 'debug-result failed'} aria-label="Result">
      <p className="result-head">
        <strong>{result.ok ? 'Success' : 'Failed'}</strong>
        <span className="muted"> · took {formatDuration(result.durationMs)}</span>
      </p>
      {result.ok ? (
        <>
          <h3>Returned</h3>
          <pre className="json">{JSON.stringify(result.result, null, 2) ?? 'undefined'}</pre>
        </>
      ) : (
        <>
          <p>
            <span className="badge bad">{result.error.kind}</span>{' '}
            {result.error.name && <code>{result.error.name}</code>} {result.error.message}
          </p>
          {result.error.stack && (
            <details>
              <summary>Stack trace</summary>
              <pre className="json">{result.error.stack}</pre>
            </details>
          )}
        </>
      )}
      <h3>Console output</h3>
      {result.logs.length === 0 ? (
        <p className="status empty">The script logged nothing.</p>
      ) : (
        <ol className="logs">
          {result.logs.map((line, index) => (
            <li key={index} className={`log-${line.level}`}>
              <span className="log-level">{line.level}</span> <span className="log-message">{line.message}</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
