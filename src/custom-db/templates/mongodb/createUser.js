// One client (with its connection pool) for all the scripts of this connection, made by
// whichever script loads first. It connects with env.DB_CONNECTION_URI, or else the DB_HOST,
// DB_PORT, DB_USERNAME, DB_PASSWORD and DB_DATABASE fields. It connects on first use.
if (!global.mongoClient) {
  const { MongoClient } = require('mongodb');
  // Short timeouts: a database that is down fails the call with its own error instead of
  // running into the script's time limit.
  const options = { maxPoolSize: 5, serverSelectionTimeoutMS: 3000, connectTimeoutMS: 3000 };
  if (env.DB_CONNECTION_URI) {
    global.mongoClient = new MongoClient(env.DB_CONNECTION_URI, options);
  } else {
    if (env.DB_USERNAME) options.auth = { username: env.DB_USERNAME, password: env.DB_PASSWORD };
    global.mongoClient = new MongoClient('mongodb://' + env.DB_HOST + ':' + (Number(env.DB_PORT) || 27017), options);
  }
}

async function createUser(userinfo, context) {
  // The profile fields a result may carry; anything else a record holds (the password hash
  // above all) is left behind.
  const PROFILE_FIELDS = [
    'username', 'email', 'emailVerified', 'phone', 'phoneVerified', 'nickname', 'photo', 'name',
    'givenName', 'familyName', 'middleName', 'preferredUsername', 'profile', 'website', 'gender',
    'birthdate', 'zoneinfo', 'locale', 'address', 'formatted', 'streetAddress', 'locality',
    'region', 'postalCode', 'city', 'province', 'country', 'company', 'blocked', 'loginsCount',
    'lastLogin', 'lastIP', 'signedUp', 'createdAt', 'updatedAt'
  ];

  // The fields a caller may write; other keys of the input are ignored, so no input key ever
  // becomes a column or field name.
  const WRITABLE_FIELDS = [
    'username', 'email', 'emailVerified', 'phone', 'phoneVerified', 'nickname', 'photo', 'name',
    'givenName', 'familyName', 'middleName', 'preferredUsername', 'profile', 'website', 'gender',
    'birthdate', 'zoneinfo', 'locale', 'address', 'formatted', 'streetAddress', 'locality',
    'region', 'postalCode', 'city', 'province', 'country', 'company', 'blocked', 'loginsCount',
    'lastLogin', 'lastIP', 'signedUp'
  ];

  // The email, username or phone belongs to someone else (a unique index said no).
  const DUPLICATE_KEY = 11000;

  if (!userinfo || !(userinfo.email || userinfo.username || userinfo.phone)) {
    throw new Error('createUser needs an email, username or phone');
  }
  const now = new Date();
  const user = {
    emailVerified: false,
    phoneVerified: false,
    blocked: false,
    loginsCount: 0,
    signedUp: now,
    ...writableFields(userinfo),
    password: userinfo.password == null ? null : await hashPassword(userinfo.password),
    createdAt: now,
    updatedAt: now,
  };
  try {
    const { insertedId } = await usersCollection().insertOne(user);
    return toProfile(user, insertedId);
  } catch (error) {
    if (error.code === DUPLICATE_KEY) throw new UserExistsError('a user with that email, username or phone exists');
    throw error;
  }

  // The sample collection, in DB_DATABASE, or else the database named in the URI.
  function usersCollection() {
    return global.mongoClient.db(env.DB_DATABASE || undefined).collection('users');
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

  // A record as the profile: only profile fields, the id as text, timestamps as ISO 8601 text.
  function toProfile(record, id) {
    const profile = { id: String(id) };
    for (const field of PROFILE_FIELDS) {
      const value = record[field];
      profile[field] = value === undefined ? null : value instanceof Date ? value.toISOString() : value;
    }
    return profile;
  }
}
