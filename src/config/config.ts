/**
 * Reads and validates the server's environment once, at start. Every problem is
 * reported together, each naming the variable and how to fix it, so an operator
 * fixes a bad deployment in one round instead of one variable per restart.
 */
import { isIP } from 'node:net';
import path from 'node:path';

/** Login throttling budgets (auth/login-throttle.ts): attempts per account and per client address in a window. */
export interface ThrottleSettings {
  maxFailuresPerAccount: number;
  maxFailuresPerAddress: number;
  windowSeconds: number;
}

export const DEFAULT_THROTTLE: ThrottleSettings = { maxFailuresPerAccount: 10, maxFailuresPerAddress: 100, windowSeconds: 900 };

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  /** `postgres://…` makes PostgreSQL the own store; undefined = embedded SQLite in dataDir. */
  databaseUrl: string | undefined;
  adminToken: string | undefined;
  /** GATEHOUSE_METRICS_TOKEN: the bearer for GET /metrics; undefined = the admin token */
  metricsToken?: string | undefined;
  /** 32 raw bytes; undefined = generated into (or read from) the data dir. */
  secretKey: Buffer | undefined;
  publicIps: string[];
  /** Fastify's trustProxy: false, true, or a list of proxy addresses/CIDRs */
  trustProxy: boolean | string[];
  throttle: ThrottleSettings;
  /** The server log's level (`LOG_LEVEL`); undefined in hand-built configs, whose caller picks the logger. */
  logLevel?: LogLevel;
  /** GATEHOUSE_PUBLIC_URL: what browsers and applications see; undefined = http://<HOST>:<bound port> */
  publicUrl?: string | undefined;
  /**
   * GATEHOUSE_UNSAFE_SCRIPTS=1: the operator trusts every script author, so scripts may run
   * without an OS sandbox on any address (by default they do only on loopback).
   */
  unsafeScripts?: boolean;
  /** GATEHOUSE_SMTP_URL: `smtp://…` or `smtps://…`; undefined = development mail (logged, kept in the pool's outbox) */
  smtpUrl?: string | undefined;
  /** GATEHOUSE_MAIL_FROM: the sender of every email; undefined = DEFAULT_MAIL_FROM */
  mailFrom?: string | undefined;
  /** GATEHOUSE_STORE_WAIT_SECONDS: how long a start waits for an unreachable store; undefined = DEFAULT_STORE_WAIT_SECONDS */
  storeWaitSeconds?: number;
  /** GATEHOUSE_AUDIT_RETENTION_DAYS: audit entries older than this are deleted; undefined = DEFAULT_AUDIT_RETENTION_DAYS */
  auditRetentionDays?: number | undefined;
}

/** Long enough for a database container started alongside to accept connections. */
export const DEFAULT_STORE_WAIT_SECONDS = 30;

export const DEFAULT_AUDIT_RETENTION_DAYS = 90;
/** A century: beyond it the cut-off date would leave the range of dates. */
const MAX_AUDIT_RETENTION_DAYS = 36500;

export const DEFAULT_MAIL_FROM = 'Gatehouse <no-reply@localhost>';

