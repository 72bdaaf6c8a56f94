import { useId, useState, type FormEvent } from 'react';
import { errorMessage } from '../api/client.js';
import type { User } from '../api/types.js';
import { Modal } from '../components/Modal.js';
import { ErrorMessage } from '../components/Status.js';
import { userLabel } from './UsersTable.js';

interface VerifyPasswordDialogProps {
  user: User;
  verify: (password: string) => Promise<boolean>;
  onClose: () => void;
}

export function VerifyPasswordDialog({ user, verify, onClose }: VerifyPasswordDialogProps) {
  const id = useId();
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [answer, setAnswer] = useState<boolean | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (password === '') {
      setProblem('Password is required');
      return;
    }
    setBusy(true);
    setProblem(null);
    setAnswer(null);
    try {
      setAnswer(await verify(password));
    } catch (error) {
      setProblem(errorMessage(error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal title={`Verify password of ${userLabel(user)}`} onClose={onClose}>
      <form onSubmit={(event) => void submit(event)} noValidate>
        <div className="field">
          <label htmlFor={`${id}-password`}>Password</label>
          <input id={`${id}-password`} type="password" autoComplete="off" value={password} onChange={(event) => setPassword(event.target.value)} />
        </div>
        {problem && <ErrorMessage>{problem}</ErrorMessage>}
        <div className="actions">
          <button type="submit" className="primary" disabled={busy}>
            Verify
          </button>
          <button type="button" className="secondary" onClick={onClose}>
            Done
          </button>
        </div>
        <p role="status" className={answer === null ? '' : answer ? 'verdict good' : 'verdict bad'}>
          {answer === null ? '' : answer ? 'The password is correct.' : 'The password is not correct.'}
        </p>
      </form>
    </Modal>
  );
}
