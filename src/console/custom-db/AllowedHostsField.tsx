import { useId } from 'react';

interface AllowedHostsFieldProps {
  /** the hosts as typed, comma or line separated (draft.ts parses them on save) */
  value: string;
  onChange: (value: string) => void;
}

/** Which hosts the scripts may reach; empty leaves egress open apart from the always-refused addresses. */
export function AllowedHostsField({ value, onChange }: AllowedHostsFieldProps) {
  const id = useId();
  return (
    <fieldset className="section">
      <legend>Network access</legend>
      <div className="field">
        <label htmlFor={`${id}-hosts`}>Allowed hosts</label>
        <textarea
          id={`${id}-hosts`}
          rows={3}
          spellCheck={false}
          autoComplete="off"
          placeholder={'db.example.com\n203.0.113.10'}
          value={value}
          onChange={(event) => onChange(event.target.value)}
          aria-describedby={`${id}-hosts-help`}
        />
        <p className="help" id={`${id}-hosts-help`}>
          Host names or addresses the scripts may connect to, separated by commas or new lines. Leave it empty to let
          them reach any host; link-local and cloud metadata addresses are refused either way. Private addresses,
          including this server&apos;s own, are reachable unless you list hosts here.
        </p>
      </div>
    </fieldset>
  );
}
