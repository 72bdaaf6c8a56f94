/**
 * Static check of a script's source, used when an administrator saves it (server) and
 * while they type it (console editor), so mistakes show before the first login. It
 * parses the source as the runtime will run it (a classic script body inside an async
 * function, so top-level `await` is accepted) and confirms a top-level
 * `function`/`async function` named after the entry. Pure: runs in Node and browsers.
 */
import { parse } from 'acorn';

/**
 * `line` and `column` are 1-based, as editors show them; `from`/`to` are the source
 * offsets of the span to mark. `message` does not repeat the position.
 */
export type SourceCheckResult =
  | { ok: true }
  | { ok: false; message: string; line: number; column: number; from: number; to: number };

interface AcornError {
  message?: string;
  pos?: number;
  loc?: { line: number; column: number };
}

/** `label` names the entry in messages (`The Get user script`); default `The <entry> entry`. */
export function checkEntrySource(entry: string, source: string, label = `The ${entry} entry`): SourceCheckResult {
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
    const { message = String(error), pos = 0, loc } = (error ?? {}) as AcornError;
    const from = Math.min(pos, source.length);
    return {
      ok: false,
      message: message.replace(/\s*\(\d+:\d+\)$/, ''),
      line: loc?.line ?? 1,
      column: (loc?.column ?? 0) + 1,
      from,
      to: Math.min(from + 1, source.length),
    };
  }
  for (const statement of program.body) {
    if (statement.type !== 'FunctionDeclaration' || statement.id.name !== entry) continue;
    if (!statement.generator) return { ok: true };
    return {
      ok: false,
      message: `\`${entry}\` must be a function or an async function, not a generator`,
      line: statement.loc?.start.line ?? 1,
      column: (statement.loc?.start.column ?? 0) + 1,
      from: statement.start,
      to: statement.end,
    };
  }
  const firstLineEnd = source.indexOf('\n');
  return {
    ok: false,
    message: `${label} must declare a top-level \`async function ${entry}(…)\``,
    line: 1,
    column: 1,
    from: 0,
    to: firstLineEnd === -1 ? source.length : firstLineEnd,
  };
}
