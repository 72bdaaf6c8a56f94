/**
 * MongoDB wire-protocol STAND-IN, for tests only. It is not MongoDB: a small in-memory server
 * that speaks enough of the wire protocol (OP_MSG, plus OP_QUERY/OP_REPLY for the driver's
 * first handshake) and of the command set for the official `mongodb` driver to connect and
 * for the MongoDB template and seeder to run:
 *
 * - handshake and housekeeping: hello / isMaster, buildInfo, ping, endSessions, killCursors,
 *   getMore (cursors are always exhausted in the first batch);
 * - find (filter, sort, projection, skip, limit), count, aggregate ($match, $sort, $skip,
 *   $limit, $group with {$sum: 1}, $count);
 * - insert, update ($set, $unset, $inc, $setOnInsert, upsert), delete;
 * - createIndexes with unique (and partialFilterExpression) enforcement: code 11000;
 * - drop, dropDatabase.
 *
 * Filters: equality, $eq $ne $gt $gte $lt $lte $in $nin $exists $type $regex/$options,
 * $and $or $nor. Anything else is refused with an error rather than silently mismatched.
 * Run the same suite against a real MongoDB with MONGODB_URL to catch where they differ.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { BSON, Long, ObjectId, type Document } from 'bson';

export interface MongoWireStandin {
  /** `mongodb://127.0.0.1:<port>` — add `/<database>` as with a real server. */
  readonly uri: string;
  readonly port: number;
  /** Commands received, by name, for tests that want to see what the driver sent. */
  readonly commandCounts: ReadonlyMap<string, number>;
  close(): Promise<void>;
}

const OP_REPLY = 1;
const OP_QUERY = 2004;
const OP_MSG = 2013;
const FLAG_CHECKSUM = 1;
const FLAG_MORE_TO_COME = 2;
const DUPLICATE_KEY = 11000;

interface IndexSpec {
  readonly name: string;
  readonly key: Document;
  readonly unique: boolean;
  readonly partialFilterExpression?: Document;
}

interface Collection {
  documents: Document[];
  indexes: IndexSpec[];
}

class CommandError extends Error {
  constructor(
    message: string,
    readonly code: number,
    readonly codeName: string,
  ) {
    super(message);
  }
}

// ---------------------------------------------------------------------------------------
// Values: comparison and equality with MongoDB's cross-type order, simplified.

function isObjectId(value: unknown): value is ObjectId {
  return typeof value === 'object' && value !== null && (value as { _bsontype?: unknown })._bsontype === 'ObjectId';
}

function isPlainObject(value: unknown): value is Document {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof Date) &&
    !(value instanceof RegExp) &&
    !('_bsontype' in value)
  );
}

function typeRank(value: unknown): number {
  if (value === undefined || value === null) return 1;
  if (typeof value === 'number' || typeof value === 'bigint' || value instanceof Long) return 2;
  if (typeof value === 'string') return 3;
  if (isPlainObject(value)) return 4;
  if (Array.isArray(value)) return 5;
  if (isObjectId(value)) return 7;
  if (typeof value === 'boolean') return 8;
  if (value instanceof Date) return 9;
  return 10;
}

function compareValues(a: unknown, b: unknown): number {
  const rankA = typeRank(a);
  const rankB = typeRank(b);
  if (rankA !== rankB) return rankA - rankB;
  if (rankA === 2) return Number(a) - Number(b);
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (isObjectId(a) && isObjectId(b)) return compareValues(a.toHexString(), b.toHexString());
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  if (a instanceof Date && b instanceof Date) return a.getTime() - b.getTime();
  return JSON.stringify(a) === JSON.stringify(b) ? 0 : 1;
}

function valuesEqual(a: unknown, b: unknown): boolean {
  if ((a === undefined || a === null) && (b === undefined || b === null)) return true;
  if (typeRank(a) !== typeRank(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, index) => valuesEqual(item, b[index]));
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((key) => valuesEqual(a[key], b[key]));
  }
  return compareValues(a, b) === 0;
}

