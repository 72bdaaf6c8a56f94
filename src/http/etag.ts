/**
 * The custom database connection's ETag and the If-Match that guards its saves. The tag is
 * the connection's revision in the store (not anything held in memory), so every instance
 * answers the same tag and refuses the same stale save.
 */
export const etagOf = (revision: number): string => `"${revision}"`;

/**
 * What an If-Match header asks for: `any` (no header, or `*`: a connection always has a
 * current representation), the revisions it names, or `unmatchable` for anything that is
 * not a list of strong tags this server answered (garbage, weak tags: If-Match compares
 * strongly), which no save can satisfy.
 */
export function parseIfMatch(header: string | undefined): 'any' | 'unmatchable' | number[] {
  if (header === undefined || header.trim() === '*') return 'any';
  const revisions: number[] = [];
  for (const part of header.split(',')) {
    const match = /^"(\d{1,15})"$/.exec(part.trim());
    if (match?.[1] === undefined) return 'unmatchable';
    revisions.push(Number(match[1]));
  }
  return revisions;
}
