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

async function getUser(query, context) {
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
    'website', 'gender', "to_char(birthdate, 'YYYY-MM-DD') AS birthdate", 'zoneinfo', 'locale',
    'address', 'formatted', 'street_address', 'locality', 'region', 'postal_code', 'city',
    'province', 'country', 'company', 'blocked', 'logins_count', 'last_login', 'last_ip',
    'signed_up', 'created_at', 'updated_at'
  ].join(', ');

  // One fixed condition per lookup key.
  const WHERE = { id: 'id = $1', email: 'email = $1', username: 'username = $1', phone: 'phone = $1' };

  const lookup = lookupKey(query, ['id', 'email', 'username', 'phone']);
  if (!lookup) return null;
  const value = lookup.key === 'id' ? toRowId(lookup.value) : lookup.value;
  if (value === null) return null;
  const { rows } = await global.pgPool.query('SELECT ' + PROFILE + ' FROM users WHERE ' + WHERE[lookup.key], [value]);
  return rows.length === 0 ? null : toProfile(rows[0]);

  // The lookup key the caller gave, the first of keys present; emails are stored lower-case.
  // Values become strings, so an object such as { $ne: null } can never act as a query operator.
  function lookupKey(input, keys) {
    for (const key of keys) {
      const value = input == null ? undefined : input[key];
      if (value !== undefined && value !== null && value !== '') {
        return { key, value: key === 'email' ? String(value).toLowerCase() : String(value) };
      }
    }
    return null;
  }

  function toRowId(id) {
    const text = String(id);
    return /^[1-9][0-9]{0,17}$/.test(text) ? text : null;
  }

  // A row as the profile: camelCase names, string id, timestamps as ISO 8601 text.
  function toProfile(row) {
    const profile = { id: String(row.id) };
    for (const [field, column] of Object.entries(COLUMNS)) {
      const value = row[column];
      profile[field] = value instanceof Date ? value.toISOString() : value;
    }
    return profile;
  }
}
