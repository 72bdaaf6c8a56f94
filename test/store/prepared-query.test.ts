import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/store/database.js';
import { poolsRepository } from '../../src/store/pools.js';
import { prepareQuery, preparedByShape } from '../../src/store/prepared-query.js';
import { describeEachDialect } from '../support/dialects.js';
import { createPostgresDatabase, type TestDatabase } from '../support/databases.js';

/** Queries built once and run with new values: each call sees its own arguments, fixed values stay fixed. */
describeEachDialect('prepared queries', (dialect) => {
  let store: Store;
  let dataDir: string;
  let database: TestDatabase | undefined;
  let poolId: string;
  const statements: string[] = [];

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'gatehouse-prepared-'));
    if (dialect === 'postgres') database = await createPostgresDatabase();
    store = await openStore({ databaseUrl: database?.url, dataDir }, { onQuery: (sqlText) => statements.push(sqlText) });
    poolId = (await poolsRepository(store.db).create({ name: 'prepared', metadata: {} })).id;
    await store.db
      .insertInto('login_attempts')
      .values(['a', 'b', 'c'].map((key, i) => ({ pool_id: poolId, key, window_start: 1000 * (i + 1), attempts: i })))
      .execute();
  });
  afterAll(async () => {
    await store.close();
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs the query compiled once with each call\'s arguments, wherever they appear, and its fixed values', async () => {
    const db = store.db;
    const find = prepareQuery(db, 2, (pool: string, key: string) =>
      db
        .selectFrom('login_attempts')
        .select(['key', 'attempts'])
        .where('pool_id', '=', pool)
        // the fixed 0 stays a parameter of its own; `key` is used twice
        .where((eb) => eb.or([eb('key', '=', key), eb.and([eb('attempts', '>', 0), eb('key', '=', key)])])),
    );
    statements.length = 0;
    expect(await find(poolId, 'b')).toEqual([{ key: 'b', attempts: 1 }]);
    expect(await find(poolId, 'c')).toEqual([{ key: 'c', attempts: 2 }]);
    expect(await find('another pool', 'c')).toEqual([]);
    expect(new Set(statements).size).toBe(1);
  });

  it('refuses, when prepared, an argument that is not passed as a value', () => {
    const db = store.db;
    expect(() => prepareQuery(db, 1, (key: string) => db.selectFrom('login_attempts').selectAll().where('key', '=', sql.lit(key)))).toThrow(/argument 0/);
    // passed as a value once, but also written into the SQL text, where a new value would never reach
    expect(() =>
      prepareQuery(db, 1, (key: string) => db.selectFrom('login_attempts').selectAll().where('key', '=', key).where('pool_id', '=', sql.lit(key))),
    ).toThrow(/argument 0/);
    expect(() => prepareQuery(db, 2, (key: string, _unused: string) => db.selectFrom('login_attempts').selectAll().where('key', '=', key))).toThrow(/argument 1/);
  });

  it('prepares each shape of a family once', () => {
    let built = 0;
    const byShape = preparedByShape((shape) => {
      built++;
      return prepareQuery(store.db, 1, (key: string) => store.db.selectFrom('login_attempts').selectAll().where('key', '=', key).limit(Number(shape)));
    });
    expect(byShape('1')).toBe(byShape('1'));
    expect(byShape('2')).not.toBe(byShape('1'));
    expect(built).toBe(2);
  });
});
