import { useId } from 'react';
import { GUARD_LIMITS } from '../../custom-db/connection-config.js';
import { LIMIT_LABELS, type Draft, type LimitName } from './draft.js';

const LIMIT_HELP: Record<LimitName, string> = {
  maxConcurrency: 'Script calls in flight at once on each server instance; more wait up to a second, then answer 503.',
  breakerThreshold: 'Consecutive crashes, timeouts or refused connections (not wrong passwords) before calls answer 503 at once.',
  breakerCooldownMs: 'How long an open circuit answers 503 before one call probes the database again.',
};

/** The connection's circuit breaker and concurrency cap. */
export function LimitsFields({ value, onChange }: { value: Draft['limits']; onChange(limits: Draft['limits']): void }) {
  const id = useId();
  return (
    <fieldset className="section">
      <legend>Circuit breaker and concurrency</legend>
      <div className="grid-2">
        {(Object.keys(GUARD_LIMITS) as LimitName[]).map((name) => (
          <div className="field" key={name}>
            <label htmlFor={`${id}-${name}`}>{LIMIT_LABELS[name]}</label>
            <input
              id={`${id}-${name}`}
              type="number"
              min={GUARD_LIMITS[name].minimum}
              max={GUARD_LIMITS[name].maximum}
              className="narrow"
              value={value[name]}
              aria-describedby={`${id}-${name}-help`}
              onChange={(event) => onChange({ ...value, [name]: event.target.value })}
            />
            <p className="help" id={`${id}-${name}-help`}>
              {LIMIT_HELP[name]}
            </p>
          </div>
        ))}
      </div>
    </fieldset>
  );
}
