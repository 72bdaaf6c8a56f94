import { Suspense, lazy, useCallback, useEffect, useId, useRef, useState } from 'react';
import { ApiError, api, errorMessage, type Tagged } from '../api/client.js';
import type { CustomDatabase, ScriptKey, Template } from '../api/types.js';
import { ErrorMessage, Loading } from '../components/Status.js';
import { useAsync } from '../components/useAsync.js';
import { useLeaveGuard } from '../router.js';
import { MODE_SCRIPTS, OPTIONAL_SCRIPTS, SCRIPT_LABELS, scriptsFor } from '../scripts.js';
import { ConnectionForm } from './ConnectionForm.js';
import { ConnectionLog } from './ConnectionLog.js';
import { DebugDialog } from './DebugDialog.js';
import { DialectSelector } from './DialectSelector.js';
import { ImportAuth0Dialog } from './ImportAuth0Dialog.js';
import { AllowedHostsField } from './AllowedHostsField.js';
import { EnvRows } from './EnvRows.js';
import { MigrationProgress } from './MigrationProgress.js';
import { ModeSelector } from './ModeSelector.js';
import { TemplatePicker } from './TemplatePicker.js';
import { draftFrom, inputFrom, isDirty, type Draft } from './draft.js';
import { ConnectionHealth } from './ConnectionHealth.js';
import { VersionHistory } from './VersionHistory.js';
import { ConflictDialog } from './ConflictDialog.js';
import { LimitsFields } from './LimitsFields.js';

// The editors (CodeMirror, acorn) are most of the console's code: loaded with this page only.
const ScriptTabs = lazy(() => import('./ScriptTabs.js').then((module) => ({ default: module.ScriptTabs })));

const LEAVE_MESSAGE = 'The custom database has unsaved changes. Leave without saving them?';

export function CustomDbPage({ poolId }: { poolId: string }) {
  const config = useAsync(() => api.getCustomDbTagged(poolId), [poolId]);
  const templates = useAsync(() => api.templates().then((answer) => answer.list), []);
  const [refreshKey, setRefreshKey] = useState(0);
  // Bumped when the connection is saved from outside the form ("Finish migration"), so the form starts over from it.
  const [generation, setGeneration] = useState(0);
  // The saved connection as the form last saved it: it decides whether the rest can be imported.
  const [saved, setSaved] = useState<Tagged<CustomDatabase> | undefined>(undefined);

  if (config.state.status === 'error' && config.state.data === undefined) {
    return <ErrorMessage onRetry={config.reload}>{config.state.error}</ErrorMessage>;
  }
  if (config.state.data === undefined) return <Loading label="Loading the custom database…" />;
  const current = saved ?? config.state.data;
  const canImport =
    current.body.enabled && current.body.mode === 'LAZY_MIGRATION' && (current.body.scripts.exportUsers ?? '').trim() !== '';
  return (
    <>
      <CustomDbForm
        key={`${poolId}-${String(generation)}`}
        poolId={poolId}
        initial={current.body}
        initialEtag={current.etag}
        templates={templates.state}
        onRan={() => setRefreshKey((key) => key + 1)}
        onSaved={setSaved}
      />
      <ConnectionHealth poolId={poolId} refreshKey={refreshKey} />
      <div className="grid-2 wide-gap">
        <MigrationProgress
          poolId={poolId}
          refreshKey={refreshKey}
          canImport={canImport}
          onFinished={(answer) => {
            setSaved(answer);
            setGeneration((value) => value + 1);
          }}
        />
        <PublicIps />
      </div>
      <ConnectionLog poolId={poolId} refreshKey={refreshKey} />
    </>
  );
}

interface CustomDbFormProps {
  poolId: string;
  initial: CustomDatabase;
  /** the ETag of `initial`: saves send it as If-Match so nobody overwrites a save they have not seen */
  initialEtag: string | null;
  templates: Parameters<typeof TemplatePicker>[0]['templates'];
  onRan: () => void;
  /** what the server now holds, after a save, import, restore or loading theirs */
  onSaved: (saved: Tagged<CustomDatabase>) => void;
}

