/** The MySQL / MariaDB template: `mysql2/promise` against the sample `users` table. */
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

const DIALECT: SqlDialect = {
  dateAsText: (column) => `DATE_FORMAT(${column}, '%Y-%m-%d')`,
  profileFixups: String.raw`// MySQL's BOOLEAN is TINYINT(1): 0 or 1 on the wire.
for (const field of ['emailVerified', 'phoneVerified', 'blocked']) profile[field] = profile[field] === 1;`,
};

const PRELUDE = String.raw`// One pool for all eight scripts of this connection, made by whichever script loads first.
// It connects with env.DB_CONNECTION_URI, or else the DB_HOST, DB_PORT, DB_USERNAME,
// DB_PASSWORD and DB_DATABASE fields.
if (!global.mysqlPool) {
  const mysql = require('mysql2/promise');
  const options = {
    connectionLimit: 5,
    // A database that is down fails the call with its own error, not the script's time limit.
    connectTimeout: 3000,
    // DATETIME columns hold UTC; read and write them as UTC whatever the server's time zone.
    timezone: 'Z',
    // BIGINT ids as exact strings.
    supportBigNumbers: true,
    bigNumberStrings: true,
  };
  global.mysqlPool = env.DB_CONNECTION_URI
    ? mysql.createPool({ uri: env.DB_CONNECTION_URI, ...options })
    : mysql.createPool({
        host: env.DB_HOST,
        port: Number(env.DB_PORT) || 3306,
        user: env.DB_USERNAME,
        password: env.DB_PASSWORD,
        database: env.DB_DATABASE,
        ...options,
      });
}`;

const COLUMNS = columnConstants(DIALECT);
const TO_PROFILE = toProfileHelper(DIALECT);

/**
 * SQL text is only ever put together from constants; values go in as `?` placeholders, which
 * mysql2's query() fills with escaped values (execute() would prepare on the server, but
 * rejects numeric LIMIT parameters on MySQL 8).
 */
const LOOKUPS = String.raw`// One fixed condition per lookup key.
const WHERE = { id: 'id = ?', email: 'email = ?', username: 'username = ?', phone: 'phone = ?' };`;

const DUPLICATE_ENTRY = `// The email, username or phone belongs to someone else.
const DUPLICATE_ENTRY = 'ER_DUP_ENTRY';`;

const SELECT_BY_ID = String.raw`async function selectById(rowId) {
  const [rows] = await global.mysqlPool.query('SELECT ' + PROFILE + ' FROM users WHERE id = ?', [rowId]);
  return rows.length === 0 ? null : toProfile(rows[0]);
}`;

const READ_PAGE = String.raw`// Count and page read in one snapshot, so totalCount agrees with the list under concurrent writes.
async function readPage(where, params, paging) {
  const connection = await global.mysqlPool.getConnection();
  let failed = false;
  try {
    await connection.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ');
    await connection.query('START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY');
    const [count] = await connection.query('SELECT COUNT(*) AS total FROM users WHERE ' + where, params);
    const [rows] = await connection.query(
      'SELECT ' + PROFILE + ' FROM users WHERE ' + where + ' ORDER BY id LIMIT ? OFFSET ?',
      [...params, paging.limit, paging.offset],
    );
    await connection.query('COMMIT');
    return { totalCount: Number(count[0].total), list: rows.map(toProfile) };
  } catch (error) {
    failed = true;
    throw error;
  } finally {
    // A connection left inside a failed transaction is closed, not handed to the next caller.
    if (failed) connection.destroy();
    else connection.release();
  }
}`;

const SEARCH_CONDITION = `// Where the keyword is looked for; the table's _ci collation makes LIKE case-insensitive.
const SEARCHED = [${SEARCH_FIELDS.map((field) => `'${field}'`).join(', ')}];
const MATCHES = SEARCHED.map((column) => column + ' LIKE ?').join(' OR ');`;

