// One pool for all the scripts of this connection, made by whichever script loads first.
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
}

async function validatePassword(id, password, context) {
  const rowId = toRowId(id);
  const [rows] = rowId === null ? [[]] : await global.mysqlPool.query('SELECT password FROM users WHERE id = ?', [rowId]);
  if (rows.length === 0) throw new UserNotFoundError('no user with id ' + id);
  return passwordMatches(password, rows[0].password);

  function toRowId(id) {
    const text = String(id);
    return /^[1-9][0-9]{0,17}$/.test(text) ? text : null;
  }

  // Without a hash (no such user) a decoy is checked, so that takes as long as a real check.
  async function passwordMatches(candidate, hash) {
    const bcrypt = require('bcryptjs');
    const DECOY_HASH = '$2b$10$PmFcWmGpGtLCdI88lnGeGu85tWcuwIpK54yckIship4TDfvBZJq2G';
    const matches = await bcrypt.compare(String(candidate ?? ''), hash || DECOY_HASH);
    return matches && Boolean(hash);
  }
}
