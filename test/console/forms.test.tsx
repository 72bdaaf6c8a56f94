// @vitest-environment happy-dom
import { useState } from 'react';
import { cleanup, render, screen } from '@testing-library/react';
import { fireEvent } from '@testing-library/dom';
import { afterEach, describe, expect, it } from 'vitest';
import { ConnectionForm } from '../../src/console/custom-db/ConnectionForm.js';
import { EnvRows } from '../../src/console/custom-db/EnvRows.js';
import { connectionDraftFrom, draftFrom, inputFrom, isDirty, newEnvRow, type ConnectionDraft, type EnvRow } from '../../src/console/custom-db/draft.js';
import { checkScript } from '../../src/console/editor/check-script.js';
import { MASK, customDb } from './support.js';

afterEach(cleanup);

function StatefulConnection({ initial, seen }: { initial: ConnectionDraft; seen: ConnectionDraft[] }) {
  const [value, setValue] = useState(initial);
  return (
    <ConnectionForm
      value={value}
      onChange={(next) => {
        seen.push(next);
        setValue(next);
      }}
    />
  );
}

function StatefulEnv({ initial, seen }: { initial: EnvRow[]; seen: EnvRow[][] }) {
  const [rows, setRows] = useState(initial);
  return (
    <EnvRows
      rows={rows}
      onChange={(next) => {
        seen.push(next);
        setRows(next);
      }}
    />
  );
}

const input = (label: string) => screen.getByLabelText(label) as HTMLInputElement;

describe('connection form', () => {
  it('switches between a URI and programmatic fields, keeping what each holds', () => {
    const seen: ConnectionDraft[] = [];
    render(<StatefulConnection initial={connectionDraftFrom({ type: 'uri', uri: `postgres://app:${MASK}@db:5432/legacy` })} seen={seen} />);
    expect((screen.getByRole('radio', { name: 'Connection URI' }) as HTMLInputElement).checked).toBe(true);
    expect((screen.getByRole('textbox', { name: 'Connection URI' }) as HTMLInputElement).value).toBe(`postgres://app:${MASK}@db:5432/legacy`);
    expect(screen.queryByLabelText('Host')).toBeNull();

    fireEvent.click(screen.getByRole('radio', { name: 'Programmatic' }));
    expect(screen.queryByRole('textbox', { name: 'Connection URI' })).toBeNull();
    for (const label of ['Host', 'Port', 'Username', 'Password', 'Database']) expect(screen.getByLabelText(label)).toBeTruthy();
    expect(input('Password').type).toBe('password');
    fireEvent.change(input('Host'), { target: { value: 'db.internal' } });
    expect(seen.at(-1)).toMatchObject({ type: 'programmatic', host: 'db.internal', uri: `postgres://app:${MASK}@db:5432/legacy` });

    fireEvent.click(screen.getByRole('radio', { name: 'Connection URI' }));
    expect((screen.getByRole('textbox', { name: 'Connection URI' }) as HTMLInputElement).value).toBe(`postgres://app:${MASK}@db:5432/legacy`);
  });

  it('shows a stored password as the mask, in a password field', () => {
    render(
      <StatefulConnection
        initial={connectionDraftFrom({ type: 'programmatic', host: 'h', port: 3306, username: 'u', password: MASK, database: 'd' })}
        seen={[]}
      />,
    );
    expect(input('Password').value).toBe(MASK);
    expect(input('Password').type).toBe('password');
    expect(input('Port').value).toBe('3306');
    expect(screen.getByText(/Stored and hidden/)).toBeTruthy();
  });
});

describe('environment variable rows', () => {
  it('adds, edits and removes rows; values are password fields', () => {
    const seen: EnvRow[][] = [];
    render(<StatefulEnv initial={[newEnvRow('PEPPER', MASK)]} seen={seen} />);
    expect(input('Variable 1 name').value).toBe('PEPPER');
    expect(input('Variable 1 value').type).toBe('password');
    fireEvent.click(screen.getByRole('button', { name: 'Add variable' }));
    fireEvent.change(input('Variable 2 name'), { target: { value: 'API_KEY' } });
    fireEvent.change(input('Variable 2 value'), { target: { value: 'k-123' } });
    expect(seen.at(-1)?.map(({ name, value }) => [name, value])).toEqual([
      ['PEPPER', MASK],
      ['API_KEY', 'k-123'],
    ]);
    fireEvent.click(screen.getByRole('button', { name: 'Remove variable PEPPER' }));
    expect(seen.at(-1)?.map(({ name }) => name)).toEqual(['API_KEY']);
    expect(input('Variable 1 name').value).toBe('API_KEY');
  });

  it('says when there are none', () => {
    render(<StatefulEnv initial={[]} seen={[]} />);
    expect(screen.getByText('No environment variables.')).toBeTruthy();
  });
});

