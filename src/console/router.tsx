/**
 * A small history router for the console's few pages, under the /console base the
 * server serves the app at, with one hook for "leave with unsaved changes?".
 */
import { useEffect, useSyncExternalStore, type AnchorHTMLAttributes, type MouseEvent, type ReactNode } from 'react';

export const BASE = '/console';

export type Route =
  | { page: 'pools' }
  | { page: 'customDb'; poolId: string }
  | { page: 'users'; poolId: string }
  | { page: 'importUsers'; poolId: string }
  | { page: 'applications'; poolId: string }
  | { page: 'outbox'; poolId: string }
  | { page: 'adminKeys' }
  | { page: 'audit' }
  | { page: 'monitoring'; poolId: string }
  | { page: 'notFound'; path: string };

export function parseRoute(pathname: string): Route {
  const path = pathname.startsWith(BASE) ? pathname.slice(BASE.length) : pathname;
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts.length === 0 || (parts.length === 1 && parts[0] === 'pools')) return { page: 'pools' };
  if (parts.length === 1 && parts[0] === 'admin-keys') return { page: 'adminKeys' };
  if (parts.length === 1 && parts[0] === 'audit') return { page: 'audit' };
  if (parts[0] === 'pools' && parts[1] !== undefined) {
    if (parts.length === 2 || (parts.length === 3 && parts[2] === 'custom-db')) return { page: 'customDb', poolId: parts[1] };
    if (parts.length === 3 && parts[2] === 'users') return { page: 'users', poolId: parts[1] };
    if (parts.length === 3 && parts[2] === 'import') return { page: 'importUsers', poolId: parts[1] };
    if (parts.length === 3 && parts[2] === 'applications') return { page: 'applications', poolId: parts[1] };
    if (parts.length === 3 && parts[2] === 'outbox') return { page: 'outbox', poolId: parts[1] };
    if (parts.length === 3 && parts[2] === 'monitoring') return { page: 'monitoring', poolId: parts[1] };
  }
  return { page: 'notFound', path };
}

export const paths = {
  pools: () => `${BASE}/`,
  customDb: (poolId: string) => `${BASE}/pools/${encodeURIComponent(poolId)}/custom-db`,
  users: (poolId: string) => `${BASE}/pools/${encodeURIComponent(poolId)}/users`,
  importUsers: (poolId: string) => `${BASE}/pools/${encodeURIComponent(poolId)}/import`,
  applications: (poolId: string) => `${BASE}/pools/${encodeURIComponent(poolId)}/applications`,
  outbox: (poolId: string) => `${BASE}/pools/${encodeURIComponent(poolId)}/outbox`,
  adminKeys: () => `${BASE}/admin-keys`,
  audit: () => `${BASE}/audit`,
  monitoring: (poolId: string) => `${BASE}/pools/${encodeURIComponent(poolId)}/monitoring`,
};

/** Asked before an in-app navigation; answers whether leaving is fine. */
type Blocker = () => boolean;
const blockers = new Set<Blocker>();
const subscribers = new Set<() => void>();
let lastPath = typeof location === 'undefined' ? '/' : location.pathname;

/** Asks every active leave guard; true when there is nothing unsaved or the user agrees to lose it. */
export function mayLeave(): boolean {
  for (const blocker of blockers) if (!blocker()) return false;
  return true;
}

function notify(): void {
  lastPath = location.pathname;
  for (const subscriber of subscribers) subscriber();
}

export function navigate(to: string, options: { replace?: boolean } = {}): boolean {
  if (to === location.pathname + location.search) return true;
  if (!mayLeave()) return false;
  if (options.replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  notify();
  return true;
}

function onPopState(): void {
  if (location.pathname !== lastPath && !mayLeave()) {
    // Undo the browser's move: stay on the page with unsaved changes.
    history.pushState(null, '', lastPath);
    return;
  }
  notify();
}

function subscribe(callback: () => void): () => void {
  if (subscribers.size === 0) window.addEventListener('popstate', onPopState);
  subscribers.add(callback);
  return () => {
    subscribers.delete(callback);
    if (subscribers.size === 0) window.removeEventListener('popstate', onPopState);
  };
}

export function useLocationPath(): string {
  return useSyncExternalStore(subscribe, () => location.pathname);
}

/**
 * While `when` holds, in-app navigation asks `message` first and closing or reloading the
 * tab asks the browser's own question.
 */
export function useLeaveGuard(when: boolean, message: string): void {
  useEffect(() => {
    if (!when) return;
    const blocker: Blocker = () => window.confirm(message);
    const beforeUnload = (event: BeforeUnloadEvent) => {
      event.preventDefault();
      // Older browsers need returnValue set to show the prompt.
      event.returnValue = '';
    };
    blockers.add(blocker);
    window.addEventListener('beforeunload', beforeUnload);
    return () => {
      blockers.delete(blocker);
      window.removeEventListener('beforeunload', beforeUnload);
    };
  }, [when, message]);
}

interface LinkProps extends Omit<AnchorHTMLAttributes<HTMLAnchorElement>, 'href'> {
  to: string;
  children: ReactNode;
}

/** An ordinary link (keyboard, middle-click and "open in new tab" work) that navigates in-app. */
export function Link({ to, children, onClick, ...rest }: LinkProps) {
  const handle = (event: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(event);
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(to);
  };
  return (
    <a href={to} onClick={handle} {...rest}>
      {children}
    </a>
  );
}
