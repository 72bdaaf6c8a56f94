/**
 * The console's API types are generated from the server's OpenAPI document and committed;
 * this fails when a route or schema changed without regenerating them.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GENERATE_COMMAND, GENERATED_TYPES_PATH, generateApiTypes } from '../../tools/generate-console-api-types.js';

/** Where the two texts part, so the failure says what changed without a 1,400-line diff. */
function staleMessage(committed: string, expected: string): string {
  const had = committed.split('\n');
  const wants = expected.split('\n');
  let line = 0;
  while (line < Math.max(had.length, wants.length) && had[line] === wants[line]) line++;
  return (
    `src/console/api/schema.gen.ts is stale: the server's OpenAPI document changed. ` +
    `Run \`${GENERATE_COMMAND}\` and commit the result. First difference at line ${String(line + 1)}: ` +
    `committed ${JSON.stringify(had[line] ?? '<end of file>')}, generated ${JSON.stringify(wants[line] ?? '<end of file>')}`
  );
}

describe('console API types', () => {
  it('match what the generator makes from the current OpenAPI document', async () => {
    const expected = await generateApiTypes();
    const committed = readFileSync(GENERATED_TYPES_PATH, 'utf8');
    expect(committed === expected, staleMessage(committed, expected)).toBe(true);
  });
});