describe('draft → save body', () => {
  const stored = customDb({
    enabled: true,
    connection: { type: 'uri', uri: `postgres://app:${MASK}@db/legacy` },
    env: { PEPPER: MASK },
    scripts: { ...customDb().scripts, login: 'async function login() {}' },
  });

  it('sends masks back unchanged, empty scripts as null, and knows when nothing changed', () => {
    const draft = draftFrom(stored);
    const built = inputFrom(draft);
    expect(built).toEqual({
      ok: true,
      input: {
        enabled: true,
        mode: 'LAZY_MIGRATION',
        dialect: 'gatehouse',
        connection: { type: 'uri', uri: `postgres://app:${MASK}@db/legacy` },
        env: { PEPPER: MASK },
        scripts: { ...customDb().scripts, login: 'async function login() {}' },
        timeoutMs: 5000,
        allowedHosts: [],
        maxConcurrency: 50,
        breakerThreshold: 5,
        breakerCooldownMs: 30_000,
      },
    });
    expect(isDirty(draftFrom(stored), draft)).toBe(false);
    expect(isDirty({ ...draft, timeoutMs: '6000' }, draft)).toBe(true);
  });

  it('treats an empty URI as no connection and refuses bad ports, env names and timeouts', () => {
    const draft = draftFrom(stored);
    expect(inputFrom({ ...draft, connection: { ...draft.connection, uri: '  ' } })).toMatchObject({ ok: true, input: { connection: null } });
    const programmatic = { ...draft.connection, type: 'programmatic' as const, host: 'h', port: '99999' };
    expect(inputFrom({ ...draft, connection: programmatic })).toEqual({ ok: false, message: 'Port must be a whole number from 1 to 65535' });
    expect(inputFrom({ ...draft, connection: { ...programmatic, host: '' } })).toMatchObject({ ok: false, message: /Host is required/ });
    expect(inputFrom({ ...draft, env: [newEnvRow('1BAD', 'x')] })).toMatchObject({ ok: false, message: /must be letters/ });
    expect(inputFrom({ ...draft, env: [newEnvRow('DB_HOST', 'x')] })).toMatchObject({ ok: false, message: /set by the connection/ });
    expect(inputFrom({ ...draft, env: [newEnvRow('A', '1'), newEnvRow('A', '2')] })).toMatchObject({ ok: false, message: /listed twice/ });
    expect(inputFrom({ ...draft, timeoutMs: '50' })).toMatchObject({ ok: false, message: /Timeout/ });
    expect(inputFrom({ ...draft, limits: { ...draft.limits, maxConcurrency: '0' } })).toEqual({ ok: false, message: 'Max concurrent calls must be a whole number from 1 to 1000' });
    expect(inputFrom({ ...draft, limits: { ...draft.limits, breakerCooldownMs: '' } })).toMatchObject({ ok: false, message: /Circuit cooldown/ });
    expect(inputFrom({ ...draft, env: [newEnvRow('', '')] })).toMatchObject({ ok: true, input: { env: {} } });
  });

  it('splits allowed hosts on commas and new lines, drops blanks and repeats, and names a bad entry', () => {
    const draft = draftFrom({ ...stored, allowedHosts: ['db.internal', '127.0.0.1'] });
    expect(draft.allowedHosts).toBe('db.internal\n127.0.0.1');
    expect(inputFrom({ ...draft, allowedHosts: ' db.internal,127.0.0.1\n\nlocalhost, db.internal,\n' })).toMatchObject({
      ok: true,
      input: { allowedHosts: ['db.internal', '127.0.0.1', 'localhost'] },
    });
    expect(inputFrom({ ...draft, allowedHosts: '' })).toMatchObject({ ok: true, input: { allowedHosts: [] } });
    expect(inputFrom({ ...draft, allowedHosts: 'db.internal, bad host' })).toEqual({
      ok: false,
      message: 'Allowed host "bad host" contains a space; separate hosts with commas or new lines',
    });
    expect(inputFrom({ ...draft, allowedHosts: `${'a'.repeat(256)}` })).toMatchObject({ ok: false, message: /longer than 255/ });
    const many = Array.from({ length: 65 }, (_, index) => `h${String(index)}`).join(',');
    expect(inputFrom({ ...draft, allowedHosts: many })).toMatchObject({ ok: false, message: /at most 64/ });
    // Other separators for the same hosts are not an unsaved change.
    expect(isDirty({ ...draft, allowedHosts: 'db.internal, 127.0.0.1' }, draft)).toBe(false);
    expect(isDirty({ ...draft, allowedHosts: 'db.internal' }, draft)).toBe(true);
  });
});

describe('script check', () => {
  it('accepts a declared function and reports syntax errors with line and column', () => {
    expect(checkScript('login', 'async function login(query, password) {\n  return { id: "1" };\n}\n')).toEqual({ ok: true });
    expect(checkScript('login', '')).toEqual({ ok: true });
    expect(checkScript('login', 'async function login() {\n  return {\n}\n')).toMatchObject({ ok: false, line: 4, column: 1 });
    expect(checkScript('getUser', 'async function login() {}')).toMatchObject({ ok: false, message: /must declare a top-level `async function getUser/ });
    expect(checkScript('login', 'const pool = await connect();\nasync function login() {}')).toEqual({ ok: true });
  });
});