function getPath(document: Document, path: string): unknown {
  let current: unknown = document;
  for (const part of path.split('.')) {
    if (!isPlainObject(current)) return undefined;
    current = current[part];
  }
  return current;
}

function setPath(document: Document, path: string, value: unknown): void {
  const parts = path.split('.');
  const last = parts.pop() as string;
  let current = document;
  for (const part of parts) {
    const next: unknown = current[part];
    if (!isPlainObject(next)) current[part] = {};
    current = current[part] as Document;
  }
  current[last] = value;
}

function unsetPath(document: Document, path: string): void {
  const parts = path.split('.');
  const last = parts.pop() as string;
  const parent = parts.length === 0 ? document : getPath(document, parts.join('.'));
  if (isPlainObject(parent)) Reflect.deleteProperty(parent, last);
}

// ---------------------------------------------------------------------------------------
// Filters

const BSON_TYPE_CHECKS: Record<string, (value: unknown) => boolean> = {
  string: (value) => typeof value === 'string',
  bool: (value) => typeof value === 'boolean',
  date: (value) => value instanceof Date,
  objectId: isObjectId,
  object: isPlainObject,
  array: Array.isArray,
  null: (value) => value === null,
  number: (value) => typeof value === 'number' || value instanceof Long,
  int: (value) => typeof value === 'number' && Number.isInteger(value),
  double: (value) => typeof value === 'number',
};

function toRegExp(pattern: unknown, options: unknown): RegExp {
  if (pattern instanceof RegExp) return typeof options === 'string' ? new RegExp(pattern.source, options) : pattern;
  if (typeof pattern !== 'string') throw new CommandError('$regex has to be a string', 2, 'BadValue');
  return new RegExp(pattern, typeof options === 'string' ? options.replace(/[^imsx]/g, '').replace('x', '') : '');
}

/** A field's condition: values of an array field match when any element does, as in MongoDB. */
function matchesCondition(value: unknown, condition: unknown): boolean {
  if (condition instanceof RegExp) {
    const candidates = Array.isArray(value) ? value : [value];
    return candidates.some((item) => typeof item === 'string' && condition.test(item));
  }
  if (!isPlainObject(condition) || !Object.keys(condition).some((key) => key.startsWith('$'))) {
    if (Array.isArray(value) && !Array.isArray(condition)) return value.some((item) => valuesEqual(item, condition));
    return valuesEqual(value, condition);
  }
  return Object.entries(condition).every(([operator, operand]) => {
    switch (operator) {
      case '$eq':
        return matchesCondition(value, operand);
      case '$ne':
        return !matchesCondition(value, operand);
      case '$gt':
        return value !== undefined && typeRank(value) === typeRank(operand) && compareValues(value, operand) > 0;
      case '$gte':
        return value !== undefined && typeRank(value) === typeRank(operand) && compareValues(value, operand) >= 0;
      case '$lt':
        return value !== undefined && typeRank(value) === typeRank(operand) && compareValues(value, operand) < 0;
      case '$lte':
        return value !== undefined && typeRank(value) === typeRank(operand) && compareValues(value, operand) <= 0;
      case '$in':
        return Array.isArray(operand) && operand.some((item) => matchesCondition(value, item));
      case '$nin':
        return Array.isArray(operand) && !operand.some((item) => matchesCondition(value, item));
      case '$exists':
        return (value !== undefined) === Boolean(operand);
      case '$type': {
        const check = typeof operand === 'string' ? BSON_TYPE_CHECKS[operand] : undefined;
        if (check === undefined) throw new CommandError(`stand-in: unsupported $type ${String(operand)}`, 2, 'BadValue');
        return check(value);
      }
      case '$regex':
        return matchesCondition(value, toRegExp(operand, condition.$options));
      case '$options':
        return true;
      default:
        throw new CommandError(`stand-in: unsupported query operator ${operator}`, 2, 'BadValue');
    }
  });
}

