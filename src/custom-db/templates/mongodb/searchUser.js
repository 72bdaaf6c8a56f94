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

async function searchUser(keyword, context) {
  // The profile fields a result may carry; anything else a record holds (the password hash
  // above all) is left behind.
  const PROFILE_FIELDS = [
    'username', 'email', 'emailVerified', 'phone', 'phoneVerified', 'nickname', 'photo', 'name',
    'givenName', 'familyName', 'middleName', 'preferredUsername', 'profile', 'website', 'gender',
    'birthdate', 'zoneinfo', 'locale', 'address', 'formatted', 'streetAddress', 'locality',
    'region', 'postalCode', 'city', 'province', 'country', 'company', 'blocked', 'loginsCount',
    'lastLogin', 'lastIP', 'signedUp', 'createdAt', 'updatedAt'
  ];

  // Reads leave the hash in the database.
  const WITHOUT_HASH = { projection: { password: 0 } };

  // Where the keyword is looked for, case-insensitively.
  const SEARCHED = ['username', 'email', 'phone', 'name', 'nickname'];

  const paging = pageOf(context && context.page, context && context.limit);
  const pattern = escapeRegex(keyword == null ? '' : keyword);
  return readPage({ $or: SEARCHED.map((field) => ({ [field]: { $regex: pattern, $options: 'i' } })) }, paging);

  // The sample collection, in DB_DATABASE, or else the database named in the URI.
  function usersCollection() {
    return global.mongoClient.db(env.DB_DATABASE || undefined).collection('users');
  }

  // 1-based page; 10 a page unless asked, never more than 100.
  function pageOf(page, limit) {
    const number = Math.max(1, Math.floor(Number(page)) || 1);
    const size = Math.min(100, Math.max(1, Math.floor(Number(limit)) || 10));
    return { page: number, limit: size, offset: (number - 1) * size };
  }

  // The keyword matches literally: every regular-expression metacharacter is escaped.
  function escapeRegex(text) {
    return String(text).replace(/[.*+?^$(){}|[\]\\]/g, '\\$&');
  }

  // MongoDB has no snapshot across the two reads without a replica set; a write in between can
  // make totalCount and the list disagree by that one write.
  async function readPage(filter, paging) {
    const users = usersCollection();
    const [totalCount, documents] = await Promise.all([
      users.countDocuments(filter),
      users.find(filter, { ...WITHOUT_HASH, sort: { _id: 1 }, skip: paging.offset, limit: paging.limit }).toArray(),
    ]);
    return { totalCount, list: documents.map((document) => toProfile(document, document._id)) };
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
