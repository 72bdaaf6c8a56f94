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

async function login(query, password, context) {
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

  // One fixed condition per lookup key.
  const WHERE = { id: 'id = ?', email: 'email = ?', username: 'username = ?', phone: 'phone = ?' };

  const lookup = lookupKey(query, ['email', 'username', 'phone']);
  if (!lookup) throw new Error('login needs query.email, query.username or query.phone');
  const [rows] = await global.mysqlPool.query(
    'SELECT ' + PROFILE + ', password FROM users WHERE ' + WHERE[lookup.key],
    [lookup.value],
  );
  const user = rows[0];
  // Checked in this order so "blocked" is only ever told to someone who knows the password.
  if (!(await passwordMatches(password, user ? user.password : null))) {
    if (!user) throw new UserNotFoundError('no user with that ' + lookup.key);
    throw new WrongUsernameOrPasswordError('wrong password');
  }
  if (user.blocked) throw new AccountBlockedError('account is blocked');
  return toProfile(user);

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

  // Without a hash (no such user) a decoy is checked, so that takes as long as a real check.
  async function passwordMatches(candidate, hash) {
    const bcrypt = require('bcryptjs');
    const DECOY_HASH = '$2b$10$PmFcWmGpGtLCdI88lnGeGu85tWcuwIpK54yckIship4TDfvBZJq2G';
    const matches = await bcrypt.compare(String(candidate ?? ''), hash || DECOY_HASH);
    return matches && Boolean(hash);
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
