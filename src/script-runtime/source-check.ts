/**
 * Static check used when an administrator saves a script, so mistakes show in the editor
 * instead of at the first login. It parses the source as the runtime will run it (a
 * classic script body inside an async function, so top-level `await` is accepted) and
 * confirms a top-level `function`/`async function` named after the script.
 */
import { parse, type Position } from 'acorn';
import { SCRIPT_DISPLAY_NAMES, type ScriptName } from './types.js';

/** `line` and `column` are 1-based, as editors show them. */
export type SourceCheckResult = { ok: true } | { ok: false; message: string; line: number; column: number };

function isPosition(value: unknown): value is Position {
  return typeof value === 'object' && value !== null && typeof (value as Position).line === 'number';
}

export function checkScriptSource(script: ScriptName, source: string): SourceCheckResult {
  let program;
  try {
    program = parse(source, {
      ecmaVersion: 'latest',
      sourceType: 'script',
      allowAwaitOutsideFunction: true,
      allowHashBang: false,
      locations: true,
    });
  } catch (error) {
    const loc: unknown = typeof error === 'object' && error !== null ? (error as { loc?: unknown }).loc : undefined;
    const raw = error instanceof Error ? error.message : String(error);
    const message = raw.replace(/\s*\(\d+:\d+\)$/, '');
    return isPosition(loc)
      ? { ok: false, message: `${message} (line ${loc.line}, column ${loc.column + 1})`, line: loc.line, column: loc.column + 1 }
      : { ok: false, message, line: 1, column: 1 };
  }
  for (const statement of program.body) {
    if (statement.type !== 'FunctionDeclaration' || statement.id.name !== script) continue;
    if (statement.generator) {
      const start = statement.loc?.start;
      return {
        ok: false,
        message: `\`${script}\` must be a function or an async function, not a generator`,
        line: start?.line ?? 1,
        column: (start?.column ?? 0) + 1,
      };
    }
    return { ok: true };
  }
  return {
    ok: false,
    message: `The ${SCRIPT_DISPLAY_NAMES[script]} script must declare a top-level \`async function ${script}(…)\``,
    line: 1,
    column: 1,
  };
}