/** The levels the logger (pino, through Fastify) knows; anything else makes it throw at start. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
const isLogLevel = (candidate: string): candidate is LogLevel => (LOG_LEVELS as readonly string[]).includes(candidate);

export type ConfigResult = { ok: true; config: Config } | { ok: false; problems: string[] };

type Env = Record<string, string | undefined>;

export function loadConfig(env: Env = process.env): ConfigResult {
  const problems: string[] = [];
  const value = (name: string): string | undefined => {
    const raw = env[name];
    return raw === undefined || raw.trim() === '' ? undefined : raw.trim();
  };

  let port = 3000;
  const rawPort = value('PORT');
  if (rawPort !== undefined) {
    port = Number(rawPort);
    if (!/^\d+$/.test(rawPort) || port < 0 || port > 65535) {
      problems.push(`PORT must be a whole number from 0 to 65535 (got "${rawPort}"); unset it to use 3000.`);
    }
  }

  const host = value('HOST') ?? '127.0.0.1';
  if (!isIP(host) && !/^[A-Za-z0-9.-]+$/.test(host)) {
    problems.push(`HOST must be an IP address or a host name (got "${host}"); unset it to bind 127.0.0.1.`);
  }

  const dataDir = path.resolve(value('GATEHOUSE_DATA_DIR') ?? './data');

  const databaseUrl = value('DATABASE_URL');
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\/.+/.test(databaseUrl)) {
    problems.push(
      'DATABASE_URL must be a PostgreSQL URL such as postgres://user:password@127.0.0.1:5432/gatehouse; ' +
        'unset it to use the embedded SQLite store in GATEHOUSE_DATA_DIR.',
    );
  }

  const adminToken = value('GATEHOUSE_ADMIN_TOKEN');
  if (adminToken !== undefined && adminToken.length < 16) {
    problems.push(
      'GATEHOUSE_ADMIN_TOKEN must be at least 16 characters (e.g. `openssl rand -base64 32`); ' +
        'unset it to have one generated on first start.',
    );
  }

  const metricsToken = value('GATEHOUSE_METRICS_TOKEN');
  if (metricsToken !== undefined && metricsToken.length < 16) {
    problems.push(
      'GATEHOUSE_METRICS_TOKEN must be at least 16 characters (e.g. `openssl rand -base64 32`); ' +
        'unset it to have Prometheus use the admin token.',
    );
  }

  let secretKey: Buffer | undefined;
  const rawKey = value('GATEHOUSE_SECRET_KEY');
  if (rawKey !== undefined) {
    const decoded = Buffer.from(rawKey, 'base64');
    if (decoded.length !== 32 || !/^[A-Za-z0-9+/]+={0,2}$/.test(rawKey)) {
      problems.push(
        'GATEHOUSE_SECRET_KEY must be 32 bytes in base64 (make one with `openssl rand -base64 32`); ' +
          'unset it to have one generated into the data dir.',
      );
    } else {
      secretKey = decoded;
    }
  }

  const publicIps: string[] = [];
  for (const entry of (value('GATEHOUSE_PUBLIC_IPS') ?? '').split(',')) {
    const ip = entry.trim();
    if (ip === '') continue;
    if (isIP(ip) === 0) {
      problems.push(`GATEHOUSE_PUBLIC_IPS must be comma-separated IP addresses; "${ip}" is not one.`);
    } else {
      publicIps.push(ip);
    }
  }

  const rawTrust = value('GATEHOUSE_TRUST_PROXY');
  let trustProxy: boolean | string[] = false;
  if (rawTrust === 'true' || rawTrust === '1') trustProxy = true;
  else if (rawTrust !== undefined && rawTrust !== 'false' && rawTrust !== '0') {
    trustProxy = rawTrust.split(',').map((entry) => entry.trim()).filter(Boolean);
    const bad = trustProxy.find((entry) => isIP(entry.split('/')[0] ?? '') === 0);
    if (bad !== undefined) {
      problems.push(`GATEHOUSE_TRUST_PROXY must be true, false or comma-separated proxy addresses/CIDRs; "${bad}" is not one.`);
    }
  }

  const positive = (name: string, fallback: number): number => {
    const raw = value(name);
    if (raw === undefined) return fallback;
    const parsed = Number(raw);
    if (!/^\d+$/.test(raw) || parsed < 1) {
      problems.push(`${name} must be a whole number of at least 1 (got "${raw}"); unset it to use ${fallback}.`);
      return fallback;
    }
    return parsed;
  };
  const throttle: ThrottleSettings = {
    maxFailuresPerAccount: positive('GATEHOUSE_LOGIN_MAX_FAILURES_PER_ACCOUNT', DEFAULT_THROTTLE.maxFailuresPerAccount),
    maxFailuresPerAddress: positive('GATEHOUSE_LOGIN_MAX_FAILURES_PER_IP', DEFAULT_THROTTLE.maxFailuresPerAddress),
    windowSeconds: positive('GATEHOUSE_LOGIN_FAILURE_WINDOW_SECONDS', DEFAULT_THROTTLE.windowSeconds),
  };

  let logLevel: LogLevel = 'info';
  const rawLevel = value('LOG_LEVEL');
  if (rawLevel !== undefined) {
    const level = rawLevel.toLowerCase();
    if (isLogLevel(level)) logLevel = level;
    else problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got "${rawLevel}"); unset it to use info.`);
  }

  const publicUrl = readPublicUrl(value('GATEHOUSE_PUBLIC_URL'), problems);
  const rawUnsafe = value('GATEHOUSE_UNSAFE_SCRIPTS');
  if (rawUnsafe !== undefined && rawUnsafe !== '0' && rawUnsafe !== '1') {
    problems.push(`GATEHOUSE_UNSAFE_SCRIPTS must be 1 (trust every script author: run scripts without an OS sandbox) or 0 (got "${rawUnsafe}"); unset it to keep the sandbox rule.`);
  }
  const unsafeScripts = rawUnsafe === '1';
  let storeWaitSeconds = DEFAULT_STORE_WAIT_SECONDS;
  const rawWait = value('GATEHOUSE_STORE_WAIT_SECONDS');
  if (rawWait !== undefined) {
    storeWaitSeconds = Number(rawWait);
    if (!/^\d+$/.test(rawWait)) {
      problems.push(`GATEHOUSE_STORE_WAIT_SECONDS must be a whole number of seconds, 0 or more (got "${rawWait}"); unset it to wait ${String(DEFAULT_STORE_WAIT_SECONDS)}.`);
    }
  }
  const { smtpUrl, mailFrom } = readMail(value('GATEHOUSE_SMTP_URL'), value('GATEHOUSE_MAIL_FROM'), problems);
  const auditRetentionDays = positive('GATEHOUSE_AUDIT_RETENTION_DAYS', DEFAULT_AUDIT_RETENTION_DAYS);
  if (auditRetentionDays > MAX_AUDIT_RETENTION_DAYS) {
    problems.push(
      `GATEHOUSE_AUDIT_RETENTION_DAYS must be at most ${MAX_AUDIT_RETENTION_DAYS} (got "${String(auditRetentionDays)}"); unset it to keep ${DEFAULT_AUDIT_RETENTION_DAYS} days.`,
    );
  }

  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    config: { port, host, dataDir, databaseUrl, adminToken, metricsToken, secretKey, publicIps, trustProxy, throttle, logLevel, publicUrl, smtpUrl, mailFrom, unsafeScripts, storeWaitSeconds, auditRetentionDays },
  };
}

/** The public base URL: absolute http(s), no query or fragment; issuers and links derive from it. */
function readPublicUrl(raw: string | undefined, problems: string[]): string | undefined {
  if (raw === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.search !== '' || url.hash !== '' || url.username !== '') {
    problems.push(
      `GATEHOUSE_PUBLIC_URL must be the http(s) address browsers use to reach Gatehouse, such as https://id.example.com (got "${raw}"); ` +
        'unset it to use http://<HOST>:<PORT>.',
    );
    return undefined;
  }
  return url.toString().replace(/\/$/, '');
}

/** SMTP server and sender. The URL may hold a password, so a problem never repeats it. */
function readMail(
  rawSmtp: string | undefined,
  rawFrom: string | undefined,
  problems: string[],
): { smtpUrl: string | undefined; mailFrom: string } {
  let smtpUrl: string | undefined;
  if (rawSmtp !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(rawSmtp);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') || url.hostname === '') {
      problems.push(
        'GATEHOUSE_SMTP_URL must be smtp://user:pass@host:port or smtps://user:pass@host:port; ' +
          'unset it to keep mail in the development outbox.',
      );
    } else {
      smtpUrl = rawSmtp;
    }
  }
  const mailFrom = rawFrom ?? DEFAULT_MAIL_FROM;
  // An address with a line break would let a header be injected into every message.
  if (/[\r\n]/.test(mailFrom) || !/@/.test(mailFrom)) {
    problems.push(`GATEHOUSE_MAIL_FROM must be one address such as "Acme <no-reply@acme.example>" (got "${mailFrom}"); unset it to use ${DEFAULT_MAIL_FROM}.`);
  }
  return { smtpUrl, mailFrom };
}

