/** The PostgreSQL template: `pg` against the sample `users` table. */
import { SEARCH_FIELDS } from '../../sample-db/schema.js';
import {
  HASH_PASSWORD,
  LOGIN_CHECKS,
  LOOKUP_KEY,
  PAGE_OF,
  PASSWORD_MATCHES,
  WRITABLE_FIELDS_CONSTANT,
  WRITABLE_FIELDS_HELPER,
  script,
  type ScriptName,
} from './compose.js';
import { ESCAPE_LIKE, TO_ROW_ID, WRITABLE_COLUMNS, columnConstants, toProfileHelper, type SqlDialect } from './sql.js';

const DIALECT: SqlDialect = { dateAsText: (column) => `to_char(${column}, 'YYYY-MM-DD')` };

const PRELUDE = String.raw`// One pool for all eight scripts of this connection, made by whichever script loads first.
// It connects with env.DB_CONNECTION_URI, or else the DB_HOST, DB_PORT, DB_USERNAME,
// DB_PASSWORD and DB_DATABASE fields.
if (!global.pgPool) {
  const { Pool } = require('pg');
  // A short connect timeout: a database that is down fails the call with its own error
  // instead of running into the script's time limit.
  const limits = { max: 5, idleTimeoutMillis: 30000, connectionTimeoutMillis: 3000 };
  global.pgPool = env.DB_CONNECTION_URI
    ? new Pool({ connectionString: env.DB_CONNECTION_URI, ...limits })
    : new Pool({
        host: env.DB_HOST,
        port: Number(env.DB_PORT) || 5432,
        user: env.DB_USERNAME,
        password: env.DB_PASSWORD,
        database: env.DB_DATABASE,
        ...limits,
      });
  // An idle connection dropped by the server (a restart) must not end the runtime; the pool
  // opens a new one for the next query.
  global.pgPool.on('error', (error) => console.warn('PostgreSQL pool: ' + error.message));
  // So does a connection dropped while a script holds it (the pool only listens on idle
  // ones): the query in flight fails, and the pool discards the client when released.
  global.pgPool.on('connect', (client) => client.on('error', () => {}));
}`;

const COLUMNS = columnConstants(DIALECT);
const TO_PROFILE = toProfileHelper(DIALECT);

/** SQL text is only ever put together from these constants; every value is a parameter. */
const LOOKUPS = String.raw`// One fixed condition per lookup key.
const WHERE = { id: 'id = $1', email: 'email = $1', username: 'username = $1', phone: 'phone = $1' };`;

const UNIQUE_VIOLATION = `// 23505 is unique_violation: the email, username or phone belongs to someone else.
const UNIQUE_VIOLATION = '23505';`;

const READ_PAGE = String.raw`// Count and page read in one snapshot, so totalCount agrees with the list under concurrent writes.
async function readPage(where, params, paging) {
  const client = await global.pgPool.connect();
  let failed = false;
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const count = await client.query('SELECT count(*) AS total FROM users WHERE ' + where, params);
    const n = params.length;
    const page = await client.query(
      'SELECT ' + PROFILE + ' FROM users WHERE ' + where +
        ' ORDER BY id LIMIT $' + (n + 1) + ' OFFSET $' + (n + 2),
      [...params, paging.limit, paging.offset],
    );
    await client.query('COMMIT');
    return { totalCount: Number(count.rows[0].total), list: page.rows.map(toProfile) };
  } catch (error) {
    failed = true;
    throw error;
  } finally {
    // A client left inside a failed transaction is discarded, not handed to the next caller.
    client.release(failed);
  }
}`;

const SEARCH_CONDITION = `const MATCHES = '${SEARCH_FIELDS.map((field) => `${field} ILIKE $1`).join(' OR ')}';`;

