import { useId } from 'react';
import type { Dialect } from '../api/types.js';

const DIALECTS: readonly { dialect: Dialect; label: string; description: string }[] = [
  {
    dialect: 'gatehouse',
    label: 'Gatehouse scripts',
    description: 'async functions that return the profile or throw typed errors (login, getUser, createUser…).',
  },
  {
    dialect: 'auth0',
    label: 'Auth0 scripts',
    description:
      "Auth0's custom database scripts as they are: callbacks, configuration, Auth0's error classes (login, get_user, create, verify, change_password, delete, change_email).",
  },
];

/** Which contract the scripts are written to; the editor's tabs follow it. */
export function DialectSelector({ value, onChange }: { value: Dialect; onChange: (dialect: Dialect) => void }) {
  const id = useId();
  return (
    <fieldset className="section">
      <legend>Scripts written for</legend>
      <div className="mode-options">
        {DIALECTS.map(({ dialect, label, description }) => (
          <div className={value === dialect ? 'mode-option selected' : 'mode-option'} key={dialect}>
            <label>
              <input
                type="radio"
                name={`${id}-dialect`}
                value={dialect}
                checked={value === dialect}
                onChange={() => onChange(dialect)}
                aria-describedby={`${id}-${dialect}`}
              />
              {label}
            </label>
            <p className="help" id={`${id}-${dialect}`}>
              {description}
            </p>
          </div>
        ))}
      </div>
    </fieldset>
  );
}
