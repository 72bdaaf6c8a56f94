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

async function searchUser(keyword, context) {
  // Profile field → column of the sample `users` table.
  const COLUMNS = {
    username: 'username', email: 'email', emailVerified: 'email_verified', phone: 'phone',
    phoneVerified: 'phone_verified', nickname: 'nickname', photo: 'photo', name: 'name',
    givenName: 'given_name', familyName: 'family_name', middleName: 'middle_name',
    preferredUsername: 'preferred_username', profile: 'profile', website: 'website',
    gender: 'gender', birthdate: 'birthdate', zoneinfo: 'zoneinfo', locale: 'locale',
    address: 'address', formatted: 'formatted', streetAddress: 'street_address',
    locality: 'locality', region: 'region', postalCode: 'postal_code', city: 'city',
    province: 'province', country: 'country', company: 'company', blocked: 'blocked',
    loginsCount: 'logins_count', lastLogin: 'last_login', lastIP: 'last_ip',
    signedUp: 'signed_up', createdAt: 'created_at', updatedAt: 'updated_at'
  };
  // Every profile column and never `password`: the hash does not leave the database.
  const PROFILE = [
    'id', 'username', 'email', 'email_verified', 'phone', 'phone_verified', 'nickname', 'photo',
    'name', 'given_name', 'family_name', 'middle_name', 'preferred_username', 'profile',
    'website', 'gender', "DATE_FORMAT(birthdate, '%Y-%m-%d') AS birthdate", 'zoneinfo', 'locale',
    'address', 'formatted', 'street_address', 'locality', 'region', 'postal_code', 'city',
    'province', 'country', 'company', 'blocked', 'logins_count', 'last_login', 'last_ip',
    'signed_up', 'created_at', 'updated_at'
  ].join(', ');

  // Where the keyword is looked for; the table's _ci collation makes LIKE case-insensitive.
  const SEARCHED = ['username', 'email', 'phone', 'name', 'nickname'];
  const MATCHES = SEARCHED.map((column) => column + ' LIKE ?').join(' OR ');

  const paging = pageOf(context && context.page, context && context.limit);
  const pattern = '%' + escapeLike(keyword == null ? '' : keyword) + '%';
  return readPage(MATCHES, SEARCHED.map(() => pattern), paging);

  // 1-based page; 10 a page unless asked, never more than 100.
  function pageOf(page, limit) {
    const number = Math.max(1, Math.floor(Number(page)) || 1);
    const size = Math.min(100, Math.max(1, Math.floor(Number(limit)) || 10));
    return { page: number, limit: size, offset: (number - 1) * size };
  }

  // The keyword matches literally: LIKE's own wildcards (and its escape, \) are escaped.
  function escapeLike(text) {
    return String(text).replace(/[\\%_]/g, (character) => '\\' + character);
  }

  // Count and page read in one snapshot, so totalCount agrees with the list under concurrent writes.
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
  }

  // A row as the profile: camelCase names, string id, timestamps as ISO 8601 text.
  function toProfile(row) {
    const profile = { id: String(row.id) };
    for (const [field, column] of Object.entries(COLUMNS)) {
      const value = row[column];
      profile[field] = value instanceof Date ? value.toISOString() : value;
    }
    // MySQL's BOOLEAN is TINYINT(1): 0 or 1 on the wire.
    for (const field of ['emailVerified', 'phoneVerified', 'blocked']) profile[field] = profile[field] === 1;
    return profile;
  }
}
