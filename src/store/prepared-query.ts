/**
 * Queries built and compiled once, then run with new values. Kysely rebuilds a query's
 * tree and compiles it to SQL on every call; on the login path that was 12-16% of the
 * server's busy time (bench/RESULTS.md) for the same few shapes run thousands of times
 * a second. A prepared query is built once with marker values standing for its
 * arguments; each call runs the compiled SQL with the arguments put where the markers
 * went, through the same executor (so logging, the connection mutex and the statement
 * cache all still apply).
 */
import { randomUUID } from 'node:crypto';
import type { Compilable, CompiledQuery, Kysely } from 'kysely';

export type PreparedQuery<Args extends readonly unknown[], Row> = (...args: Args) => Promise<Row[]>;

/** Where a compiled parameter comes from: an argument's position, or a value fixed at build time. */
type ParameterSource = { argument: number } | { fixed: unknown };

/**
 * `build` is called once, with one marker string per argument (`arity` of them) in place of
 * the real values, so it must pass each argument to Kysely as a value (a parameter), never
 * use it to decide the query's shape: a shape that depends on the values needs one
 * prepared query per shape. Throws at once when a marker did not end up as a parameter of
 * its own (inlined into the SQL text, or dropped).
 */
export function prepareQuery<Database, Args extends readonly unknown[], Row>(
  db: Kysely<Database>,
  arity: Args['length'],
  build: (...args: Args) => Compilable<Row>,
): PreparedQuery<Args, Row> {
  const nonce = randomUUID();
  const markers = Array.from({ length: arity }, (_, i) => `\u0000prepared:${nonce}:${i}`);
  const markerIndex = new Map(markers.map((marker, i) => [marker, i]));
  // The markers stand for the arguments only while the query is built; they never reach the database.
  const compiled = build(...(markers as unknown as Args)).compile();
  const sources: ParameterSource[] = compiled.parameters.map((parameter) => {
    const argument = typeof parameter === 'string' ? markerIndex.get(parameter) : undefined;
    return argument === undefined ? { fixed: parameter } : { argument };
  });
  for (const [i, marker] of markers.entries()) {
    if (compiled.sql.includes(marker) || !sources.some((source) => 'argument' in source && source.argument === i)) {
      throw new Error(`prepared query: argument ${i} is not a parameter of ${compiled.sql}`);
    }
  }
  return async (...args) => {
    const parameters = sources.map((source) => ('argument' in source ? args[source.argument] : source.fixed));
    const query: CompiledQuery<Row> = { ...compiled, parameters };
    return (await db.executeQuery(query)).rows;
  };
}

/**
 * Prepared queries of one family by shape (a query whose shape depends on how many values
 * it takes: one per count of keys, say), each prepared the first time its shape is asked for.
 */
export function preparedByShape<Args extends readonly unknown[], Row>(
  prepare: (shape: string) => PreparedQuery<Args, Row>,
): (shape: string) => PreparedQuery<Args, Row> {
  const prepared = new Map<string, PreparedQuery<Args, Row>>();
  return (shape) => {
    const known = prepared.get(shape);
    if (known !== undefined) return known;
    const fresh = prepare(shape);
    prepared.set(shape, fresh);
    return fresh;
  };
}
