/**
 * Sending mail. With GATEHOUSE_SMTP_URL, over SMTP (nodemailer), retried in the
 * background with backoff while the server is unreachable; without it, development
 * mail: kept in the pool's outbox in the store and announced in the log.
 *
 * `send` resolves once the message is handed over (queued, or kept in the outbox), never
 * with the delivery's outcome: the API answers 202 whether the mail server is up or not.
 * No log line holds a message's text, which carries the token.
 */
import nodemailer from 'nodemailer';
import type { OutboxRepository } from '../store/outbox.js';
import type { MailContent } from './templates.js';

export interface OutgoingMail extends MailContent {
  poolId: string;
  to: string;
}

export interface Mailer {
  send(mail: OutgoingMail): Promise<void>;
  /** stops retrying and waits for deliveries in flight */
  close(): Promise<void>;
}

/** Where the mailer reports; the server's logger (pino) fits. */
export interface MailLog {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

/** Waits between delivery attempts: ~20 minutes in all before giving up. */
export const DEFAULT_RETRY_DELAYS_MS = [2_000, 5_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000];

const describe = (error: unknown) => ({
  reason: error instanceof Error ? error.message : String(error),
  code: typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined,
});

export function smtpMailer(options: { url: string; from: string; log: MailLog; retryDelaysMs?: readonly number[] }): Mailer {
  const transport = nodemailer.createTransport(options.url);
  const delays = options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
  const timers = new Set<NodeJS.Timeout>();
  const inFlight = new Set<Promise<void>>();
  let closed = false;

  function attempt(mail: OutgoingMail, failures: number): void {
    const delivery = (async () => {
      const about = { poolId: mail.poolId, to: mail.to, subject: mail.subject };
      try {
        await transport.sendMail({ from: options.from, to: mail.to, subject: mail.subject, text: mail.text, html: mail.html });
        options.log.info({ ...about, attempts: failures + 1 }, 'mail delivered to the SMTP server');
      } catch (error) {
        const delay = delays[failures];
        if (delay === undefined || closed) {
          options.log.error({ ...about, attempts: failures + 1, ...describe(error) }, 'mail not delivered: giving up');
          return;
        }
        options.log.warn({ ...about, attempts: failures + 1, retryInMs: delay, ...describe(error) }, 'mail not delivered: will retry');
        const timer = setTimeout(() => {
          timers.delete(timer);
          attempt(mail, failures + 1);
        }, delay);
        timers.add(timer);
      }
    })();
    inFlight.add(delivery);
    void delivery.finally(() => inFlight.delete(delivery));
  }

  return {
    async send(mail) {
      attempt(mail, 0);
    },
    async close() {
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await Promise.allSettled([...inFlight]);
      transport.close();
    },
  };
}

export function developmentMailer(outbox: OutboxRepository, log: MailLog, now: () => number = Date.now): Mailer {
  return {
    async send(mail) {
      await outbox.add(mail.poolId, { at: new Date(now()).toISOString(), to: mail.to, subject: mail.subject, text: mail.text });
      log.info(
        { poolId: mail.poolId, to: mail.to, subject: mail.subject },
        `development mail (no GATEHOUSE_SMTP_URL): read it at GET /api/v1/pools/${mail.poolId}/outbox`,
      );
    },
    async close() {},
  };
}

/** What `gatehouse doctor` learns of the SMTP server: it connected, greeted (EHLO) and logged in if the URL has credentials. */
export type SmtpCheck = { ok: true; durationMs: number } | { ok: false; durationMs: number; reason: string; code: string | undefined };

const SMTP_CHECK_TIMEOUT_MS = 10_000;

/** Connects to the SMTP server of `url` and says whether mail could be handed to it; sends nothing. */
export async function checkSmtp(url: string): Promise<SmtpCheck> {
  const transport = nodemailer.createTransport({
    url,
    connectionTimeout: SMTP_CHECK_TIMEOUT_MS,
    greetingTimeout: SMTP_CHECK_TIMEOUT_MS,
    socketTimeout: SMTP_CHECK_TIMEOUT_MS,
  });
  const started = performance.now();
  try {
    await transport.verify();
    return { ok: true, durationMs: performance.now() - started };
  } catch (error) {
    return { ok: false, durationMs: performance.now() - started, ...describe(error) };
  } finally {
    transport.close();
  }
}
