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

async function exportUsers(cursor, limit, context) {
  // The profile fields a result may carry; anything else a record holds is left behind. The
  // hash (`password`) goes separately, as `passwordHash`: this is the one script that hands
  // it over, so the users it exports keep their passwords in Gatehouse.
  const PROFILE_FIELDS = [
    'username', 'email', 'emailVerified', 'phone', 'phoneVerified', 'nickname', 'photo', 'name',
    'givenName', 'familyName', 'middleName', 'preferredUsername', 'profile', 'website', 'gender',
    'birthdate', 'zoneinfo', 'locale', 'address', 'formatted', 'streetAddress', 'locality',
    'region', 'postalCode', 'city', 'province', 'country', 'company', 'blocked', 'loginsCount',
    'lastLogin', 'lastIP', 'signedUp', 'createdAt', 'updatedAt'
  ];

  // Keyset paging: the documents after the last _id of the previous page, never skip, so
  // users added or deleted during the export shift nothing (none is skipped, none repeated).
  const { ObjectId } = require('mongodb');
  if (cursor != null && !/^[0-9a-f]{24}$/i.test(String(cursor))) {
    throw new Error('exportUsers: the cursor must be the id of the last user exported');
  }
  const filter = cursor == null ? {} : { _id: { $gt: new ObjectId(String(cursor)) } };
  const size = Math.min(1000, Math.max(1, Math.floor(Number(limit)) || 100));

  const users = usersCollection();
  const documents = await users.find(filter, { sort: { _id: 1 }, limit: size }).toArray();
  const list = documents.map(toExported);
  const last = documents[documents.length - 1];
  // A full page may have more after it; a short one is the end.
  const nextCursor = documents.length === size ? last._id.toHexString() : null;
  // Counted once, on the first page, for the import's progress and ETA.
  if (cursor != null) return { list, nextCursor };
  return { list, nextCursor, totalCount: await users.countDocuments({}) };

  // The sample collection, in DB_DATABASE, or else the database named in the URI.
  function usersCollection() {
    return global.mongoClient.db(env.DB_DATABASE || undefined).collection('users');
  }

  // A record as the profile (only profile fields, the id as text, timestamps as ISO 8601
  // text) with its password hash as Gatehouse's `passwordHash`; the sample stores bcrypt.
  function toExported(record) {
    const profile = { id: String(record._id) };
    for (const field of PROFILE_FIELDS) {
      const value = record[field];
      profile[field] = value === undefined ? null : value instanceof Date ? value.toISOString() : value;
    }
    const hash = passwordHashOf(record.password);
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
