/**
 * A sample legacy user web service: the API the web-service template calls, documented in
 * docs/sample-schema.md. In memory, seeded with the sample users, node:http only. It plays
 * the part of somebody's old user service, so it hashes and checks passwords itself and
 * answers a hash on one endpoint only: the export (`GET /users/export`), which a migration
 * that imports the rest pages through.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import bcrypt from 'bcryptjs';
import {
  DEFAULT_PAGE_SIZE,
  MAX_PAGE_SIZE,
  SEARCH_FIELDS,
  WRITABLE_FIELDS,
  type ProfileField,
} from './schema.js';
import { SAMPLE_USERS } from './sample-users.data.js';

export interface SampleWebServiceOptions {
  readonly port: number;
  readonly host: string;
  /** When set, every request needs `Authorization: Bearer <apiKey>`. */
  readonly apiKey?: string;
}

export interface SampleWebService {
  /** Base URL, e.g. `http://127.0.0.1:4100` — what the template takes as `DB_CONNECTION_URI`. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

type Profile = { id: string } & Partial<Record<ProfileField, string | number | boolean | null>>;

interface StoredUser {
  profile: Profile;
  passwordHash: string | null;
}

const BCRYPT_COST = 10;
const MAX_BODY_BYTES = 64 * 1024;
const LOOKUP_KEYS = ['email', 'username', 'phone'] as const;
const WRITABLE: ReadonlySet<string> = new Set(WRITABLE_FIELDS);

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function send(response: ServerResponse, status: number, body?: unknown): void {
  if (body === undefined) {
    response.writeHead(status).end();
    return;
  }
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(text);
}

async function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, 'body_too_large', 'request body too large');
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  let body: unknown;
  try {
    body = text === '' ? {} : JSON.parse(text);
  } catch {
    throw new HttpError(400, 'invalid_json', 'request body is not JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new HttpError(400, 'invalid_body', 'request body must be a JSON object');
  }
  return body as Record<string, unknown>;
}

function pageOf(params: URLSearchParams): { page: number; limit: number } {
  const page = Math.max(1, Math.floor(Number(params.get('page') ?? 1)) || 1);
  const limit = Math.min(MAX_PAGE_SIZE, Math.max(1, Math.floor(Number(params.get('limit') ?? DEFAULT_PAGE_SIZE)) || DEFAULT_PAGE_SIZE));
  return { page, limit };
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The writable profile fields of a request body; anything else is refused, not ignored. */
function profileUpdates(body: Record<string, unknown>): Partial<Profile> {
  const updates: Record<string, string | number | boolean | null> = {};
  for (const [key, value] of Object.entries(body)) {
    if (key === 'password') continue;
    if (!WRITABLE.has(key)) throw new HttpError(400, 'unknown_field', `unknown field: ${key}`);
    if (value !== null && !['string', 'number', 'boolean'].includes(typeof value)) {
      throw new HttpError(400, 'invalid_field', `invalid value for ${key}`);
    }
    updates[key] = key === 'email' && typeof value === 'string' ? value.toLowerCase() : (value as string | number | boolean | null);
  }
  return updates;
}

function optionalPassword(body: Record<string, unknown>): string | undefined {
  const { password } = body;
  if (password === undefined) return undefined;
  if (typeof password !== 'string' || password === '') {
    throw new HttpError(400, 'invalid_field', 'password must be a non-empty string');
  }
  return password;
}

class UserDirectory {
  private readonly users = new Map<string, StoredUser>();
  private nextId = 1;

  constructor() {
    for (const { passwordHash, ...profile } of SAMPLE_USERS) {
      this.insert({ ...profile }, passwordHash);
    }
  }

  private insert(fields: Partial<Profile>, passwordHash: string | null): StoredUser {
    const id = String(this.nextId);
    this.nextId += 1;
    const user = { profile: { ...fields, id }, passwordHash };
    this.users.set(id, user);
    return user;
  }

