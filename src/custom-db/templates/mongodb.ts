/** The MongoDB template: the `mongodb` driver against the sample `users` collection. */
import { SEARCH_FIELDS } from '../../sample-db/schema.js';
import {
  HASH_PASSWORD,
  LOGIN_CHECKS,
  LOOKUP_KEY,
  PAGE_OF,
  PASSWORD_MATCHES,
  PROFILE_FIELDS_CONSTANT,
  RECORD_TO_PROFILE,
  WRITABLE_FIELDS_CONSTANT,
  WRITABLE_FIELDS_HELPER,
  script,
  type ScriptName,
} from './compose.js';

const PRELUDE = String.raw`// One client (with its connection pool) for all eight scripts of this connection, made by
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
}`;

const USERS = String.raw`// The sample collection, in DB_DATABASE, or else the database named in the URI.
function usersCollection() {
  return global.mongoClient.db(env.DB_DATABASE || undefined).collection('users');
}`;

const TO_OBJECT_ID = String.raw`// Ids are ObjectIds; any other id names no user (rather than failing the query).
function toObjectId(id) {
  const { ObjectId } = require('mongodb');
  const text = String(id);
  return /^[0-9a-f]{24}$/i.test(text) ? new ObjectId(text) : null;
}`;

const WITHOUT_HASH = `// Reads leave the hash in the database.
const WITHOUT_HASH = { projection: { password: 0 } };`;

const DUPLICATE_KEY = `// The email, username or phone belongs to someone else (a unique index said no).
const DUPLICATE_KEY = 11000;`;

const ESCAPE_REGEX = String.raw`// The keyword matches literally: every regular-expression metacharacter is escaped.
function escapeRegex(text) {
  return String(text).replace(/[.*+?^$(){}|[\]\\]/g, '\\$&');
}`;

const READ_PAGE = String.raw`// MongoDB has no snapshot across the two reads without a replica set; a write in between can
// make totalCount and the list disagree by that one write.
async function readPage(filter, paging) {
  const users = usersCollection();
  const [totalCount, documents] = await Promise.all([
    users.countDocuments(filter),
    users.find(filter, { ...WITHOUT_HASH, sort: { _id: 1 }, skip: paging.offset, limit: paging.limit }).toArray(),
  ]);
  return { totalCount, list: documents.map((document) => toProfile(document, document._id)) };
}`;

export const MONGODB_SCRIPTS: Record<ScriptName, string> = {
  login: script('login', {
    prelude: PRELUDE,
    constants: [PROFILE_FIELDS_CONSTANT],
    body: String.raw`const lookup = lookupKey(query, ['email', 'username', 'phone']);
if (!lookup) throw new Error('login needs query.email, query.username or query.phone');
const user = await usersCollection().findOne({ [lookup.key]: lookup.value });
${LOGIN_CHECKS}
return toProfile(user, user._id);`,
    helpers: [USERS, LOOKUP_KEY, PASSWORD_MATCHES, RECORD_TO_PROFILE],
  }),

  getUser: script('getUser', {
    prelude: PRELUDE,
    constants: [PROFILE_FIELDS_CONSTANT, WITHOUT_HASH],
    body: String.raw`const lookup = lookupKey(query, ['id', 'email', 'username', 'phone']);
if (!lookup) return null;
const filter = lookup.key === 'id' ? { _id: toObjectId(lookup.value) } : { [lookup.key]: lookup.value };
if (filter._id === null) return null;
const user = await usersCollection().findOne(filter, WITHOUT_HASH);
return user ? toProfile(user, user._id) : null;`,
    helpers: [USERS, LOOKUP_KEY, TO_OBJECT_ID, RECORD_TO_PROFILE],
  }),

  searchUser: script('searchUser', {
    prelude: PRELUDE,
    constants: [
      PROFILE_FIELDS_CONSTANT,
      WITHOUT_HASH,
      `// Where the keyword is looked for, case-insensitively.\nconst SEARCHED = [${SEARCH_FIELDS.map((field) => `'${field}'`).join(', ')}];`,
    ],
    body: String.raw`const paging = pageOf(context && context.page, context && context.limit);
const pattern = escapeRegex(keyword == null ? '' : keyword);
return readPage({ $or: SEARCHED.map((field) => ({ [field]: { $regex: pattern, $options: 'i' } })) }, paging);`,
    helpers: [USERS, PAGE_OF, ESCAPE_REGEX, READ_PAGE, RECORD_TO_PROFILE],
  }),

  createUser: script('createUser', {
    prelude: PRELUDE,
    constants: [PROFILE_FIELDS_CONSTANT, WRITABLE_FIELDS_CONSTANT, DUPLICATE_KEY],
    body: String.raw`if (!userinfo || !(userinfo.email || userinfo.username || userinfo.phone)) {
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
}`,
    helpers: [USERS, WRITABLE_FIELDS_HELPER, HASH_PASSWORD, RECORD_TO_PROFILE],
  }),

  updateUser: script('updateUser', {
    prelude: PRELUDE,
    constants: [PROFILE_FIELDS_CONSTANT, WRITABLE_FIELDS_CONSTANT, WITHOUT_HASH, DUPLICATE_KEY],
    body: String.raw`const _id = toObjectId(id);
if (_id === null) throw new UserNotFoundError('no user with id ' + id);
const changes = writableFields(updates);
if (updates && updates.password !== undefined) changes.password = await hashPassword(updates.password);
changes.updatedAt = new Date();
const users = usersCollection();
let result;
try {
  result = await users.updateOne({ _id }, { $set: changes });
} catch (error) {
  if (error.code === DUPLICATE_KEY) throw new UserExistsError('a user with that email, username or phone exists');
  throw error;
}
// Read back after the update; null when someone deleted the user in between.
const user = result.matchedCount === 0 ? null : await users.findOne({ _id }, WITHOUT_HASH);
if (!user) throw new UserNotFoundError('no user with id ' + id);
return toProfile(user, user._id);`,
    helpers: [USERS, TO_OBJECT_ID, WRITABLE_FIELDS_HELPER, HASH_PASSWORD, RECORD_TO_PROFILE],
  }),

  deleteUser: script('deleteUser', {
    prelude: PRELUDE,
    body: String.raw`const _id = toObjectId(id);
const result = _id === null ? null : await usersCollection().deleteOne({ _id });
if (!result || result.deletedCount === 0) throw new UserNotFoundError('no user with id ' + id);
return true;`,
    helpers: [USERS, TO_OBJECT_ID],
  }),

  listUsers: script('listUsers', {
    prelude: PRELUDE,
    constants: [PROFILE_FIELDS_CONSTANT, WITHOUT_HASH],
    body: String.raw`const paging = pageOf(page == null ? context && context.page : page, limit == null ? context && context.limit : limit);
return readPage({}, paging);`,
    helpers: [USERS, PAGE_OF, READ_PAGE, RECORD_TO_PROFILE],
  }),

  validatePassword: script('validatePassword', {
    prelude: PRELUDE,
    body: String.raw`const _id = toObjectId(id);
const user = _id === null ? null : await usersCollection().findOne({ _id }, { projection: { password: 1 } });
if (!user) throw new UserNotFoundError('no user with id ' + id);
return passwordMatches(password, user.password);`,
    helpers: [USERS, TO_OBJECT_ID, PASSWORD_MATCHES],
  }),
};
