import { useId, useState, type FormEvent } from 'react';
import { errorMessage } from '../api/client.js';
import type { User, UserInput } from '../api/types.js';
import { Modal } from '../components/Modal.js';
import { ErrorMessage } from '../components/Status.js';

interface UserFormDialogProps {
  /** the user to edit; none to create one */
  user?: User;
  onSubmit: (input: UserInput) => Promise<void>;
  onClose: () => void;
}

type TextField = 'email' | 'username' | 'phone' | 'name' | 'nickname';
const TEXT_FIELDS: readonly { name: TextField; label: string; type: string }[] = [
  { name: 'email', label: 'Email', type: 'email' },
  { name: 'username', label: 'Username', type: 'text' },
  { name: 'phone', label: 'Phone', type: 'tel' },
  { name: 'name', label: 'Name', type: 'text' },
  { name: 'nickname', label: 'Nickname', type: 'text' },
];

/** The input a form sends: on edit only what changed (an emptied field becomes null). */
export function userInputFrom(values: Record<TextField, string>, password: string, blocked: boolean, user?: User): UserInput {
  const input: UserInput = {};
  for (const { name } of TEXT_FIELDS) {
    const value = values[name].trim();
    const before = user?.[name] ?? '';
    if (user === undefined ? value !== '' : value !== before) input[name] = value === '' ? null : value;
  }
  if (password !== '') input.password = password;
  if (user === undefined ? blocked : blocked !== user.blocked) input.blocked = blocked;
  return input;
}

export function UserFormDialog({ user, onSubmit, onClose }: UserFormDialogProps) {
  const id = useId();
  const [values, setValues] = useState<Record<TextField, string>>(() => ({
    email: user?.email ?? '',
    username: user?.username ?? '',
    phone: user?.phone ?? '',
    name: user?.name ?? '',
    nickname: user?.nickname ?? '',
  }));
  const [password, setPassword] = useState('');
  const [blocked, setBlocked] = useState(user?.blocked ?? false);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const input = userInputFrom(values, password, blocked, user);
    if (user === undefined && !input.email && !input.username && !input.phone) {
      setProblem('Give at least one of Email, Username, Phone');
      return;
    }
    if (user !== undefined && Object.keys(input).length === 0) {
      onClose();
      return;
    }
    setBusy(true);
    setProblem(null);
    try {
      await onSubmit(input);
    } catch (error) {
      setProblem(errorMessage(error));
      setBusy(false);
    }
  };

  return (
    <Modal title={user ? 'Edit user' : 'Create user'} onClose={onClose}>
      <form onSubmit={(event) => void submit(event)} noValidate>
        <div className="grid-2">
          {TEXT_FIELDS.map(({ name, label, type }) => (
            <div className="field" key={name}>
              <label htmlFor={`${id}-${name}`}>{label}</label>
              <input
                id={`${id}-${name}`}
                type={type}
                autoComplete="off"
                value={values[name]}
                onChange={(event) => setValues((previous) => ({ ...previous, [name]: event.target.value }))}
              />
            </div>
          ))}
          <div className="field">
            <label htmlFor={`${id}-password`}>{user ? 'New password' : 'Password'}</label>
            <input
              id={`${id}-password`}
              type="password"
              autoComplete="new-password"
              value={password}
              onChange={(event) => setPassword(event.target.value)}
              aria-describedby={`${id}-password-help`}
            />
            <p className="help" id={`${id}-password-help`}>
              {user ? 'Leave empty to keep the current password. ' : ''}8 to 256 characters.
            </p>
          </div>
        </div>
        <label className="checkbox">
          <input type="checkbox" checked={blocked} onChange={(event) => setBlocked(event.target.checked)} /> Blocked
        </label>
        {problem && <ErrorMessage>{problem}</ErrorMessage>}
        <div className="actions">
          <button type="submit" className="primary" disabled={busy}>
            {user ? 'Save user' : 'Create user'}
          </button>
          <button type="button" className="secondary" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Modal>
  );
}
