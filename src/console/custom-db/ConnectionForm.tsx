import { useId } from 'react';
import { MASK, type ConnectionDraft } from './draft.js';

interface ConnectionFormProps {
  value: ConnectionDraft;
  onChange: (value: ConnectionDraft) => void;
}

/** Connection URI or host/port/username/password/database; stored secrets stay masked. */
export function ConnectionForm({ value, onChange }: ConnectionFormProps) {
  const id = useId();
  const set = (changes: Partial<ConnectionDraft>) => onChange({ ...value, ...changes });
  const field = (name: keyof ConnectionDraft) => `${id}-${name}`;

  return (
    <fieldset className="section">
      <legend>Connection</legend>
      <div className="radio-row" role="radiogroup" aria-label="Connection type">
        <label>
          <input type="radio" name={`${id}-type`} checked={value.type === 'uri'} onChange={() => set({ type: 'uri' })} />
          Connection URI
        </label>
        <label>
          <input
            type="radio"
            name={`${id}-type`}
            checked={value.type === 'programmatic'}
            onChange={() => set({ type: 'programmatic' })}
          />
          Programmatic
        </label>
      </div>

      {value.type === 'uri' ? (
        <div className="field">
          <label htmlFor={field('uri')}>Connection URI</label>
          <input
            id={field('uri')}
            type="text"
            spellCheck={false}
            autoComplete="off"
            placeholder="postgres://user:password@host:5432/database"
            value={value.uri}
            onChange={(event) => set({ uri: event.target.value })}
            aria-describedby={`${field('uri')}-help`}
          />
          <p className="help" id={`${field('uri')}-help`}>
            Scripts read it as <code>env.DB_CONNECTION_URI</code>. A stored password shows as <code>{MASK}</code>; leave it
            to keep the password. Leave the URI empty when your scripts need only environment variables.
          </p>
        </div>
      ) : (
        <div className="grid-2">
          <div className="field">
            <label htmlFor={field('host')}>Host</label>
            <input id={field('host')} type="text" autoComplete="off" spellCheck={false} value={value.host} onChange={(e) => set({ host: e.target.value })} />
          </div>
          <div className="field">
            <label htmlFor={field('port')}>Port</label>
            <input id={field('port')} type="number" inputMode="numeric" min={1} max={65535} value={value.port} onChange={(e) => set({ port: e.target.value })} />
          </div>
          <div className="field">
            <label htmlFor={field('username')}>Username</label>
            <input id={field('username')} type="text" autoComplete="off" spellCheck={false} value={value.username} onChange={(e) => set({ username: e.target.value })} />
          </div>
          <div className="field">
            <label htmlFor={field('password')}>Password</label>
            <input
              id={field('password')}
              type="password"
              autoComplete="new-password"
              value={value.password}
              onChange={(e) => set({ password: e.target.value })}
              aria-describedby={`${field('password')}-help`}
            />
            <p className="help" id={`${field('password')}-help`}>
              {value.password === MASK ? 'Stored and hidden; type a new one to replace it.' : 'Stored encrypted; never shown again.'}
            </p>
          </div>
          <div className="field">
            <label htmlFor={field('database')}>Database</label>
            <input id={field('database')} type="text" autoComplete="off" spellCheck={false} value={value.database} onChange={(e) => set({ database: e.target.value })} />
          </div>
          <p className="help span-2">
            Scripts read these as <code>env.DB_HOST</code>, <code>env.DB_PORT</code>, <code>env.DB_USERNAME</code>,{' '}
            <code>env.DB_PASSWORD</code> and <code>env.DB_DATABASE</code>.
          </p>
        </div>
      )}
    </fieldset>
  );
}