export const POSTGRES_SCRIPTS: Record<ScriptName, string> = {
  login: script('login', {
    prelude: PRELUDE,
    constants: [COLUMNS, LOOKUPS],
    body: String.raw`const lookup = lookupKey(query, ['email', 'username', 'phone']);
if (!lookup) throw new Error('login needs query.email, query.username or query.phone');
const { rows } = await global.pgPool.query(
  'SELECT ' + PROFILE + ', password FROM users WHERE ' + WHERE[lookup.key],
  [lookup.value],
);
const user = rows[0];
${LOGIN_CHECKS}
return toProfile(user);`,
    helpers: [LOOKUP_KEY, PASSWORD_MATCHES, TO_PROFILE],
  }),

  getUser: script('getUser', {
    prelude: PRELUDE,
    constants: [COLUMNS, LOOKUPS],
    body: String.raw`const lookup = lookupKey(query, ['id', 'email', 'username', 'phone']);
if (!lookup) return null;
const value = lookup.key === 'id' ? toRowId(lookup.value) : lookup.value;
if (value === null) return null;
const { rows } = await global.pgPool.query('SELECT ' + PROFILE + ' FROM users WHERE ' + WHERE[lookup.key], [value]);
return rows.length === 0 ? null : toProfile(rows[0]);`,
    helpers: [LOOKUP_KEY, TO_ROW_ID, TO_PROFILE],
  }),

  searchUser: script('searchUser', {
    prelude: PRELUDE,
    constants: [COLUMNS, `// Where the keyword is looked for, case-insensitively.\n${SEARCH_CONDITION}`],
    body: String.raw`const paging = pageOf(context && context.page, context && context.limit);
return readPage(MATCHES, ['%' + escapeLike(keyword == null ? '' : keyword) + '%'], paging);`,
    helpers: [PAGE_OF, ESCAPE_LIKE, READ_PAGE, TO_PROFILE],
  }),

  createUser: script('createUser', {
    prelude: PRELUDE,
    constants: [COLUMNS, WRITABLE_FIELDS_CONSTANT, UNIQUE_VIOLATION],
    body: String.raw`if (!userinfo || !(userinfo.email || userinfo.username || userinfo.phone)) {
  throw new Error('createUser needs an email, username or phone');
}
const { columns, values } = writableColumns(userinfo);
columns.push('password');
values.push(userinfo.password == null ? null : await hashPassword(userinfo.password));
const placeholders = values.map((_value, index) => '$' + (index + 1));
try {
  const { rows } = await global.pgPool.query(
    'INSERT INTO users (' + columns.join(', ') + ') VALUES (' + placeholders.join(', ') + ') RETURNING ' + PROFILE,
    values,
  );
  return toProfile(rows[0]);
} catch (error) {
  if (error.code === UNIQUE_VIOLATION) throw new UserExistsError('a user with that email, username or phone exists');
  throw error;
}`,
    helpers: [WRITABLE_COLUMNS, WRITABLE_FIELDS_HELPER, HASH_PASSWORD, TO_PROFILE],
  }),

  updateUser: script('updateUser', {
    prelude: PRELUDE,
    constants: [COLUMNS, WRITABLE_FIELDS_CONSTANT, UNIQUE_VIOLATION],
    body: String.raw`const rowId = toRowId(id);
if (rowId === null) throw new UserNotFoundError('no user with id ' + id);
const { columns, values } = writableColumns(updates);
if (updates && updates.password !== undefined) {
  columns.push('password');
  values.push(await hashPassword(updates.password));
}
const assignments = columns.map((column, index) => column + ' = $' + (index + 1));
assignments.push('updated_at = now()');
values.push(rowId);
let result;
try {
  result = await global.pgPool.query(
    'UPDATE users SET ' + assignments.join(', ') + ' WHERE id = $' + values.length + ' RETURNING ' + PROFILE,
    values,
  );
} catch (error) {
  if (error.code === UNIQUE_VIOLATION) throw new UserExistsError('a user with that email, username or phone exists');
  throw error;
}
if (result.rowCount === 0) throw new UserNotFoundError('no user with id ' + id);
return toProfile(result.rows[0]);`,
    helpers: [TO_ROW_ID, WRITABLE_COLUMNS, WRITABLE_FIELDS_HELPER, HASH_PASSWORD, TO_PROFILE],
  }),

  deleteUser: script('deleteUser', {
    prelude: PRELUDE,
    body: String.raw`const rowId = toRowId(id);
const result = rowId === null ? null : await global.pgPool.query('DELETE FROM users WHERE id = $1', [rowId]);
if (!result || result.rowCount === 0) throw new UserNotFoundError('no user with id ' + id);
return true;`,
    helpers: [TO_ROW_ID],
  }),

  listUsers: script('listUsers', {
    prelude: PRELUDE,
    constants: [COLUMNS],
    body: String.raw`const paging = pageOf(page == null ? context && context.page : page, limit == null ? context && context.limit : limit);
return readPage('TRUE', [], paging);`,
    helpers: [PAGE_OF, READ_PAGE, TO_PROFILE],
  }),

  validatePassword: script('validatePassword', {
    prelude: PRELUDE,
    body: String.raw`const rowId = toRowId(id);
const { rows } = rowId === null ? { rows: [] } : await global.pgPool.query('SELECT password FROM users WHERE id = $1', [rowId]);
if (rows.length === 0) throw new UserNotFoundError('no user with id ' + id);
return passwordMatches(password, rows[0].password);`,
    helpers: [TO_ROW_ID, PASSWORD_MATCHES],
  }),
};
