import { useId, useState, type FormEvent } from 'react';
import { ApiError, api, errorMessage } from '../api/client.js';

interface SignInProps {
  onSignedIn: (token: string) => void;
  /** why the user is here again, e.g. the stored token was refused */
  reason?: string | null;
}

export function SignIn({ onSignedIn, reason }: SignInProps) {
  const id = useId();
  const [token, setToken] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const candidate = token.trim();
    if (candidate === '') {
      setProblem('Enter the admin token.');
      return;
    }
    setBusy(true);
    setProblem(null);
    try {
      await api.checkToken(candidate);
      onSignedIn(candidate);
    } catch (error) {
      setProblem(
        error instanceof ApiError && error.status === 401 ? 'That admin token was not accepted. Check it and try again.' : errorMessage(error),
      );
      setBusy(false);
    }
  };

  return (
    <main className="sign-in">
      <form className="card" onSubmit={(event) => void submit(event)} aria-labelledby={`${id}-title`} noValidate>
        <h1 id={`${id}-title`}>Gatehouse console</h1>
        <p className="help">
          Sign in with the admin token: the one printed at the server&apos;s first start, or <code>GATEHOUSE_ADMIN_TOKEN</code>.
          It is kept for this tab only.
        </p>
        {reason && <p className="notice">{reason}</p>}
        <div className="field">
          <label htmlFor={`${id}-token`}>Admin token</label>
          <input
            id={`${id}-token`}
            type="password"
            autoComplete="current-password"
            spellCheck={false}
            value={token}
            onChange={(event) => setToken(event.target.value)}
            aria-invalid={problem !== null}
            autoFocus
          />
        </div>
        {problem && (
          <p className="status error" role="alert">
            {problem}
          </p>
        )}
        <button type="submit" className="primary" disabled={busy}>
          Sign in
        </button>
      </form>
    </main>
  );
}