  get(id: string): StoredUser {
    const user = this.users.get(id);
    if (user === undefined) throw new HttpError(404, 'user_not_found', 'user not found');
    return user;
  }

  findBy(key: (typeof LOOKUP_KEYS)[number], value: string): StoredUser | undefined {
    const wanted = key === 'email' ? value.toLowerCase() : value;
    for (const user of this.users.values()) {
      if (user.profile[key] === wanted) return user;
    }
    return undefined;
  }

  all(): StoredUser[] {
    return [...this.users.values()];
  }

  /** Unique email, username and phone, as the databases' unique indexes keep them. */
  private assertUnique(fields: Partial<Profile>, exceptId?: string): void {
    for (const key of LOOKUP_KEYS) {
      const value = fields[key];
      if (typeof value !== 'string') continue;
      const holder = this.findBy(key, value);
      if (holder !== undefined && holder.profile.id !== exceptId) {
        throw new HttpError(409, 'user_exists', `${key} is already taken`);
      }
    }
  }

  async create(body: Record<string, unknown>): Promise<StoredUser> {
    const fields = profileUpdates(body);
    const password = optionalPassword(body);
    if (LOOKUP_KEYS.every((key) => typeof fields[key] !== 'string')) {
      throw new HttpError(400, 'invalid_body', 'a user needs an email, username or phone');
    }
    const passwordHash = password === undefined ? null : await bcrypt.hash(password, BCRYPT_COST);
    // Checked after the hash's await, so no other request can slip in between check and insert.
    this.assertUnique(fields);
    const now = new Date().toISOString();
    return this.insert(
      { emailVerified: false, phoneVerified: false, blocked: false, loginsCount: 0, signedUp: now, ...fields, createdAt: now, updatedAt: now },
      passwordHash,
    );
  }

  async update(id: string, body: Record<string, unknown>): Promise<StoredUser> {
    const fields = profileUpdates(body);
    const password = optionalPassword(body);
    this.get(id);
    const passwordHash = password === undefined ? undefined : await bcrypt.hash(password, BCRYPT_COST);
    const user = this.get(id);
    this.assertUnique(fields, id);
    user.profile = { ...user.profile, ...fields, id, updatedAt: new Date().toISOString() };
    if (passwordHash !== undefined) user.passwordHash = passwordHash;
    return user;
  }