function CustomDbForm({ poolId, initial, initialEtag, templates, onRan, onSaved }: CustomDbFormProps) {
  const id = useId();
  const [saved, setSaved] = useState<Draft>(() => draftFrom(initial));
  // The server's warnings about the saved connection (e.g. it shares the server's own store).
  const [warnings, setWarnings] = useState<readonly string[]>(initial.warnings ?? []);
  const [draft, setDraft] = useState<Draft>(saved);
  const [active, setActive] = useState<ScriptKey>('login');
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<string | null>(null);
  const [savedNote, setSavedNote] = useState<string | null>(null);
  const [debugging, setDebugging] = useState(false);
  const [importing, setImporting] = useState(false);
  const ranDebug = useRef(false);
  const [etag, setEtag] = useState<string | null>(initialEtag);
  // A save refused because someone else saved first: their connection and its ETag.
  const [conflict, setConflict] = useState<Tagged<CustomDatabase> | null>(null);
  const [versionsKey, setVersionsKey] = useState(0);

  const dirty = isDirty(draft, saved);
  useLeaveGuard(dirty, LEAVE_MESSAGE);

  const scripts = scriptsFor(draft.dialect, draft.mode);
  useEffect(() => {
    if (!scripts.includes(active)) setActive('login');
  }, [scripts, active]);

  const update = useCallback((changes: Partial<Draft>) => {
    setDraft((previous) => ({ ...previous, ...changes }));
    setSavedNote(null);
  }, []);

  const applyTemplate = (template: Template) => {
    setDraft((previous) => {
      const next = { ...previous.scripts };
      for (const name of MODE_SCRIPTS[previous.mode]) {
        const source = template.scripts[name];
        if (source !== undefined) next[name] = source;
      }
      return { ...previous, scripts: next };
    });
    setSavedNote(null);
  };

  /** The page now shows what the server saved (a save's answer, a restore, or someone else's save). */
  const adopt = (answer: Tagged<CustomDatabase>) => {
    const { body, etag: tag } = answer;
    onSaved(answer);
    const next = draftFrom(body);
    setWarnings(body.warnings ?? []);
    setSaved(next);
    setDraft(next);
    setEtag(tag);
  };

  /** An import saved a whole connection as a new version: the form starts again from it, with its ETag. */
  const imported = (answer: Tagged<CustomDatabase>) => {
    adopt(answer);
    setVersionsKey((key) => key + 1);
    setImporting(false);
    setSaveError(null);
    setSavedNote(`Imported from Auth0 at ${new Date().toLocaleTimeString()}. New requests use it now.`);
  };

  /** `over` is the ETag to save over: the one this page read, or theirs once the admin chose to overwrite. */
  const save = async (over: string | null = etag) => {
    if (saving) return;
    const built = inputFrom(draft);
    if (!built.ok) {
      setSaveError(built.message);
      return;
    }
    setSaving(true);
    setSaveError(null);
    setSavedNote(null);
    try {
      adopt(await api.saveCustomDbIfMatch(poolId, built.input, over));
      setVersionsKey((key) => key + 1);
      setSavedNote(`Saved at ${new Date().toLocaleTimeString()}. New requests use it now.`);
    } catch (error) {
      if (error instanceof ApiError && error.status === 412) {
        try {
          setConflict(await api.getCustomDbTagged(poolId));
        } catch (reloadError) {
          setSaveError(errorMessage(reloadError));
        }
      } else {
        setSaveError(errorMessage(error));
      }
    } finally {
      setSaving(false);
    }
  };

  // An optional script (exportUsers) left empty only keeps its feature off: nothing to warn about.
  const missing = draft.enabled
    ? scripts.filter((name) => !(OPTIONAL_SCRIPTS as readonly string[]).includes(name) && draft.scripts[name].trim() === '')
    : [];

  return (
    <>
      <form
        className="custom-db-form"
        aria-labelledby={`${id}-title`}
        onSubmit={(event) => {
          event.preventDefault();
          void save();
        }}
      >
        <div className="section-head">
          <h2 id={`${id}-title`}>Custom database</h2>
          <label className="switch">
            <input
              type="checkbox"
              role="switch"
              checked={draft.enabled}
              aria-checked={draft.enabled}
              onChange={(event) => update({ enabled: event.target.checked })}
              aria-describedby={`${id}-enabled-help`}
            />
            <span className="switch-track" aria-hidden="true" />
            Enable custom database
          </label>
        </div>
        <p className="help" id={`${id}-enabled-help`}>
          Connect this pool to a user database it does not own through your scripts. Saving takes effect for the next
          request; turning it off returns the pool to its own users (migrated users stay).
        </p>
        <SandboxWarning />
        {warnings.map((warning) => (
          <p className="notice" role="alert" key={warning}>
            {warning}
          </p>
        ))}
        {missing.length > 0 && (
          <p className="notice">
            Enabled without {missing.map((name) => SCRIPT_LABELS[name]).join(', ')}: until{' '}
            {missing.length === 1 ? 'it is' : 'they are'} written, those operations answer “Please implement the … script”.
          </p>
        )}

        <ModeSelector value={draft.mode} onChange={(mode) => update({ mode })} />
        <DialectSelector value={draft.dialect} onChange={(dialect) => update({ dialect })} />
        <ConnectionForm value={draft.connection} onChange={(connection) => update({ connection })} />
        <EnvRows rows={draft.env} onChange={(env) => update({ env })} />
        <AllowedHostsField value={draft.allowedHosts} onChange={(allowedHosts) => update({ allowedHosts })} />
        <LimitsFields value={draft.limits} onChange={(limits) => update({ limits })} />

        <fieldset className="section">
          <legend>Scripts</legend>
          <div className="toolbar">
            {/* The templates are Gatehouse scripts; an Auth0 connection brings its own. */}
            {draft.dialect === 'gatehouse' && <TemplatePicker templates={templates} scripts={MODE_SCRIPTS[draft.mode]} onApply={applyTemplate} />}
            <div className="field inline">
              <label htmlFor={`${id}-timeout`}>Timeout (ms)</label>
              <input
                id={`${id}-timeout`}
                type="number"
                min={100}
                max={30000}
                step={100}
                className="narrow"
                value={draft.timeoutMs}
                onChange={(event) => update({ timeoutMs: event.target.value })}
              />
            </div>
          </div>
          <Suspense fallback={<Loading label="Loading the script editors…" />}>
            <ScriptTabs
              scripts={scripts}
              active={scripts.includes(active) ? active : 'login'}
              onSelect={setActive}
              sources={draft.scripts}
              onChange={(name, source) => update({ scripts: { ...draft.scripts, [name]: source } })}
              dialect={draft.dialect}
            />
          </Suspense>
        </fieldset>

        <div className="actions sticky-actions">
          <button type="submit" className="primary" aria-disabled={saving}>
            Save
          </button>
          <button type="button" className="secondary" onClick={() => setDebugging(true)}>
            Debug
          </button>
          <button type="button" className="secondary" onClick={() => setImporting(true)}>
            Import from Auth0
          </button>
          {dirty && !saving && <span className="muted">Unsaved changes</span>}
          {saving && (
            <span role="status" className="status loading">
              Saving…
            </span>
          )}
          {savedNote && (
            <span role="status" className="saved-note">
              {savedNote}
            </span>
          )}
        </div>
        {saveError && <ErrorMessage>Not saved: {saveError}</ErrorMessage>}
      </form>
      {importing && <ImportAuth0Dialog poolId={poolId} unsaved={dirty} onClose={() => setImporting(false)} onImported={imported} />}
      <VersionHistory
        poolId={poolId}
        current={saved.scripts}
        etag={etag}
        refreshKey={versionsKey}
        unsaved={dirty}
        onRestored={(restored) => {
          adopt(restored);
          setSavedNote('Restored. New requests use it now.');
        }}
      />
      {conflict && (
        <ConflictDialog
          theirs={conflict.body}
          yours={draft.scripts}
          onClose={() => setConflict(null)}
          onLoadTheirs={() => {
            adopt(conflict);
            setConflict(null);
          }}
          onOverwrite={() => {
            setConflict(null);
            void save(conflict.etag);
          }}
        />
      )}
      {debugging && (
        <DebugDialog
          poolId={poolId}
          scripts={scriptsFor(saved.dialect, saved.mode)}
          dialect={saved.dialect}
          initialScript={active}
          unsaved={dirty}
          onClose={() => {
            setDebugging(false);
            // The log and progress refresh once the dialog closes, not under it.
            if (ranDebug.current) onRan();
            ranDebug.current = false;
          }}
          onRan={() => {
            ranDebug.current = true;
          }}
        />
      )}
    </>
  );
}

/**
 * The server says when scripts run without an OS sandbox (no bubblewrap or user namespaces),
 * or are refused for that reason: the administrator must know before trusting script authors.
 */
function SandboxWarning() {
  const { state } = useAsync(() => api.scriptSandbox(), []);
  if (state.status !== 'ready' || state.data.warning === undefined) return null;
  return (
    <p className="notice" role="alert">
      {state.data.warning}
    </p>
  );
}

function PublicIps() {
  const id = useId();
  const { state } = useAsync(() => api.publicIps(), []);
  return (
    <section className="section card" aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>Firewall</h2>
      {state.status === 'error' && <ErrorMessage>{state.error}</ErrorMessage>}
      {state.status === 'loading' && <Loading />}
      {state.status === 'ready' &&
        (state.data.ips.length === 0 ? (
          <p className="help">
            Scripts connect from this server&apos;s own address. If your database sits behind a firewall, let that
            address in.
          </p>
        ) : (
          <p className="help">
            If your database sits behind a firewall, let in: <code>{state.data.ips.join(', ')}</code>
          </p>
        ))}
    </section>
  );
}
