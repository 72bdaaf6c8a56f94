// One pool for all the scripts of this connection, made by whichever script loads first.
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
}

async function deleteUser(id, context) {
  const rowId = toRowId(id);
  const result = rowId === null ? null : await global.pgPool.query('DELETE FROM users WHERE id = $1', [rowId]);
  if (!result || result.rowCount === 0) throw new UserNotFoundError('no user with id ' + id);
  return true;

  function toRowId(id) {
    const text = String(id);
    return /^[1-9][0-9]{0,17}$/.test(text) ? text : null;
  }
}
