import { useId } from 'react';
import type { Mode } from '../api/types.js';
import { MODES } from '../scripts.js';

export function ModeSelector({ value, onChange }: { value: Mode; onChange: (mode: Mode) => void }) {
  const id = useId();
  return (
    <fieldset className="section">
      <legend>Scenario</legend>
      <div className="mode-options">
        {MODES.map(({ mode, label, description }) => (
          <div className={value === mode ? 'mode-option selected' : 'mode-option'} key={mode}>
            <label>
              <input
                type="radio"
                name={`${id}-mode`}
                value={mode}
                checked={value === mode}
                onChange={() => onChange(mode)}
                aria-describedby={`${id}-${mode}`}
              />
              {label}
            </label>
            <p className="help" id={`${id}-${mode}`}>
              {description}
            </p>
          </div>
        ))}
      </div>
    </fieldset>
  );
}
