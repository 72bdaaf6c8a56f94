/**
 * CSRF protection for the hosted forms: a random value in an HttpOnly, SameSite=Lax
 * cookie scoped to the pool's pages, and in each form an HMAC of it under a server key.
 * A cross-site page can neither read the cookie nor compute the token, and a cookie
 * planted from a sibling domain is useless without the key.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

const COOKIE = 'gh_csrf';

export function readCookie(request: FastifyRequest, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const index = part.indexOf('=');
    if (index > 0 && part.slice(0, index).trim() === name) return part.slice(index + 1).trim();
  }
  return undefined;
}

export function appendCookie(reply: FastifyReply, cookie: string): void {
  const existing = reply.getHeader('set-cookie');
  const list = existing === undefined ? [] : Array.isArray(existing) ? existing.map(String) : [String(existing)];
  reply.header('set-cookie', [...list, cookie]);
}

export interface Csrf {
  /** the token for a form on this response, setting the cookie when the browser has none */
  issue(request: FastifyRequest, reply: FastifyReply, path: string): string;
  check(request: FastifyRequest, presented: string | undefined): boolean;
}

export function csrfProtection(key: Buffer, secureCookies: () => boolean): Csrf {
  const sign = (value: string) => createHmac('sha256', key).update(`csrf:${value}`).digest('base64url');
  const valid = (value: string | undefined): value is string => value !== undefined && /^[A-Za-z0-9_-]{20,64}$/.test(value);
  return {
    issue(request, reply, path) {
      let value = readCookie(request, COOKIE);
      if (!valid(value)) {
        value = randomBytes(24).toString('base64url');
        appendCookie(reply, `${COOKIE}=${value}; Path=${path}; HttpOnly; SameSite=Lax${secureCookies() ? '; Secure' : ''}`);
      }
      return sign(value);
    },
    check(request, presented) {
      const value = readCookie(request, COOKIE);
      if (!valid(value) || presented === undefined) return false;
      const expected = Buffer.from(sign(value));
      const actual = Buffer.from(presented);
      return expected.length === actual.length && timingSafeEqual(expected, actual);
    },
  };
}
