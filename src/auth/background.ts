/**
 * Work an endpoint starts and does not wait for (so its answer takes the same time
 * whatever the work finds), kept track of so shutdown and tests can wait for it.
 */
export interface BackgroundWork {
  run(label: string, work: () => Promise<void>): void;
  /** resolves once everything started so far has finished */
  idle(): Promise<void>;
}

export function backgroundWork(onError: (label: string, error: unknown) => void): BackgroundWork {
  const running = new Set<Promise<void>>();
  return {
    run(label, work) {
      const task = (async () => {
        try {
          await work();
        } catch (error) {
          onError(label, error);
        }
      })();
      running.add(task);
      void task.finally(() => running.delete(task));
    },
    async idle() {
      while (running.size > 0) await Promise.allSettled([...running]);
    },
  };
}
