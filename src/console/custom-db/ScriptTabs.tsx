import { useId, useRef, type KeyboardEvent } from 'react';
import type { Dialect, ScriptKey } from '../api/types.js';
import { CodeEditor } from '../editor/CodeEditor.js';
import { checkScript } from '../editor/check-script.js';
import { SCRIPT_LABELS, scriptPurpose, scriptSignature } from '../scripts.js';

interface ScriptTabsProps {
  scripts: readonly ScriptKey[];
  active: ScriptKey;
  onSelect: (script: ScriptKey) => void;
  sources: Record<ScriptKey, string>;
  onChange: (script: ScriptKey, source: string) => void;
  /** whose signatures the help line shows; Gatehouse's by default */
  dialect?: Dialect;
}

/** One tab per script the mode needs, each a CodeMirror editor; scripts that do not parse are flagged. */
export function ScriptTabs({ scripts, active, onSelect, sources, onChange, dialect = 'gatehouse' }: ScriptTabsProps) {
  const id = useId();
  const tabs = useRef<Partial<Record<ScriptKey, HTMLButtonElement | null>>>({});
  const problems = scripts
    .map((name) => ({ name, check: checkScript(name, sources[name]) }))
    .filter((entry) => !entry.check.ok);

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const index = scripts.indexOf(active);
    let next: number | undefined;
    if (event.key === 'ArrowRight') next = (index + 1) % scripts.length;
    else if (event.key === 'ArrowLeft') next = (index - 1 + scripts.length) % scripts.length;
    else if (event.key === 'Home') next = 0;
    else if (event.key === 'End') next = scripts.length - 1;
    const target = next === undefined ? undefined : scripts[next];
    if (target === undefined) return;
    event.preventDefault();
    onSelect(target);
    tabs.current[target]?.focus();
  };

  const empty = sources[active].trim() === '';
  return (
    <div className="script-tabs">
      <div className="tablist" role="tablist" aria-label="Scripts" onKeyDown={onKeyDown}>
        {scripts.map((name) => {
          const broken = problems.some((problem) => problem.name === name);
          return (
            <button
              key={name}
              ref={(element) => {
                tabs.current[name] = element;
              }}
              type="button"
              role="tab"
              id={`${id}-tab-${name}`}
              aria-selected={name === active}
              aria-controls={`${id}-panel`}
              tabIndex={name === active ? 0 : -1}
              className={broken ? 'tab has-error' : 'tab'}
              onClick={() => onSelect(name)}
            >
              {SCRIPT_LABELS[name]}
              {broken && (
                <span className="tab-flag" aria-hidden="true">
                  !
                </span>
              )}
            </button>
          );
        })}
      </div>
      <div className="tabpanel" role="tabpanel" id={`${id}-panel`} aria-labelledby={`${id}-tab-${active}`}>
        <p className="help" id={`${id}-purpose`}>
          <code>{scriptSignature(dialect, active)}</code> — {scriptPurpose(dialect, active)}
        </p>
        {empty && (
          <p className="notice">
            Not written yet: until it is, this script answers “Please implement the {SCRIPT_LABELS[active]} script for
            this database connection”. Choose a template or write the function.
          </p>
        )}
        <CodeEditor
          key={active}
          script={active}
          value={sources[active]}
          onChange={(source) => onChange(active, source)}
          label={`${SCRIPT_LABELS[active]} script`}
          describedBy={`${id}-purpose`}
        />
      </div>
      {problems.length > 0 && (
        <div className="status error" aria-live="polite">
          <p>These scripts do not parse yet; saving will be refused until they do:</p>
          <ul>
            {problems.map(({ name, check }) =>
              check.ok ? null : (
                <li key={name}>
                  <button type="button" className="link-button" onClick={() => onSelect(name)}>
                    {SCRIPT_LABELS[name]}
                  </button>
                  {`: ${check.message} (line ${String(check.line)}, column ${String(check.column)})`}
                </li>
              ),
            )}
          </ul>
        </div>
      )}
    </div>
  );
}