function matches(document: Document, filter: Document | undefined): boolean {
  if (filter === undefined) return true;
  return Object.entries(filter).every(([key, condition]) => {
    if (key === '$and' || key === '$or' || key === '$nor') {
      if (!Array.isArray(condition)) throw new CommandError(`${key} must be an array`, 2, 'BadValue');
      const clauses = condition as Document[];
      if (key === '$and') return clauses.every((clause) => matches(document, clause));
      if (key === '$or') return clauses.some((clause) => matches(document, clause));
      return !clauses.some((clause) => matches(document, clause));
    }
    if (key.startsWith('$')) throw new CommandError(`stand-in: unsupported top-level operator ${key}`, 2, 'BadValue');
    return matchesCondition(getPath(document, key), condition);
  });
}

function sortDocuments(documents: Document[], sort: Document | undefined): Document[] {
  if (sort === undefined || Object.keys(sort).length === 0) return documents;
  const keys = Object.entries(sort);
  return [...documents].sort((a, b) => {
    for (const [path, direction] of keys) {
      const order = compareValues(getPath(a, path), getPath(b, path));
      if (order !== 0) return Number(direction) < 0 ? -order : order;
    }
    return 0;
  });
}

function project(document: Document, projection: Document | undefined): Document {
  if (projection === undefined || Object.keys(projection).length === 0) return document;
  const entries = Object.entries(projection);
  const inclusive = entries.some(([key, flag]) => key !== '_id' && Boolean(flag));
  if (inclusive) {
    const result: Document = {};
    if (projection._id === undefined || Boolean(projection._id)) result._id = document._id;
    for (const [key, flag] of entries) {
      if (key !== '_id' && Boolean(flag) && document[key] !== undefined) result[key] = document[key];
    }
    return result;
  }
  const excluded = new Set(entries.map(([key]) => key));
  return Object.fromEntries(Object.entries(document).filter(([key]) => !excluded.has(key)));
}

// ---------------------------------------------------------------------------------------
// Updates and unique indexes

function applyUpdate(document: Document, update: Document, inserting: boolean): Document {
  const operators = Object.keys(update);
  if (operators.length > 0 && operators.every((key) => !key.startsWith('$'))) {
    return { ...update, _id: document._id };
  }
  // A BSON round trip copies with the BSON types intact (structuredClone drops ObjectId's class).
  const result = BSON.deserialize(BSON.serialize(document));
  for (const [operator, fields] of Object.entries(update)) {
    if (!isPlainObject(fields)) throw new CommandError(`${operator} needs an object`, 9, 'FailedToParse');
    for (const [path, value] of Object.entries(fields)) {
      if (path === '_id' && operator !== '$setOnInsert') throw new CommandError('_id is immutable', 66, 'ImmutableField');
      switch (operator) {
        case '$set':
          setPath(result, path, value);
          break;
        case '$setOnInsert':
          if (inserting) setPath(result, path, value);
          break;
        case '$unset':
          unsetPath(result, path);
          break;
        case '$inc':
          setPath(result, path, Number(getPath(result, path) ?? 0) + Number(value));
          break;
        default:
          throw new CommandError(`stand-in: unsupported update operator ${operator}`, 9, 'FailedToParse');
      }
    }
  }
  return result;
}

function indexKeyOf(document: Document, index: IndexSpec): string | null {
  if (index.partialFilterExpression !== undefined && !matches(document, index.partialFilterExpression)) return null;
  const values = Object.keys(index.key).map((path) => {
    const value = getPath(document, path);
    return isObjectId(value) ? value.toHexString() : value instanceof Date ? value.getTime() : (value ?? null);
  });
  return JSON.stringify(values);
}

