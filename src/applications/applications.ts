/**
 * The applications of a pool: create, read, edit, delete, rotate the secret. A secret
 * is generated here, answered once, and only its hash is stored.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { fail, ok, type Result } from '../domain/result.js';
import { isConfidential, type Application, type ApplicationType, type IdTokenSigningAlg } from '../domain/application.js';
import type { Page } from '../domain/page.js';
import type { ApplicationsRepository, StoredApplication } from '../store/applications.js';
import { hashClientSecret, newClientSecret } from './client-secret.js';
import { checkRedirectUris } from './redirect-uris.js';

export interface NewApplication {
  name: string;
  type: ApplicationType;
  redirectUris: string[];
  postLogoutRedirectUris?: string[] | undefined;
  idTokenSigningAlg?: IdTokenSigningAlg | undefined;
}

export interface ApplicationChanges {
  name?: string | undefined;
  redirectUris?: string[] | undefined;
  postLogoutRedirectUris?: string[] | undefined;
  idTokenSigningAlg?: IdTokenSigningAlg | undefined;
}

export interface ApplicationsService {
  /** the secret is present only for confidential types, and only in this answer */
  create(poolId: string, input: NewApplication): Promise<Result<Application & { clientSecret?: string }, 'VALIDATION_ERROR'>>;
  get(poolId: string, id: string): Promise<Result<Application, 'APPLICATION_NOT_FOUND'>>;
  list(poolId: string, page: number, limit: number): Promise<Page<Application>>;
  update(poolId: string, id: string, changes: ApplicationChanges): Promise<Result<Application, 'APPLICATION_NOT_FOUND' | 'VALIDATION_ERROR'>>;
  delete(poolId: string, id: string): Promise<Result<void, 'APPLICATION_NOT_FOUND'>>;
  rotateSecret(poolId: string, id: string): Promise<Result<{ clientSecret: string }, 'APPLICATION_NOT_FOUND' | 'VALIDATION_ERROR'>>;
}

const publicView = ({ secretHash: _hash, ...application }: StoredApplication): Application => application;
const notFound = (id: string) => fail('APPLICATION_NOT_FOUND', `No application with id ${id} in this pool`);

/** Sign-in applications need somewhere to send the user back; a machine client never has one. */
function checkUris(
  type: ApplicationType,
  redirectUris: string[],
  postLogoutRedirectUris: string[],
): Result<void, 'VALIDATION_ERROR'> {
  if (type === 'm2m') {
    if (redirectUris.length > 0) return fail('VALIDATION_ERROR', 'body.redirectUris must be empty for an m2m application');
    if (postLogoutRedirectUris.length > 0) {
      return fail('VALIDATION_ERROR', 'body.postLogoutRedirectUris must be empty for an m2m application');
    }
    return ok(undefined);
  }
  if (redirectUris.length === 0) return fail('VALIDATION_ERROR', `body.redirectUris must list at least one URI for a ${type} application`);
  const redirects = checkRedirectUris(redirectUris, type, 'body.redirectUris');
  if (!redirects.ok) return redirects;
  const logouts = checkRedirectUris(postLogoutRedirectUris, type, 'body.postLogoutRedirectUris');
  return logouts.ok ? ok(undefined) : logouts;
}

export function applicationsService(repository: ApplicationsRepository): ApplicationsService {
  return {
    async create(poolId, input) {
      const postLogoutRedirectUris = input.postLogoutRedirectUris ?? [];
      const checked = checkUris(input.type, input.redirectUris, postLogoutRedirectUris);
      if (!checked.ok) return checked;
      const secret = isConfidential(input.type) ? newClientSecret() : undefined;
      const now = new Date().toISOString();
      const stored: StoredApplication = {
        id: randomUUID(),
        poolId,
        clientId: randomBytes(16).toString('hex'),
        name: input.name,
        type: input.type,
        redirectUris: input.redirectUris,
        postLogoutRedirectUris,
        idTokenSigningAlg: input.idTokenSigningAlg ?? 'ES256',
        secretHash: secret === undefined ? null : hashClientSecret(secret),
        createdAt: now,
        updatedAt: now,
      };
      await repository.insert(stored);
      return ok(secret === undefined ? publicView(stored) : { ...publicView(stored), clientSecret: secret });
    },
    async get(poolId, id) {
      const found = await repository.get(poolId, id);
      return found ? ok(publicView(found)) : notFound(id);
    },
    async list(poolId, page, limit) {
      const found = await repository.list(poolId, page, limit);
      return { totalCount: found.totalCount, list: found.list.map(publicView) };
    },
    async update(poolId, id, changes) {
      const current = await repository.get(poolId, id);
      if (!current) return notFound(id);
      const checked = checkUris(
        current.type,
        changes.redirectUris ?? current.redirectUris,
        changes.postLogoutRedirectUris ?? current.postLogoutRedirectUris,
      );
      if (!checked.ok) return checked;
      const updated = await repository.update(poolId, id, changes);
      return updated ? ok(publicView(updated)) : notFound(id);
    },
    async delete(poolId, id) {
      return (await repository.delete(poolId, id)) ? ok(undefined) : notFound(id);
    },
    async rotateSecret(poolId, id) {
      const current = await repository.get(poolId, id);
      if (!current) return notFound(id);
      if (!isConfidential(current.type)) {
        return fail('VALIDATION_ERROR', `A ${current.type} application is a public client and has no secret to rotate`);
      }
      const secret = newClientSecret();
      const updated = await repository.update(poolId, id, { secretHash: hashClientSecret(secret) });
      return updated ? ok({ clientSecret: secret }) : notFound(id);
    },
  };
}
