/**
 * The admin token, kept in sessionStorage only: it lives as long as the tab and is
 * never written anywhere that outlasts it.
 */
const KEY = 'gatehouse.adminToken';

/** `reason` says why the token went away when the user did not sign out. */
type Listener = (token: string | null, reason?: string) => void;
const listeners = new Set<Listener>();

export function getToken(): string | null {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
}

export function setToken(token: string | null, reason?: string): void {
  try {
    if (token === null) sessionStorage.removeItem(KEY);
    else sessionStorage.setItem(KEY, token);
  } catch {
    // storage refused (private mode): the token then lasts until the next reload only
  }
  for (const listener of listeners) listener(token, reason);
}

export function onTokenChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