/** The unique index `candidate` would break next to `others`, if any. */
function violatedIndex(candidate: Document, others: readonly Document[], indexes: readonly IndexSpec[]): IndexSpec | undefined {
  return indexes.find((index) => {
    if (!index.unique) return false;
    const key = indexKeyOf(candidate, index);
    return key !== null && others.some((other) => other !== candidate && indexKeyOf(other, index) === key);
  });
}

function duplicateError(index: IndexSpec, namespace: string, document: Document): { code: number; errmsg: string } {
  const keys = Object.keys(index.key).map((path) => `${path}: ${JSON.stringify(getPath(document, path))}`);
  return { code: DUPLICATE_KEY, errmsg: `E11000 duplicate key error collection: ${namespace} index: ${index.name} dup key: { ${keys.join(', ')} }` };
}

const ID_INDEX: IndexSpec = { name: '_id_', key: { _id: 1 }, unique: true };

// ---------------------------------------------------------------------------------------
// The server

class StandinStore {
  private readonly databases = new Map<string, Map<string, Collection>>();

  collection(database: string, name: string, create: boolean): Collection | undefined {
    let collections = this.databases.get(database);
    if (collections === undefined) {
      if (!create) return undefined;
      collections = new Map();
      this.databases.set(database, collections);
    }
    let collection = collections.get(name);
    if (collection === undefined && create) {
      collection = { documents: [], indexes: [ID_INDEX] };
      collections.set(name, collection);
    }
    return collection;
  }

  drop(database: string, name?: string): void {
    if (name === undefined) this.databases.delete(database);
    else this.databases.get(database)?.delete(name);
  }
}

function cursorReply(namespace: string, batch: Document[]): Document {
  return { cursor: { id: Long.fromNumber(0), ns: namespace, firstBatch: batch }, ok: 1 };
}

function helloReply(connectionId: number): Document {
  return {
    helloOk: true,
    ismaster: true,
    isWritablePrimary: true,
    maxBsonObjectSize: 16 * 1024 * 1024,
    maxMessageSizeBytes: 48_000_000,
    maxWriteBatchSize: 100_000,
    localTime: new Date(),
    logicalSessionTimeoutMinutes: 30,
    connectionId,
    minWireVersion: 0,
    maxWireVersion: 21,
    readOnly: false,
    ok: 1,
  };
}

function runAggregate(documents: Document[], pipeline: unknown): Document[] {
  if (!Array.isArray(pipeline)) throw new CommandError('pipeline must be an array', 14, 'TypeMismatch');
  let current = documents;
  for (const stage of pipeline as Document[]) {
    const [name, argument] = Object.entries(stage)[0] ?? [];
    switch (name) {
      case '$match':
        current = current.filter((document) => matches(document, argument as Document));
        break;
      case '$sort':
        current = sortDocuments(current, argument as Document);
        break;
      case '$skip':
        current = current.slice(Number(argument));
        break;
      case '$limit':
        current = current.slice(0, Number(argument));
        break;
      case '$count':
        current = current.length === 0 ? [] : [{ [String(argument)]: current.length }];
        break;
      case '$group': {
        const { _id: groupId, ...accumulators } = argument as Document;
        if (isPlainObject(groupId) || (typeof groupId === 'string' && groupId.startsWith('$'))) {
          throw new CommandError('stand-in: $group supports a constant _id only', 2, 'BadValue');
        }
        if (current.length === 0) break;
        const group: Document = { _id: groupId };
        for (const [field, accumulator] of Object.entries(accumulators)) {
          if (!isPlainObject(accumulator) || accumulator.$sum !== 1) {
            throw new CommandError('stand-in: $group supports { $sum: 1 } only', 2, 'BadValue');
          }
          group[field] = current.length;
        }
        current = [group];
        break;
      }
      default:
        throw new CommandError(`stand-in: unsupported aggregation stage ${String(name)}`, 2, 'BadValue');
    }
  }
  return current;
}

