/**
 * The composition root: opens the store, sets up keys and tokens, wires the services
 * the HTTP layer needs. Tests build servers through here too, so they run what
 * production runs.
 */
import { sql } from 'kysely';
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import type { Config } from './config/config.js';
import { setUpAdminToken, tokenCheck } from './auth/admin-token.js';
import { createTokenService } from './auth/tokens.js';
import { buildApp } from './http/app.js';
import { createSecretBox } from './secrets/secret-box.js';
import { SecretKeyMismatchError, loadOrGenerateSecretKey, verifySecretKey } from './secrets/secret-key.js';
import { openStore, postgresServerAddress, type Store } from './store/database.js';
import { poolsRepository } from './store/pools.js';
import { settingsRepository } from './store/settings.js';
import { usersRepository } from './store/users.js';
import { customDbRepository } from './store/custom-db.js';
import { withRevisionCache } from './store/revision-cache.js';
import { withPoolCache } from './store/pool-cache.js';
import { ScriptRuntimePool, type ScriptRuntimePoolOptions } from './script-runtime/index.js';
import { connectionLog } from './custom-db/connection-log.js';
import { customDbService } from './custom-db/custom-db-service.js';
import type { ServerServices } from './custom-db/runtime-spec.js';
import { connectionConfigs } from './custom-db/connection-configs.js';
import { loginThrottle } from './auth/login-throttle.js';
import { loginUseCase } from './auth/login.js';
import { userDirectories } from './users/directories.js';
import { loginAttemptsRepository } from './store/login-attempts.js';
import { applicationsRepository } from './store/applications.js';
import { oidcModelsRepository } from './store/oidc-models.js';
import { oidcKeysRepository } from './store/oidc-keys.js';
import { applicationsService } from './applications/applications.js';
import { createOidc, type OidcService } from './oidc/index.js';
import { DEFAULT_MAIL_FROM } from './config/config.js';
import { emailTokensRepository } from './store/email-tokens.js';
import { outboxRepository } from './store/outbox.js';
import { emailSettingsRepository } from './store/email-settings.js';
import { developmentMailer, smtpMailer, type MailLog } from './mail/mailer.js';
import { backgroundWork } from './auth/background.js';
import { emailTokens } from './auth/email-tokens.js';
import { passwordReset, type ForgotPasswordLimits, type PasswordResetHook } from './auth/password-reset.js';
import { emailVerification } from './auth/email-verification.js';
import { adminKeys } from './auth/admin-keys.js';
import { auditLog, type AuditLog } from './audit/audit-log.js';
import { auditLogRepository } from './store/audit-log.js';
import { DEFAULT_AUDIT_RETENTION_DAYS } from './config/config.js';
import { createMetrics, type Metrics } from './metrics/metrics.js';
import { recordingLogins } from './auth/login-metrics.js';
import { jobsRepository } from './store/jobs.js';
import { createJobRunner, type JobRunner } from './jobs/runner.js';
import { userImport } from './import/user-import.js';
import { userImportWriter } from './store/user-import.js';
import { hashPassword } from './passwords/passwords.js';
import { importRest } from './migration/import-rest.js';

export interface Server {
  app: FastifyInstance;
  store: Store;
  /** set only on the start that generated the admin token: it is shown once, then only its hash is kept */
  generatedAdminToken: string | undefined;
  generatedSecretKey: boolean;
  /** the script runtimes of this instance (tests kill one by pid) */
  runtimes: ScriptRuntimePool;
  /** this server's metrics (an import job reports imported users through it) */
  metrics: Metrics;
  /** the OpenID providers (tests rotate keys and sweep through it) */
  oidc: OidcService;
  /**
   * Run after every password reset with the pool and user id: the place to revoke the
   * user's refresh tokens and sessions (the OpenID provider adds its own).
   */
  onPasswordReset: PasswordResetHook[];
  /** background jobs of this instance (import the rest registers its kind here) */
  jobs: JobRunner;
  /** resolves once background mail work (forgot-password lookups, sends) started so far is done */
  mailIdle(): Promise<void>;
  /** the audit log (tests sweep it with their own clock) */
  audit: AuditLog;
  close(): Promise<void>;
}

