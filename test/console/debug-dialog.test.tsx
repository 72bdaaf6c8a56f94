// @vitest-environment happy-dom
import { cleanup, render, screen } from '@testing-library/react';
import { fireEvent } from '@testing-library/dom';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DebugDialog } from '../../src/console/custom-db/DebugDialog.js';
import type { DebugResult, ScriptKey, ScriptName } from '../../src/console/api/types.js';

afterEach(cleanup);

const ALL: ScriptName[] = ['login', 'getUser', 'searchUser', 'createUser', 'updateUser', 'deleteUser', 'listUsers', 'validatePassword', 'exportUsers'];
const labels = () => Array.from(document.querySelectorAll('.debug-form .grid-2 label')).map((label) => label.textContent);

function open(runDebug = vi.fn<(poolId: string, script: ScriptKey, args: unknown[]) => Promise<DebugResult>>(), unsaved = false) {
  render(<DebugDialog poolId="p1" scripts={ALL} initialScript="login" unsaved={unsaved} onClose={() => undefined} runDebug={runDebug} />);
  return runDebug;
}

describe('debug dialog', () => {
  it('is a labelled dialog whose test-user form fits the chosen script', () => {
    open();
    expect(screen.getByRole('dialog', { name: 'Debug script' })).toBeTruthy();
    expect(labels()).toEqual(['Email', 'Username', 'Phone', 'Password']);
    expect(screen.getByText(/alice@example\.com/)).toBeTruthy();
    const script = screen.getByLabelText('Script');
    const expected: Record<ScriptName, string[]> = {
      login: ['Email', 'Username', 'Phone', 'Password'],
      getUser: ['Email', 'Username', 'Phone', 'User ID'],
      searchUser: ['Keyword'],
      createUser: ['User info (JSON)'],
      updateUser: ['User ID', 'Updates (JSON)'],
      deleteUser: ['User ID'],
      listUsers: ['Page', 'Limit'],
      validatePassword: ['User ID', 'Password'],
      exportUsers: ['Cursor (empty: first page)', 'Limit'],
    };
    for (const name of ALL) {
      fireEvent.change(script, { target: { value: name } });
      expect(labels()).toEqual(expected[name]);
    }
  });

  it('runs login with the query and password and shows Success, the profile, logs and duration', async () => {
    const run = open(
      vi.fn(async () => ({
        ok: true as const,
        result: { id: '1', email: 'alice@example.com' },
        logs: [{ level: 'log', message: 'looked up alice' }],
        durationMs: 12.6,
      })),
    );
    fireEvent.change(screen.getByLabelText('Email'), { target: { value: 'alice@example.com' } });
    fireEvent.change(screen.getByLabelText('Password'), { target: { value: 'alice-password-1' } });
    fireEvent.click(screen.getByRole('button', { name: 'Test' }));
    const result = await screen.findByRole('region', { name: 'Result' });
    expect(run).toHaveBeenCalledWith('p1', 'login', [{ email: 'alice@example.com' }, 'alice-password-1']);
    expect(result.textContent).toContain('Success');
    expect(result.textContent).toContain('"email": "alice@example.com"');
    expect(result.textContent).toContain('looked up alice');
    expect(result.textContent).toContain('took 13 ms');
  });

  it('shows Failed with the kind and message', async () => {
    open(
      vi.fn(async () => ({
        ok: false as const,
        error: { kind: 'runtime', name: 'Error', message: 'connect ECONNREFUSED 127.0.0.1:5432', stack: 'Error: connect…' },
        logs: [],
        durationMs: 3,
      })),
    );
    fireEvent.change(screen.getByLabelText('Username'), { target: { value: 'alice' } });
    fireEvent.change(screen.getByLabelText('Password'), { target: { value: 'x' } });
    fireEvent.click(screen.getByRole('button', { name: 'Test' }));
    const result = await screen.findByRole('region', { name: 'Result' });
    expect(result.textContent).toContain('Failed');
    expect(result.textContent).toContain('runtime');
    expect(result.textContent).toContain('connect ECONNREFUSED 127.0.0.1:5432');
    expect(result.textContent).toContain('The script logged nothing.');
  });

  it('asks for exactly one identifier, and builds the arguments of the other scripts', async () => {
    const run = open(vi.fn(async () => ({ ok: true as const, result: null, logs: [], durationMs: 1 })));
    const test = async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Test' }));
      await screen.findByRole('region', { name: 'Result' });
    };
    fireEvent.click(screen.getByRole('button', { name: 'Test' }));
    expect(screen.getByRole('alert').textContent).toContain('Fill exactly one of Email, Username, Phone');
    expect(run).not.toHaveBeenCalled();

    const script = screen.getByLabelText('Script');
    fireEvent.change(script, { target: { value: 'getUser' } });
    fireEvent.change(screen.getByLabelText('User ID'), { target: { value: '42' } });
    await test();
    expect(run).toHaveBeenLastCalledWith('p1', 'getUser', [{ id: '42' }]);

    fireEvent.change(script, { target: { value: 'listUsers' } });
    await test();
    expect(run).toHaveBeenLastCalledWith('p1', 'listUsers', [1, 10]);

    fireEvent.change(script, { target: { value: 'updateUser' } });
    fireEvent.change(screen.getByLabelText('User ID'), { target: { value: '7' } });
    fireEvent.change(screen.getByLabelText('Updates (JSON)'), { target: { value: '{"nickname": "Al"}' } });
    await test();
    expect(run).toHaveBeenLastCalledWith('p1', 'updateUser', ['7', { nickname: 'Al' }]);

    fireEvent.change(script, { target: { value: 'createUser' } });
    fireEvent.change(screen.getByLabelText('User info (JSON)'), { target: { value: '[1]' } });
    fireEvent.click(screen.getByRole('button', { name: 'Test' }));
    expect(screen.getByRole('alert').textContent).toContain('User info must be a JSON object');
  });

  it('warns that debug runs the saved scripts when there are unsaved changes', () => {
    open(undefined, true);
    expect(screen.getByText(/You have unsaved changes/).textContent).toContain('save first');
  });
});