  delete(id: string): void {
    this.get(id);
    this.users.delete(id);
  }
}

async function passwordMatches(user: StoredUser, password: unknown): Promise<boolean> {
  if (typeof password !== 'string' || user.passwordHash === null) return false;
  return bcrypt.compare(password, user.passwordHash);
}

/** Most users one export page may hold. */
const MAX_EXPORT_PAGE = 1000;

/**
 * One page of the export: the users whose id comes after `after` (keyset paging by the
 * numeric id, so users added or deleted between pages shift nothing), each with its hash.
 */
function exportAnswer(users: StoredUser[], params: URLSearchParams): { list: unknown[]; nextCursor: string | null; totalCount: number } {
  const afterText = params.get('after');
  const after = afterText === null ? 0 : Number(afterText);
  if (!Number.isSafeInteger(after) || after < 0) throw new HttpError(400, 'invalid_cursor', 'after must be a user id');
  const limit = Math.min(MAX_EXPORT_PAGE, Math.max(1, Math.floor(Number(params.get('limit') ?? MAX_PAGE_SIZE)) || MAX_PAGE_SIZE));
  const page = users
    .filter((user) => Number(user.profile.id) > after)
    .sort((a, b) => Number(a.profile.id) - Number(b.profile.id))
    .slice(0, limit);
  const last = page[page.length - 1];
  return {
    list: page.map((user) => ({ ...user.profile, passwordHash: user.passwordHash })),
    nextCursor: page.length === limit && last !== undefined ? last.profile.id : null,
    totalCount: users.length,
  };
}

function listAnswer(users: StoredUser[], params: URLSearchParams): { totalCount: number; list: Profile[] } {
  const { page, limit } = pageOf(params);
  const start = (page - 1) * limit;
  return { totalCount: users.length, list: users.slice(start, start + limit).map((user) => user.profile) };
}

async function route(directory: UserDirectory, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://sample.invalid');
  const method = request.method ?? 'GET';
  const parts = url.pathname.split('/').filter((part) => part !== '').map(decodeURIComponent);
  const [collection, id, action] = parts;

  if (method === 'POST' && parts.length === 1 && collection === 'login') {
    const body = await readJson(request);
    const key = LOOKUP_KEYS.find((candidate) => typeof body[candidate] === 'string');
    if (key === undefined) throw new HttpError(400, 'invalid_body', 'login needs an email, username or phone');
    const user = directory.findBy(key, body[key] as string);
    if (user === undefined) throw new HttpError(404, 'user_not_found', 'user not found');
    // Password first: a blocked answer only for someone who knows the password.
    if (!(await passwordMatches(user, body.password))) {
      throw new HttpError(401, 'wrong_username_or_password', 'wrong username or password');
    }
    if (user.profile.blocked === true) throw new HttpError(403, 'account_blocked', 'account is blocked');
    send(response, 200, user.profile);
    return;
  }
  if (collection !== 'users') throw new HttpError(404, 'not_found', 'no such endpoint');

  if (parts.length === 1 && method === 'GET') {
    const key = LOOKUP_KEYS.find((candidate) => url.searchParams.has(candidate));
    const matching =
      key === undefined
        ? directory.all()
        : [directory.findBy(key, url.searchParams.get(key) ?? '')].filter((user) => user !== undefined);
    send(response, 200, listAnswer(matching, url.searchParams));
    return;
  }
  if (parts.length === 1 && method === 'POST') {
    send(response, 201, (await directory.create(await readJson(request))).profile);
    return;
  }
  if (parts.length === 2 && id === 'export' && method === 'GET') {
    send(response, 200, exportAnswer(directory.all(), url.searchParams));
    return;
  }
  if (parts.length === 2 && id === 'search' && method === 'GET') {
    const keyword = (url.searchParams.get('keyword') ?? '').toLowerCase();
    const matching = directory
      .all()
      .filter((user) => SEARCH_FIELDS.some((field) => String(user.profile[field] ?? '').toLowerCase().includes(keyword)));
    send(response, 200, listAnswer(matching, url.searchParams));
    return;
  }
  if (parts.length === 2 && id !== undefined) {
    if (method === 'GET') {
      send(response, 200, directory.get(id).profile);
      return;
    }
    if (method === 'PATCH') {
      send(response, 200, (await directory.update(id, await readJson(request))).profile);
      return;
    }
    if (method === 'DELETE') {
      directory.delete(id);
      send(response, 204);
      return;
    }
  }
  if (parts.length === 3 && id !== undefined && action === 'verify-password' && method === 'POST') {
    const body = await readJson(request);
    send(response, 200, { valid: await passwordMatches(directory.get(id), body.password) });
    return;
  }
  throw new HttpError(404, 'not_found', 'no such endpoint');
}

export async function startSampleWebService(options: SampleWebServiceOptions): Promise<SampleWebService> {
  const directory = new UserDirectory();
  const server = createServer((request, response) => {
    const authorization = request.headers.authorization ?? '';
    const authorized =
      options.apiKey === undefined ||
      (authorization.startsWith('Bearer ') && sameSecret(authorization.slice('Bearer '.length), options.apiKey));
    const handled = authorized
      ? route(directory, request, response)
      : Promise.reject(new HttpError(401, 'invalid_api_key', 'missing or wrong API key'));
    handled.catch((error: unknown) => {
      if (error instanceof HttpError) {
        send(response, error.status, { error: error.code, message: error.message });
        return;
      }
      console.error('sample web service:', error);
      send(response, 500, { error: 'internal_error', message: 'internal error' });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${String(port)}`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
