import { SCRIPT_LABELS } from '../scripts.js';
import { changedScripts, sideBySide, type ScriptSources } from './script-diff.js';

interface ScriptDiffProps {
  before: ScriptSources;
  after: ScriptSources;
  beforeLabel: string;
  afterLabel: string;
}

/** A line's mark in the gutter; the row's class colours it. */
const MARKS = { same: ' ', changed: '~', removed: '−', added: '+' } as const;

function DiffCell({ line, mark }: { line: string | null; mark: string }) {
  return (
    <td>
      {line !== null && (
        <pre>
          <span className="diff-mark" aria-hidden="true">
            {mark}
          </span>
          {line}
        </pre>
      )}
    </td>
  );
}

/** One side-by-side table per script that differs between `before` and `after`. */
export function ScriptDiff({ before, after, beforeLabel, afterLabel }: ScriptDiffProps) {
  const changed = changedScripts(before, after);
  if (changed.length === 0) return <p className="help">The scripts are the same.</p>;
  return (
    <div className="script-diffs">
      {changed.map((name) => (
        <table className="script-diff" key={name} aria-label={`${SCRIPT_LABELS[name]} script: ${beforeLabel} and ${afterLabel}`}>
          <caption>{SCRIPT_LABELS[name]} script</caption>
          <thead>
            <tr>
              <th scope="col">{beforeLabel}</th>
              <th scope="col">{afterLabel}</th>
            </tr>
          </thead>
          <tbody>
            {sideBySide(before[name] ?? '', after[name] ?? '').map((row, index) => (
              <tr key={index} className={`diff-${row.kind}`} data-kind={row.kind}>
                <DiffCell line={row.left} mark={MARKS[row.kind]} />
                <DiffCell line={row.right} mark={MARKS[row.kind]} />
              </tr>
            ))}
          </tbody>
        </table>
      ))}
    </div>
  );
}