function runCommand(store: StandinStore, body: Document, connectionId: number): Document {
  const name = Object.keys(body)[0] ?? '';
  const database = typeof body.$db === 'string' ? body.$db : 'admin';
  const target = body[name] as unknown;
  const namespace = `${database}.${String(target)}`;
  const read = (): Collection | undefined => store.collection(database, String(target), false);
  const write = (): Collection => store.collection(database, String(target), true) as Collection;

  switch (name) {
    case 'hello':
    case 'isMaster':
    case 'ismaster':
      return helloReply(connectionId);
    case 'buildInfo':
    case 'buildinfo':
      return { version: '7.0.0-standin', versionArray: [7, 0, 0, 0], maxBsonObjectSize: 16 * 1024 * 1024, ok: 1 };
    case 'ping':
    case 'endSessions':
      return { ok: 1 };
    case 'killCursors':
      return { cursorsKilled: [], cursorsNotFound: body.cursors ?? [], cursorsAlive: [], cursorsUnknown: [], ok: 1 };
    case 'getMore':
      return { cursor: { id: Long.fromNumber(0), ns: `${database}.${String(body.collection)}`, nextBatch: [] }, ok: 1 };
    case 'find': {
      const documents = (read()?.documents ?? []).filter((document) => matches(document, body.filter as Document));
      const skip = Number(body.skip ?? 0);
      const limit = Math.abs(Number(body.limit ?? 0));
      const sorted = sortDocuments(documents, body.sort as Document).slice(skip);
      const page = limit > 0 ? sorted.slice(0, limit) : sorted;
      return cursorReply(namespace, page.map((document) => project(document, body.projection as Document)));
    }
    case 'count': {
      const documents = (read()?.documents ?? []).filter((document) => matches(document, body.query as Document));
      return { n: documents.length, ok: 1 };
    }
    case 'aggregate':
      return cursorReply(namespace, runAggregate(read()?.documents ?? [], body.pipeline));
    case 'insert': {
      const collection = write();
      const writeErrors: Document[] = [];
      let n = 0;
      for (const [index, raw] of ((body.documents as Document[] | undefined) ?? []).entries()) {
        const document: Document = { _id: raw._id ?? new ObjectId(), ...raw };
        const violated = violatedIndex(document, collection.documents, collection.indexes);
        if (violated !== undefined) {
          writeErrors.push({ index, ...duplicateError(violated, namespace, document) });
          if (body.ordered !== false) break;
          continue;
        }
        collection.documents.push(document);
        n += 1;
      }
      return writeErrors.length === 0 ? { n, ok: 1 } : { n, writeErrors, ok: 1 };
    }
    case 'update': {
      const collection = write();
      const writeErrors: Document[] = [];
      const upserted: Document[] = [];
      let matched = 0;
      let modified = 0;
      for (const [index, statement] of ((body.updates as Document[] | undefined) ?? []).entries()) {
        const filter = statement.q as Document;
        const targets = collection.documents.filter((document) => matches(document, filter));
        const chosen = statement.multi === true ? targets : targets.slice(0, 1);
        if (chosen.length === 0 && statement.upsert === true) {
          const seed: Document = {};
          for (const [key, value] of Object.entries(filter)) if (!key.startsWith('$') && !isPlainObject(value)) seed[key] = value;
          const document = applyUpdate({ _id: new ObjectId(), ...seed }, statement.u as Document, true);
          const violated = violatedIndex(document, collection.documents, collection.indexes);
          if (violated !== undefined) {
            writeErrors.push({ index, ...duplicateError(violated, namespace, document) });
            if (body.ordered !== false) break;
            continue;
          }
          collection.documents.push(document);
          upserted.push({ index, _id: document._id });
          continue;
        }
        let failed = false;
        for (const document of chosen) {
          const updated = applyUpdate(document, statement.u as Document, false);
          const position = collection.documents.indexOf(document);
          const others = collection.documents.filter((_other, at) => at !== position);
          const violated = violatedIndex(updated, others, collection.indexes);
          if (violated !== undefined) {
            writeErrors.push({ index, ...duplicateError(violated, namespace, updated) });
            failed = true;
            break;
          }
          matched += 1;
          if (!valuesEqual(updated, document)) modified += 1;
          collection.documents[position] = updated;
        }
        if (failed && body.ordered !== false) break;
      }
      const reply: Document = { n: matched + upserted.length, nModified: modified, ok: 1 };
      if (upserted.length > 0) reply.upserted = upserted;
      if (writeErrors.length > 0) reply.writeErrors = writeErrors;
      return reply;
    }
    case 'delete': {
      const collection = read();
      let n = 0;
      for (const statement of (body.deletes as Document[] | undefined) ?? []) {
        if (collection === undefined) break;
        const targets = collection.documents.filter((document) => matches(document, statement.q as Document));
        const chosen = Number(statement.limit) === 1 ? targets.slice(0, 1) : targets;
        collection.documents = collection.documents.filter((document) => !chosen.includes(document));
        n += chosen.length;
      }
      return { n, ok: 1 };
    }
    case 'createIndexes': {
      const collection = write();
      const before = collection.indexes.length;
      for (const raw of (body.indexes as Document[] | undefined) ?? []) {
        const index: IndexSpec = {
          name: String(raw.name),
          key: raw.key as Document,
          unique: raw.unique === true,
          ...(isPlainObject(raw.partialFilterExpression) ? { partialFilterExpression: raw.partialFilterExpression } : {}),
        };
        if (collection.indexes.some((existing) => existing.name === index.name)) continue;
        for (const document of collection.documents) {
          if (violatedIndex(document, collection.documents, [index]) !== undefined) {
            const { errmsg } = duplicateError(index, namespace, document);
            throw new CommandError(errmsg, DUPLICATE_KEY, 'DuplicateKey');
          }
        }
        collection.indexes.push(index);
      }
      return { numIndexesBefore: before, numIndexesAfter: collection.indexes.length, createdCollectionAutomatically: false, ok: 1 };
    }
    case 'drop':
      store.drop(database, String(target));
      return { ok: 1 };
    case 'dropDatabase':
      store.drop(database);
      return { ok: 1 };
    default:
      throw new CommandError(`no such command: '${name}' (MongoDB wire stand-in)`, 59, 'CommandNotFound');
  }
}

