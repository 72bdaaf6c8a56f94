import { useRef } from 'react';
import { MASK, newEnvRow, type EnvRow } from './draft.js';

interface EnvRowsProps {
  rows: EnvRow[];
  onChange: (rows: EnvRow[]) => void;
}

/** Environment variables as name/value rows; values are secrets and stay masked. */
export function EnvRows({ rows, onChange }: EnvRowsProps) {
  const list = useRef<HTMLDivElement>(null);
  const update = (id: number, changes: Partial<EnvRow>) =>
    onChange(rows.map((row) => (row.id === id ? { ...row, ...changes } : row)));

  const add = () => {
    onChange([...rows, newEnvRow()]);
    // Focus the new row's name once it is rendered.
    requestAnimationFrame(() => {
      const inputs = list.current?.querySelectorAll<HTMLInputElement>('input[data-env-name]');
      inputs?.[inputs.length - 1]?.focus();
    });
  };

  return (
    <fieldset className="section">
      <legend>Environment variables</legend>
      <p className="help">
        Scripts read them as <code>env.NAME</code>. Values are stored encrypted and shown as <code>{MASK}</code>; leave a
        masked value as it is to keep it.
      </p>
      <div ref={list} className="env-rows">
        {rows.length === 0 && <p className="status empty">No environment variables.</p>}
        {rows.map((row, index) => {
          const n = String(index + 1);
          return (
            <div className="env-row" key={row.id}>
              <input
                type="text"
                data-env-name
                aria-label={`Variable ${n} name`}
                placeholder="NAME"
                spellCheck={false}
                autoComplete="off"
                value={row.name}
                onChange={(event) => update(row.id, { name: event.target.value })}
              />
              <input
                type="password"
                aria-label={`Variable ${n} value`}
                placeholder="value"
                autoComplete="new-password"
                value={row.value}
                onChange={(event) => update(row.id, { value: event.target.value })}
              />
              <button
                type="button"
                className="secondary"
                aria-label={`Remove variable ${row.name === '' ? n : row.name}`}
                onClick={() => onChange(rows.filter((other) => other.id !== row.id))}
              >
                Remove
              </button>
            </div>
          );
        })}
      </div>
      <button type="button" className="secondary" onClick={add}>
        Add variable
      </button>
    </fieldset>
  );
}
