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
    'website', 'gender', "to_char(birthdate, 'YYYY-MM-DD') AS birthdate", 'zoneinfo', 'locale',
    'address', 'formatted', 'street_address', 'locality', 'region', 'postal_code', 'city',
    'province', 'country', 'company', 'blocked', 'logins_count', 'last_login', 'last_ip',
    'signed_up', 'created_at', 'updated_at'
  ].join(', ');

  // Keyset paging: the rows after the last id of the previous page, never OFFSET, so users
  // added or deleted during the export shift nothing (none is skipped, none repeated).
  const after = cursor == null ? '0' : String(cursor);
  if (!/^[0-9]{1,19}$/.test(after)) throw new Error('exportUsers: the cursor must be the id of the last user exported');
  const size = Math.min(1000, Math.max(1, Math.floor(Number(limit)) || 100));

  const { rows } = await global.pgPool.query(
    'SELECT ' + PROFILE + ', password FROM users WHERE id > $1 ORDER BY id LIMIT $2',
    [after, size],
  );
  const list = rows.map(toExported);
  const last = rows[rows.length - 1];
  // A full page may have more after it; a short one is the end.
  const nextCursor = rows.length === size ? String(last.id) : null;
  // Counted once, on the first page, for the import's progress and ETA.
  if (cursor != null) return { list, nextCursor };
  const counted = await global.pgPool.query('SELECT count(*) AS total FROM users');
  return { list, nextCursor, totalCount: Number(counted.rows[0].total) };

  // A row as the profile (camelCase names, string id, timestamps as ISO 8601 text) with its
  // password hash as Gatehouse's `passwordHash`; the sample stores bcrypt hashes.
  function toExported(row) {
    const profile = { id: String(row.id) };
    for (const [field, column] of Object.entries(COLUMNS)) {
      const value = row[column];
      profile[field] = value instanceof Date ? value.toISOString() : value;
    }
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