function answer(store: StandinStore, body: Document, connectionId: number, counts: Map<string, number>): Document {
  const name = Object.keys(body)[0] ?? '';
  counts.set(name, (counts.get(name) ?? 0) + 1);
  try {
    return runCommand(store, body, connectionId);
  } catch (error) {
    if (error instanceof CommandError) return { ok: 0, errmsg: error.message, code: error.code, codeName: error.codeName };
    const message = error instanceof Error ? error.message : String(error);
    return { ok: 0, errmsg: `stand-in failure: ${message}`, code: 1, codeName: 'InternalError' };
  }
}

// ---------------------------------------------------------------------------------------
// Wire framing

function header(length: number, requestId: number, responseTo: number, opCode: number): Buffer {
  const buffer = Buffer.alloc(16);
  buffer.writeInt32LE(length, 0);
  buffer.writeInt32LE(requestId, 4);
  buffer.writeInt32LE(responseTo, 8);
  buffer.writeInt32LE(opCode, 12);
  return buffer;
}

function parseOpMsg(message: Buffer): { body: Document; moreToCome: boolean } {
  const flags = message.readUInt32LE(16);
  const end = flags & FLAG_CHECKSUM ? message.length - 4 : message.length;
  let body: Document | undefined;
  const sequences: [string, Document[]][] = [];
  let offset = 20;
  while (offset < end) {
    const kind = message.readUInt8(offset);
    offset += 1;
    if (kind === 0) {
      const size = message.readInt32LE(offset);
      body = BSON.deserialize(message.subarray(offset, offset + size));
      offset += size;
    } else if (kind === 1) {
      const size = message.readInt32LE(offset);
      const sectionEnd = offset + size;
      const nameEnd = message.indexOf(0, offset + 4);
      const identifier = message.toString('utf8', offset + 4, nameEnd);
      const documents: Document[] = [];
      let at = nameEnd + 1;
      while (at < sectionEnd) {
        const documentSize = message.readInt32LE(at);
        documents.push(BSON.deserialize(message.subarray(at, at + documentSize)));
        at += documentSize;
      }
      sequences.push([identifier, documents]);
      offset = sectionEnd;
    } else {
      throw new Error(`unknown OP_MSG section kind ${String(kind)}`);
    }
  }
  if (body === undefined) throw new Error('OP_MSG without a body section');
  for (const [identifier, documents] of sequences) body[identifier] = documents;
  return { body, moreToCome: (flags & FLAG_MORE_TO_COME) !== 0 };
}

