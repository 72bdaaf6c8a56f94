/** Password reset, email verification, a pool's email settings and its development outbox. */
import { PoolParams } from '../schemas/common.js';
import { UserParams } from '../schemas/users.js';
import { EmailSettingsBody, ForgotPasswordInput, OutboxResponse, ResetPasswordInput, VerifyEmailInput } from '../schemas/email.js';
import { actorOf, requestInfo, requirePool, type AppServices, type TypedApp } from '../context.js';
import { diffFields, plainFields } from '../../domain/audit.js';
import { unwrap } from '../errors.js';

const endUser = (summary: string) => ({ docs: { summary, tags: ['end users'] } });
const admin = (summary: string) => ({ docs: { summary, tags: ['email'], auth: 'admin' as const } });

/** End users' endpoints: no admin token. */
export async function emailRoutes(app: TypedApp, services: AppServices): Promise<void> {
  app.post(
    '/api/v1/pools/:poolId/auth/forgot-password',
    { config: endUser('Mail a password reset link (202 whether or not the account exists)'), schema: { params: PoolParams, body: ForgotPasswordInput } },
    async (request, reply) => {
      const pool = await requirePool(services, request.params.poolId);
      services.passwordReset.request(pool, request.body.email, requestInfo(request));
      return reply.status(202).send();
    },
  );

  app.post(
    '/api/v1/pools/:poolId/auth/reset-password',
    { config: endUser('Set a new password with the token of a reset link'), schema: { params: PoolParams, body: ResetPasswordInput } },
    async (request, reply) => {
      const pool = await requirePool(services, request.params.poolId);
      unwrap(await services.passwordReset.reset(pool, request.body.token, request.body.password));
      return reply.status(204).send();
    },
  );

  app.post(
    '/api/v1/pools/:poolId/auth/verify-email',
    { config: endUser('Verify an email address with the token of a verification link'), schema: { params: PoolParams, body: VerifyEmailInput } },
    async (request, reply) => {
      const pool = await requirePool(services, request.params.poolId);
      unwrap(await services.emailVerification.verify(pool, request.body.token));
      return reply.status(204).send();
    },
  );
}

/** Administrators' endpoints: registered behind the admin-token guard. */
export async function emailAdminRoutes(app: TypedApp, services: AppServices): Promise<void> {
  app.post(
    '/api/v1/pools/:poolId/users/:userId/send-verification-email',
    { config: admin('Mail the user a link that verifies their email address'), schema: { params: UserParams } },
    async (request, reply) => {
      const pool = await requirePool(services, request.params.poolId);
      unwrap(await services.emailVerification.send(pool, request.params.userId));
      await services.audit.record(actorOf(request), {
        action: 'user.send-verification-email',
        poolId: pool.id,
        target: { type: 'user', id: request.params.userId },
      });
      return reply.status(202).send();
    },
  );

  app.get(
    '/api/v1/pools/:poolId/outbox',
    { config: admin('Development mail of the pool (no SMTP server configured), newest first'), schema: { params: PoolParams, response: { 200: OutboxResponse } } },
    async (request) => {
      const pool = await requirePool(services, request.params.poolId);
      return { list: await services.outbox.list(pool.id) };
    },
  );

  app.get(
    '/api/v1/pools/:poolId/email-settings',
    { config: admin("The pool's email settings"), schema: { params: PoolParams, response: { 200: EmailSettingsBody } } },
    async (request) => services.emailSettings.get((await requirePool(services, request.params.poolId)).id),
  );

  app.put(
    '/api/v1/pools/:poolId/email-settings',
    { config: admin("Save the pool's email settings"), schema: { params: PoolParams, body: EmailSettingsBody, response: { 200: EmailSettingsBody } } },
    async (request) => {
      const pool = await requirePool(services, request.params.poolId);
      const before = await services.emailSettings.get(pool.id);
      const saved = await services.emailSettings.save(pool.id, request.body);
      await services.audit.record(actorOf(request), {
        action: 'email-settings.update',
        poolId: pool.id,
        target: { type: 'email-settings', id: pool.id },
        changes: diffFields(plainFields({ ...before }), plainFields({ ...saved })),
      });
      return saved;
    },
  );
}
