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

async function login(query, password, context) {
  // The profile fields a result may carry; anything else a record holds (the password hash
  // above all) is left behind.
  const PROFILE_FIELDS = [
    'username', 'email', 'emailVerified', 'phone', 'phoneVerified', 'nickname', 'photo', 'name',
    'givenName', 'familyName', 'middleName', 'preferredUsername', 'profile', 'website', 'gender',
    'birthdate', 'zoneinfo', 'locale', 'address', 'formatted', 'streetAddress', 'locality',
    'region', 'postalCode', 'city', 'province', 'country', 'company', 'blocked', 'loginsCount',
    'lastLogin', 'lastIP', 'signedUp', 'createdAt', 'updatedAt'
  ];

  const lookup = lookupKey(query, ['email', 'username', 'phone']);
  if (!lookup) throw new Error('login needs query.email, query.username or query.phone');
  const user = await usersCollection().findOne({ [lookup.key]: lookup.value });
  // Checked in this order so "blocked" is only ever told to someone who knows the password.
  if (!(await passwordMatches(password, user ? user.password : null))) {
    if (!user) throw new UserNotFoundError('no user with that ' + lookup.key);
    throw new WrongUsernameOrPasswordError('wrong password');
  }
  if (user.blocked) throw new AccountBlockedError('account is blocked');
  return toProfile(user, user._id);

  // The sample collection, in DB_DATABASE, or else the database named in the URI.
  function usersCollection() {
    return global.mongoClient.db(env.DB_DATABASE || undefined).collection('users');
  }

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
