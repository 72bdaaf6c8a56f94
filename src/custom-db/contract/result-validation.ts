/**
 * What each script must return (the contract's result shapes). Applied to every
 * successful call, so the layers above can trust the shape of `result`.
 */
import { SCRIPT_DISPLAY_NAMES, type ScriptName } from './script-contract.js';

export type ValidationResult = { ok: true } | { ok: false; message: string };

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `a string (${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)})`;
  return typeof value === 'undefined' ? 'undefined (did it forget to return?)' : `${typeof value} ${String(value)}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function profileProblem(value: unknown): string | null {
  if (!isRecord(value)) return `it returned ${describe(value)} instead of a profile object`;
  const id = value['id'];
  if (typeof id === 'string' ? id.trim() === '' : typeof id !== 'number' || !Number.isFinite(id)) {
    return id === undefined
      ? 'it returned a profile without `id`'
      : `it returned a profile whose \`id\` is ${describe(id)}; it must be a non-empty string or a number`;
  }
  return null;
}

function listProblem(value: unknown): string | null {
  if (!isRecord(value)) return `it returned ${describe(value)} instead of { totalCount, list }`;
  const { totalCount, list } = value;
  if (typeof totalCount !== 'number' || !Number.isInteger(totalCount) || totalCount < 0) {
    return `its \`totalCount\` is ${describe(totalCount)}; it must be a non-negative integer`;
  }
  if (!Array.isArray(list)) return `its \`list\` is ${describe(list)}; it must be an array of profiles`;
  for (const [index, item] of list.entries()) {
    const problem = profileProblem(item);
    if (problem !== null) return `\`list[${index}]\`: ${problem.replace(/^it returned/, 'is')}`;
  }
  return null;
}

function problemOf(script: ScriptName, value: unknown): string | null {
  switch (script) {
    case 'getUser':
      return value === null ? null : profileProblem(value);
    case 'login':
    case 'createUser':
    case 'updateUser':
      return profileProblem(value);
    case 'searchUser':
    case 'listUsers':
      return listProblem(value);
    case 'deleteUser':
      return value === true ? null : `it returned ${describe(value)} instead of true`;
    case 'validatePassword':
      return typeof value === 'boolean' ? null : `it returned ${describe(value)} instead of true or false`;
  }
}

export function validateResult(script: ScriptName, value: unknown): ValidationResult {
  const problem = problemOf(script, value);
  return problem === null
    ? { ok: true }
    : { ok: false, message: `The ${SCRIPT_DISPLAY_NAMES[script]} script returned an invalid result: ${problem}` };
}
