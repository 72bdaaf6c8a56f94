import { useCallback, useEffect, useRef, useState, type DependencyList } from 'react';
import { errorMessage } from '../api/client.js';

export type AsyncState<T> =
  | { status: 'loading'; data?: T }
  | { status: 'error'; error: string; data?: T }
  | { status: 'ready'; data: T };

/**
 * Loads `load()` when `deps` change and on `reload()`; a stale answer (deps changed
 * meanwhile) is dropped. While reloading, the previous data stays available.
 */
export function useAsync<T>(load: () => Promise<T>, deps: DependencyList) {
  const [state, setState] = useState<AsyncState<T>>({ status: 'loading' });
  const generation = useRef(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  const run = useCallback(() => {
    const mine = ++generation.current;
    setState((previous) => ({ status: 'loading', ...(previous.data === undefined ? {} : { data: previous.data }) }));
    loadRef.current().then(
      (data) => {
        if (mine === generation.current) setState({ status: 'ready', data });
      },
      (error: unknown) => {
        if (mine === generation.current) {
          setState((previous) => ({
            status: 'error',
            error: errorMessage(error),
            ...(previous.data === undefined ? {} : { data: previous.data }),
          }));
        }
      },
    );
  }, []);

  useEffect(() => {
    run();
    return () => {
      generation.current++;
    };
    // the caller names the deps, as with useEffect
  }, deps);

  return { state, reload: run };
}
