// @ts-check
/**
 * Closes what Node 20's permission model leaves open and a script could use against the
 * server. The permission model already refuses file writes, reads outside the allowed
 * paths, child processes, workers, native addons, WASI, the inspector, `process.binding`
 * and writing heap snapshots or reports to files (measured on Node 20.20;
 * `v8.getHeapSnapshot()` streams the runtime's own heap, which is the script's anyway). It
 * does not restrict signals, so a script could `process.kill(process.ppid)` or
 * `process.kill(0)` (the whole process group, the server included). Nor does it stop V8
 * flags being changed at run time.
 */
import v8 from 'node:v8';
import { DENIED_CODE } from './egress-guard.mjs';

class ProcessAccessDeniedError extends Error {
  /** @param {string} message */
  constructor(message) {
    super(message);
    this.name = 'AccessDeniedError';
    this.code = DENIED_CODE;
  }
}

/**
 * @param {object} target
 * @param {string} name
 * @param {unknown} value
 */
function pin(target, name, value) {
  Object.defineProperty(target, name, { value, writable: false, configurable: false, enumerable: true });
}

export function lockDown() {
  const ownPid = process.pid;
  const realKill = /** @type {(pid: number, signal: number) => number} */ (Reflect.get(process, '_kill'));
  // `process.kill` calls `process._kill`; replacing both keeps the real one out of reach.
  /**
   * @param {number} pid
   * @param {number} signal
   */
  const guardedKill = (pid, signal) => {
    if (pid !== ownPid) throw new ProcessAccessDeniedError('Sending signals to other processes is not allowed');
    return realKill.call(process, pid, signal);
  };
  pin(process, '_kill', guardedKill);
  pin(v8, 'setFlagsFromString', () => {
    throw new ProcessAccessDeniedError('Changing V8 flags is not allowed');
  });
}
