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
      // Stryker disable next-line StringLiteral: acorn parses any sourceType other than 'module' as a script; spelt out for the reader
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
      // Stryker disable next-line Regex: acorn ends every message with exactly one space and "(line:column)", and writes that shape nowhere else in it; the mutants differ only on other text
      message: message.replace(/\s*\(\d+:\d+\)$/, ''),
      // Stryker disable next-line OptionalChaining: acorn's errors always carry loc (its raise() sets it, stack overflows included); the fallback is for any other error
      line: loc?.line ?? 1,
      // Stryker disable next-line OptionalChaining: as above
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
      // Stryker disable next-line OptionalChaining: parse runs with `locations: true`, so every node has loc (the type has it optional)
      line: statement.loc?.start.line ?? 1,
      // Stryker disable next-line OptionalChaining: as above
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