export interface ServerOptions {
  logger?: FastifyServerOptions['logger'];
  runtimes?: ScriptRuntimePoolOptions;
  /** the clock of the login throttle, the email tokens, the audit log and the circuit breakers (tests pass a fake one); Date.now by default */
  now?: () => number;
  /** waits between SMTP delivery attempts (tests shorten them) */
  mailRetryDelaysMs?: readonly number[];
  /** forgot-password budgets (tests lower them) */
  forgotPasswordLimits?: ForgotPasswordLimits;
  /** how long a job's lease lasts unrenewed before another instance takes the job over (tests shorten it) */
  jobLeaseMs?: number;
  /** import the rest: users asked of `exportUsers` per page, pauses before retrying a failed page (tests lower both) */
  importRest?: { pageSize?: number; retryDelaysMs?: readonly number[] };
}

export async function createServer(config: Config, options: ServerOptions = {}): Promise<Server> {
  const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  const metrics = createMetrics({ now: options.now ?? Date.now });
  const runtimes = new ScriptRuntimePool({
    listenHost: config.host,
    allowUnsandboxed: config.unsafeScripts === true,
    events: metrics.runtimeEvents,
    ...options.runtimes,
  });
  metrics.watchRuntimes(() => runtimes.stats().runtimes);
  try {
    const settings = settingsRepository(store.db);
    const secretKey = loadOrGenerateSecretKey(config.secretKey, config.dataDir);
    const box = createSecretBox(secretKey.key);
    if (!(await verifySecretKey(settings, box))) {
      throw new SecretKeyMismatchError();
    }
    const tokens = await createTokenService(settings, box);
    const admin = await setUpAdminToken(config.adminToken, settings);
    const pools = withPoolCache(poolsRepository(store.db), store.changes);
    const users = usersRepository(store.db);
    const repository = withRevisionCache(customDbRepository(store.db), store.changes);
    const log = connectionLog(repository, (error) => app.log.warn({ err: error }, 'connection log entry lost'));
    let serverServices: ServerServices | undefined;
    const customDb = customDbService({
      configs: connectionConfigs(repository, box),
      users,
      runtimes,
      log,
      // Known once the server listens (PORT=0 picks the port then); fixed from that moment.
      serverServices: () => (serverServices ??= ownServices(app, config)),
      metrics,
      ...(options.now ? { now: options.now } : {}),
    });

    const now = options.now ?? Date.now;
    const mailLog: MailLog = {
      info: (details, message) => app.log.info(details, message),
      warn: (details, message) => app.log.warn(details, message),
      error: (details, message) => app.log.error(details, message),
    };
    const outbox = outboxRepository(store.db);
    const mailer = config.smtpUrl
      ? smtpMailer({
          url: config.smtpUrl,
          from: config.mailFrom ?? DEFAULT_MAIL_FROM,
          log: mailLog,
          ...(options.mailRetryDelaysMs ? { retryDelaysMs: options.mailRetryDelaysMs } : {}),
        })
      : developmentMailer(outbox, mailLog, now);
    const background = backgroundWork((label, error) => app.log.error({ err: error }, `${label} failed`));
    const tokensForEmail = emailTokens(emailTokensRepository(store.db), now);
    const publicUrl = () => config.publicUrl ?? listeningUrl(app, config);
    const onPasswordReset: PasswordResetHook[] = [];
    const audit = auditLog(auditLogRepository(store.db), {
      retentionDays: config.auditRetentionDays ?? DEFAULT_AUDIT_RETENTION_DAYS,
      now,
      onLost: (error, entry) => app.log.error({ err: error, audit: entry }, 'audit entry lost'),
      onSweepFailed: (error) => app.log.warn({ err: error }, 'audit log sweep failed'),
    });
    const emailSettings = emailSettingsRepository(store.db);
    const baseDirectoryFor = userDirectories(users, customDb, metrics);
    const verification = emailVerification({
      directoryFor: baseDirectoryFor,
      tokens: tokensForEmail,
      settings: emailSettings,
      mailer,
      publicUrl,
      background,
    });
    const directoryFor = verification.verifyingOnRegistration(baseDirectoryFor);
    const reset = passwordReset({
      directoryFor,
      tokens: tokensForEmail,
      attempts: loginAttemptsRepository(store.db, store.dialect),
      mailer,
      publicUrl,
      now,
      background,
      onPasswordReset,
      log: mailLog,
      ...(options.forgotPasswordLimits ? { limits: options.forgotPasswordLimits } : {}),
    });

    const login = recordingLogins(
      loginUseCase({
        directoryFor,
        users,
        throttle: loginThrottle(loginAttemptsRepository(store.db, store.dialect), config.throttle, options.now),
      }),
      metrics,
    );
    const applications = applicationsRepository(store.db);
    const jobs = createJobRunner({
      jobs: jobsRepository(store.db),
      log: { error: (details, message) => app.log.error(details, message) },
      ...(options.jobLeaseMs === undefined ? {} : { leaseMs: options.jobLeaseMs }),
    });
    // Registers its job kind with the runner, before the runner resumes any job below.
    const importRestJobs = importRest({ pools, users, customDb, jobs, ...options.importRest });
    const oidc = createOidc({
      pools,
      applications,
      models: oidcModelsRepository(store.db),
      keys: oidcKeysRepository(store.db),
      box,
      secretKey: secretKey.key,
      login,
      directoryFor,
      publicUrl,
      sendPasswordReset: async (pool, email, request) => reset.request(pool, email, request),
      resetPassword: async (pool, token, password) => {
        const outcome = await reset.reset(pool, token, password);
        if (outcome.ok) return { ok: true };
        // An unusable link reads in the page's own words; other failures (the user database
        // down, a weak password) say what happened.
        return outcome.error.code === 'INVALID_TOKEN' ? { ok: false } : { ok: false, message: outcome.error.message };
      },
      verifyEmail: async (pool, token) => {
        const outcome = await verification.verify(pool, token);
        return outcome.ok ? 'verified' : outcome.error.code === 'INVALID_TOKEN' ? 'invalid' : 'unavailable';
      },
      log: { error: (details, message) => app.log.error(details, message), warn: (details, message) => app.log.warn(details, message) },
    });

    // A reset ends the user's OpenID sessions and refresh tokens (API access tokens are
    // stateless JWTs and run out within the hour).
    onPasswordReset.push((poolId, userId) => oidc.revokeUser(poolId, userId));

    const app = await buildApp(
      {
        pools,
        directoryFor,
        login,
        customDb,
        applications: applicationsService(applications),
        oidc,
        tokens,
        adminToken: admin.check,
        adminKeys: adminKeys(store, admin.check, now),
        audit,
        publicIps: config.publicIps,
        scriptSandbox: () => runtimes.sandboxStatus(),
        passwordReset: reset,
        emailVerification: verification,
        outbox,
        emailSettings,
        metrics,
        metricsToken: config.metricsToken === undefined ? admin.check : tokenCheck(config.metricsToken),
        jobs,
        userImport: userImport({ jobs, writer: userImportWriter(store.db), hashPassword }),
        importRest: importRestJobs,
        storeReachable: async () => {
          try {
            await sql`select 1`.execute(store.db);
            return true;
          } catch {
            return false;
          }
        },
      },
      { logger: options.logger ?? false, trustProxy: config.trustProxy },
    );
    // After every job kind is registered: jobs left running by a stopped instance are
    // resumed (or failed, for kinds that cannot resume) once their lease has run out.
    void jobs.resumeExpired();

    const stopSweeping = audit.sweepPeriodically();

    return {
      app,
      store,
      generatedAdminToken: admin.generatedToken,
      generatedSecretKey: secretKey.generated,
      runtimes,
      metrics,
      oidc,
      jobs,
      onPasswordReset,
      mailIdle: () => background.idle(),
      audit,
      async close() {
        await stopSweeping();
        oidc.close();
        await app.close();
        await jobs.close();
        await background.idle();
        await mailer.close();
        await runtimes.close();
        await log.flush();
        await store.close();
      },
    };
  } catch (error) {
    // A start that fails half-way must not leave the warm spare process behind.
    await runtimes.close();
    await store.close();
    throw error;
  }
}

/** GATEHOUSE_PUBLIC_URL's default: http://<HOST>:<PORT>, with the port actually bound when PORT is 0. */
function listeningUrl(app: FastifyInstance, config: Config): string {
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host.includes(':') ? `[${config.host}]` : config.host;
  return `http://${host}:${port}`;
}

/**
 * The server's own HTTP listener and its PostgreSQL store, which scripts may never reach
 * (the store only when it is also the connection's database). Undefined until listening.
 */
function ownServices(app: FastifyInstance, config: Config): ServerServices | undefined {
  const address = app.server.address();
  if (typeof address !== 'object' || address === null) return undefined;
  const http = { host: config.host, port: address.port };
  if (config.databaseUrl === undefined) return { http };
  // As pg reads the URL (query parameters, PGHOST, the localhost default): a store the
  // server reaches over TCP is never left out of the scripts' deny list.
  const store = postgresServerAddress(config.databaseUrl);
  return store === undefined ? { http } : { http, store };
}
