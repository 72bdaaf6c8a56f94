/**
 * Script calls counted for the server's metrics: a pool's script caller wrapped so every
 * call it answers is recorded once, by how it ended. Only the calls logins and user
 * operations make go through it; an administrator's debug run is not traffic.
 */
import type { Metrics } from '../metrics/metrics.js';
import type { ScriptCallOutcome } from '../metrics/labels.js';
import { isRuntimeCrash } from '../script-runtime/index.js';
import { isTypedErrorName, type CallOutcome, type FailureKind } from './contract/script-contract.js';
import type { ScriptCaller } from './script-caller.js';

/** A failure kind's label; `runtime` is split into the script throwing and its runtime crashing. */
const KIND_OUTCOMES: Record<Exclude<FailureKind, 'runtime'>, ScriptCallOutcome> = {
  timeout: 'timeout',
  oom: 'oom',
  syntax: 'syntax',
  denied: 'denied',
  not_implemented: 'not_implemented',
  invalid_result: 'invalid_result',
  unavailable: 'unavailable',
};

export function scriptCallOutcome(outcome: CallOutcome): ScriptCallOutcome {
  if (outcome.ok) return 'ok';
  const failure = outcome.error;
  if (failure.kind !== 'runtime') return KIND_OUTCOMES[failure.kind];
  if (isTypedErrorName(failure.name)) return 'typed_error';
  return isRuntimeCrash(failure) ? 'crash' : 'error';
}

export function recordingCalls(poolId: string, caller: ScriptCaller, metrics: Pick<Metrics, 'scriptCall'>): ScriptCaller {
  return {
    async call(script, args, options) {
      const outcome = await caller.call(script, args, options);
      metrics.scriptCall(poolId, script, scriptCallOutcome(outcome), outcome.durationMs);
      return outcome;
    },
    // Auth0's script names are a closed set too, so they label calls as they are.
    async callAuth0(script, args) {
      const outcome = await caller.callAuth0(script, args);
      metrics.scriptCall(poolId, script, scriptCallOutcome(outcome), outcome.durationMs);
      return outcome;
    },
  };
}
