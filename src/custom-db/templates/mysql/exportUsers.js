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

async function exportUsers(cursor, limit, context) {
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
  // Every profile column. The hash (`password`) is read too: this is the one script that
  // hands it over, so the users it exports keep their passwords in Gatehouse.
  const PROFILE = [
    'id', 'username', 'email', 'email_verified', 'phone', 'phone_verified', 'nickname', 'photo',
    'name', 'given_name', 'family_name', 'middle_name', 'preferred_username', 'profile',
    'website', 'gender', "DATE_FORMAT(birthdate, '%Y-%m-%d') AS birthdate", 'zoneinfo', 'locale',
    'address', 'formatted', 'street_address', 'locality', 'region', 'postal_code', 'city',
    'province', 'country', 'company', 'blocked', 'logins_count', 'last_login', 'last_ip',
    'signed_up', 'created_at', 'updated_at'
  ].join(', ');

  // Keyset paging: the rows after the last id of the previous page, never OFFSET, so users
  // added or deleted during the export shift nothing (none is skipped, none repeated).
  const after = cursor == null ? '0' : String(cursor);
  if (!/^[0-9]{1,20}$/.test(after)) throw new Error('exportUsers: the cursor must be the id of the last user exported');
  const size = Math.min(1000, Math.max(1, Math.floor(Number(limit)) || 100));

  const [rows] = await global.mysqlPool.query(
    'SELECT ' + PROFILE + ', password FROM users WHERE id > ? ORDER BY id LIMIT ?',
    [after, size],
  );
  const list = rows.map(toExported);
  const last = rows[rows.length - 1];
  // A full page may have more after it; a short one is the end.
  const nextCursor = rows.length === size ? String(last.id) : null;
  // Counted once, on the first page, for the import's progress and ETA.
  if (cursor != null) return { list, nextCursor };
  const [counted] = await global.mysqlPool.query('SELECT COUNT(*) AS total FROM users');
  return { list, nextCursor, totalCount: Number(counted[0].total) };

  // A row as the profile (camelCase names, string id, timestamps as ISO 8601 text) with its
  // password hash as Gatehouse's `passwordHash`; the sample stores bcrypt hashes.
  function toExported(row) {
    const profile = { id: String(row.id) };
    for (const [field, column] of Object.entries(COLUMNS)) {
      const value = row[column];
      profile[field] = value instanceof Date ? value.toISOString() : value;
    }
    // MySQL's BOOLEAN is TINYINT(1): 0 or 1 on the wire.
    for (const field of ['emailVerified', 'phoneVerified', 'blocked']) profile[field] = profile[field] === 1;
    const hash = passwordHashOf(row.password);
    if (hash) profile.passwordHash = hash;
    return profile;
  }

  // The algorithm told by the hash's own prefix; a hash of any other kind (or none) is left
  // out, so that user is imported without a password and sets one by a reset, or keeps
  // signing in through the login script while the connection is on.
  function passwordHashOf(stored) {
    if (typeof stored !== 'string') return null;
    if (/^\$2[aby]\$\d\d\$/.test(stored)) return { algorithm: 'bcrypt', hash: stored };
    if (/^\$argon2(id|i|d)\$/.test(stored)) return { algorithm: 'argon2', hash: stored };
    return null;
  }
}
