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

async function updateUser(id, updates, context) {
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

  // The fields a caller may write; other keys of the input are ignored, so no input key ever
  // becomes a column or field name.
  const WRITABLE_FIELDS = [
    'username', 'email', 'emailVerified', 'phone', 'phoneVerified', 'nickname', 'photo', 'name',
    'givenName', 'familyName', 'middleName', 'preferredUsername', 'profile', 'website', 'gender',
    'birthdate', 'zoneinfo', 'locale', 'address', 'formatted', 'streetAddress', 'locality',
    'region', 'postalCode', 'city', 'province', 'country', 'company', 'blocked', 'loginsCount',
    'lastLogin', 'lastIP', 'signedUp'
  ];

  // 23505 is unique_violation: the email, username or phone belongs to someone else.
  const UNIQUE_VIOLATION = '23505';

  const rowId = toRowId(id);
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
  return toProfile(result.rows[0]);

  function toRowId(id) {
    const text = String(id);
    return /^[1-9][0-9]{0,17}$/.test(text) ? text : null;
  }

  // The whitelisted fields of input, as parallel lists of columns and values.
  function writableColumns(input) {
    const fields = writableFields(input);
    return { columns: Object.keys(fields).map((field) => COLUMNS[field]), values: Object.values(fields) };
  }

  // The whitelisted fields present in input; emails lower-case, timestamps as Date.
  function writableFields(input) {
    const TIMESTAMPS = ['lastLogin', 'signedUp', 'createdAt', 'updatedAt'];
    const fields = {};
    for (const field of WRITABLE_FIELDS) {
      if (input == null || input[field] === undefined) continue;
      let value = input[field];
      if (field === 'email' && typeof value === 'string') value = value.toLowerCase();
      if (TIMESTAMPS.includes(field) && value !== null) {
        value = new Date(value);
        if (Number.isNaN(value.getTime())) throw new Error(field + ' is not a date');
      }
      fields[field] = value;
    }
    return fields;
  }

  // A stored password is a bcrypt hash, never the text.
  function hashPassword(password) {
    if (typeof password !== 'string' || password === '') throw new Error('password must be a non-empty string');
    return require('bcryptjs').hash(password, 10);
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