export const MYSQL_SCRIPTS: Record<ScriptName, string> = {
  login: script('login', {
    prelude: PRELUDE,
    constants: [COLUMNS, LOOKUPS],
    body: String.raw`const lookup = lookupKey(query, ['email', 'username', 'phone']);
if (!lookup) throw new Error('login needs query.email, query.username or query.phone');
const [rows] = await global.mysqlPool.query(
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
const [rows] = await global.mysqlPool.query('SELECT ' + PROFILE + ' FROM users WHERE ' + WHERE[lookup.key], [value]);
return rows.length === 0 ? null : toProfile(rows[0]);`,
    helpers: [LOOKUP_KEY, TO_ROW_ID, TO_PROFILE],
  }),

  searchUser: script('searchUser', {
    prelude: PRELUDE,
    constants: [COLUMNS, SEARCH_CONDITION],
    body: String.raw`const paging = pageOf(context && context.page, context && context.limit);
const pattern = '%' + escapeLike(keyword == null ? '' : keyword) + '%';
return readPage(MATCHES, SEARCHED.map(() => pattern), paging);`,
    helpers: [PAGE_OF, ESCAPE_LIKE, READ_PAGE, TO_PROFILE],
  }),

  createUser: script('createUser', {
    prelude: PRELUDE,
    constants: [COLUMNS, WRITABLE_FIELDS_CONSTANT, DUPLICATE_ENTRY],
    body: String.raw`if (!userinfo || !(userinfo.email || userinfo.username || userinfo.phone)) {
  throw new Error('createUser needs an email, username or phone');
}
const { columns, values } = writableColumns(userinfo);
columns.push('password');
values.push(userinfo.password == null ? null : await hashPassword(userinfo.password));
// Timestamps come from here, in UTC: CURRENT_TIMESTAMP would follow the session's time zone.
const now = new Date();
if (!columns.includes('signed_up')) {
  columns.push('signed_up');
  values.push(now);
}
columns.push('created_at', 'updated_at');
values.push(now, now);
let result;
try {
  [result] = await global.mysqlPool.query(
    'INSERT INTO users (' + columns.join(', ') + ') VALUES (' + columns.map(() => '?').join(', ') + ')',
    values,
  );
} catch (error) {
  if (error.code === DUPLICATE_ENTRY) throw new UserExistsError('a user with that email, username or phone exists');
  throw error;
}
return selectById(result.insertId);`,
    helpers: [WRITABLE_COLUMNS, WRITABLE_FIELDS_HELPER, HASH_PASSWORD, SELECT_BY_ID, TO_PROFILE],
  }),

  updateUser: script('updateUser', {
    prelude: PRELUDE,
    constants: [COLUMNS, WRITABLE_FIELDS_CONSTANT, DUPLICATE_ENTRY],
    body: String.raw`const rowId = toRowId(id);
if (rowId === null) throw new UserNotFoundError('no user with id ' + id);
const { columns, values } = writableColumns(updates);
if (updates && updates.password !== undefined) {
  columns.push('password');
  values.push(await hashPassword(updates.password));
}
columns.push('updated_at');
values.push(new Date());
let result;
try {
  [result] = await global.mysqlPool.query(
    'UPDATE users SET ' + columns.map((column) => column + ' = ?').join(', ') + ' WHERE id = ?',
    [...values, rowId],
  );
} catch (error) {
  if (error.code === DUPLICATE_ENTRY) throw new UserExistsError('a user with that email, username or phone exists');
  throw error;
}
// affectedRows counts matched rows: updated_at always changes, and mysql2 asks for FOUND_ROWS.
const user = result.affectedRows === 0 ? null : await selectById(rowId);
if (!user) throw new UserNotFoundError('no user with id ' + id);
return user;`,
    helpers: [TO_ROW_ID, WRITABLE_COLUMNS, WRITABLE_FIELDS_HELPER, HASH_PASSWORD, SELECT_BY_ID, TO_PROFILE],
  }),

  deleteUser: script('deleteUser', {
    prelude: PRELUDE,
    body: String.raw`const rowId = toRowId(id);
const [result] = rowId === null ? [null] : await global.mysqlPool.query('DELETE FROM users WHERE id = ?', [rowId]);
if (!result || result.affectedRows === 0) throw new UserNotFoundError('no user with id ' + id);
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
const [rows] = rowId === null ? [[]] : await global.mysqlPool.query('SELECT password FROM users WHERE id = ?', [rowId]);
if (rows.length === 0) throw new UserNotFoundError('no user with id ' + id);
return passwordMatches(password, rows[0].password);`,
    helpers: [TO_ROW_ID, PASSWORD_MATCHES],
  }),
};
