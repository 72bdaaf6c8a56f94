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

async function validatePassword(id, password, context) {
  const _id = toObjectId(id);
  const user = _id === null ? null : await usersCollection().findOne({ _id }, { projection: { password: 1 } });
  if (!user) throw new UserNotFoundError('no user with id ' + id);
  return passwordMatches(password, user.password);

  // The sample collection, in DB_DATABASE, or else the database named in the URI.
  function usersCollection() {
    return global.mongoClient.db(env.DB_DATABASE || undefined).collection('users');
  }

  // Ids are ObjectIds; any other id names no user (rather than failing the query).
  function toObjectId(id) {
    const { ObjectId } = require('mongodb');
    const text = String(id);
    return /^[0-9a-f]{24}$/i.test(text) ? new ObjectId(text) : null;
  }

  // Without a hash (no such user) a decoy is checked, so that takes as long as a real check.
  async function passwordMatches(candidate, hash) {
    const bcrypt = require('bcryptjs');
    const DECOY_HASH = '$2b$10$PmFcWmGpGtLCdI88lnGeGu85tWcuwIpK54yckIship4TDfvBZJq2G';
    const matches = await bcrypt.compare(String(candidate ?? ''), hash || DECOY_HASH);
    return matches && Boolean(hash);
  }
}