function parseOpQuery(message: Buffer): Document {
  const nameEnd = message.indexOf(0, 20);
  const offset = nameEnd + 1 + 8; // numberToSkip, numberToReturn
  const size = message.readInt32LE(offset);
  const query = BSON.deserialize(message.subarray(offset, offset + size));
  const command = isPlainObject(query.$query) ? query.$query : query;
  const database = message.toString('utf8', 20, nameEnd).split('.')[0] ?? 'admin';
  return { ...command, $db: database };
}

function opMsgReply(requestId: number, responseTo: number, document: Document): Buffer {
  const body = BSON.serialize(document);
  const prefix = Buffer.alloc(5); // flagBits 0, section kind 0
  return Buffer.concat([header(16 + 5 + body.length, requestId, responseTo, OP_MSG), prefix, body]);
}

function opReply(requestId: number, responseTo: number, document: Document): Buffer {
  const body = BSON.serialize(document);
  const fields = Buffer.alloc(20);
  fields.writeInt32LE(0, 0); // responseFlags
  fields.writeBigInt64LE(0n, 4); // cursorID
  fields.writeInt32LE(0, 12); // startingFrom
  fields.writeInt32LE(1, 16); // numberReturned
  return Buffer.concat([header(16 + 20 + body.length, requestId, responseTo, OP_REPLY), fields, body]);
}

export async function startMongoWireStandin(options: { port?: number; host?: string } = {}): Promise<MongoWireStandin> {
  const store = new StandinStore();
  const counts = new Map<string, number>();
  const sockets = new Set<Socket>();
  let nextRequestId = 1;
  let nextConnectionId = 1;

  const server: Server = createServer((socket) => {
    sockets.add(socket);
    const connectionId = nextConnectionId;
    nextConnectionId += 1;
    let pending = Buffer.alloc(0);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 4) {
        const length = pending.readInt32LE(0);
        if (pending.length < length) break;
        const message = pending.subarray(0, length);
        pending = pending.subarray(length);
        const requestId = message.readInt32LE(4);
        const opCode = message.readInt32LE(12);
        const replyId = nextRequestId;
        nextRequestId += 1;
        try {
          if (opCode === OP_MSG) {
            const { body, moreToCome } = parseOpMsg(message);
            const reply = answer(store, body, connectionId, counts);
            if (!moreToCome) socket.write(opMsgReply(replyId, requestId, reply));
          } else if (opCode === OP_QUERY) {
            socket.write(opReply(replyId, requestId, answer(store, parseOpQuery(message), connectionId, counts)));
          } else {
            socket.destroy();
            return;
          }
        } catch {
          // A frame this stand-in cannot read: drop the connection, as a server would.
          socket.destroy();
          return;
        }
      }
    });
  });

  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    uri: `mongodb://${host}:${String(port)}`,
    port,
    commandCounts: counts,
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const socket of sockets) socket.destroy();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
