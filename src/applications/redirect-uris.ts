/**
 * The contract's redirect URI rules: absolute, compared exactly (oidc-provider does the
 * comparison), no fragment, and `http:` only for a loopback host, where a developer's
 * app runs. Native apps may also use a private scheme (`com.example.app:/callback`);
 * schemes that run code or read files never pass.
 */
import { fail, ok, type Result } from '../domain/result.js';
import type { ApplicationType } from '../domain/application.js';

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
const NEVER_SCHEMES = new Set(['javascript:', 'data:', 'vbscript:', 'file:', 'blob:', 'about:']);
const MAX_URI_LENGTH = 2000;

export function checkRedirectUri(uri: string, type: ApplicationType, field: string): Result<string, 'VALIDATION_ERROR'> {
  if (uri.length > MAX_URI_LENGTH) return fail('VALIDATION_ERROR', `${field} must be at most ${MAX_URI_LENGTH} characters`);
  if (uri.includes('#')) return fail('VALIDATION_ERROR', `${field} must not have a fragment (#…)`);
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return fail('VALIDATION_ERROR', `${field} must be an absolute URI such as https://app.example.com/callback`);
  }
  if (/\s/.test(uri)) return fail('VALIDATION_ERROR', `${field} must not contain spaces`);
  if (NEVER_SCHEMES.has(url.protocol)) return fail('VALIDATION_ERROR', `${field} must not use the ${url.protocol} scheme`);
  if (url.protocol === 'http:') {
    if (!LOOPBACK_HOSTS.has(url.hostname)) {
      return fail('VALIDATION_ERROR', `${field} may use http: only for localhost, 127.0.0.1 or [::1]; use https:`);
    }
  } else if (url.protocol !== 'https:' && type !== 'native') {
    return fail('VALIDATION_ERROR', `${field} must use https: (or http: on localhost); private schemes are for native apps`);
  }
  if ((url.protocol === 'http:' || url.protocol === 'https:') && (url.username !== '' || url.password !== '')) {
    return fail('VALIDATION_ERROR', `${field} must not carry a user name or password`);
  }
  return ok(uri);
}

export function checkRedirectUris(uris: readonly string[], type: ApplicationType, field: string): Result<string[], 'VALIDATION_ERROR'> {
  for (const [index, uri] of uris.entries()) {
    const checked = checkRedirectUri(uri, type, `${field}[${index}]`);
    if (!checked.ok) return checked;
  }
  if (new Set(uris).size !== uris.length) return fail('VALIDATION_ERROR', `${field} must not list a URI twice`);
  return ok([...uris]);
}
