/**
 * What the OpenID tests share: a listening server (a relying party needs real HTTP),
 * applications made through the admin API, and a browser stand-in that follows
 * redirects with a cookie jar and fills in the hosted sign-in form with plain requests.
 */
import * as client from 'openid-client';
import { startTestServer, type StoreDialect, type TestServer } from '../support/server.js';
import type { Config } from '../../src/config/config.js';

export interface OidcTestServer extends TestServer {
  baseUrl: string;
  issuer(poolId: string): string;
  createApplication(poolId: string, body: Record<string, unknown>): Promise<{ id: string; clientId: string; clientSecret?: string }>;
}

export async function startOidcServer(dialect: StoreDialect, overrides: Partial<Config> = {}): Promise<OidcTestServer> {
  const server = await startTestServer(dialect, overrides);
  const baseUrl = await server.server.app.listen({ port: 0, host: '127.0.0.1' });
  return {
    ...server,
    baseUrl,
    issuer: (poolId) => `${overrides.publicUrl ?? baseUrl}/oidc/${poolId}`,
    async createApplication(poolId, body) {
      const response = await server.admin('POST', `/api/v1/pools/${poolId}/applications`, body);
      if (response.statusCode !== 201) throw new Error(`application create failed: ${response.body}`);
      return response.json();
    },
  };
}

/** openid-client against a loopback http issuer */
export async function discover(issuer: string, clientId: string, clientSecret?: string): Promise<client.Configuration> {
  return client.discovery(new URL(issuer), clientId, clientSecret, clientSecret === undefined ? client.None() : undefined, {
    execute: [client.allowInsecureRequests],
  });
}

/** A browser without a screen: a cookie jar and manual redirects. */
export class Browser {
  private readonly cookies = new Map<string, string>();

  async fetch(url: string, init: { method?: string; form?: Record<string, string>; headers?: Record<string, string> } = {}) {
    const headers: Record<string, string> = { ...init.headers };
    if (this.cookies.size > 0) headers['cookie'] = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    let body: string | undefined;
    if (init.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
    }
    const response = await fetch(url, { method: init.method ?? (body ? 'POST' : 'GET'), headers, body, redirect: 'manual' });
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const index = pair.indexOf('=');
      const name = pair.slice(0, index).trim();
      const value = pair.slice(index + 1).trim();
      const expired = attributes.some((attribute) => /^\s*expires=Thu, 01 Jan 1970/i.test(attribute)) || value === '';
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return response;
  }

  /** follows redirects until one leaves the server (to the application) or a page answers */
  async follow(url: string, stopAt: string, init: { method?: string; form?: Record<string, string> } = {}) {
    let response = await this.fetch(url, init);
    let current = url;
    for (let hops = 0; hops < 20; hops++) {
      const location = response.headers.get('location');
      if (response.status < 300 || response.status >= 400 || location === null) return { response, url: current };
      current = new URL(location, current).toString();
      if (current.startsWith(stopAt)) return { response, url: current };
      response = await this.fetch(current);
    }
    throw new Error('too many redirects');
  }
}

export interface SignInForm {
  action: string;
  csrf: string;
  html: string;
  status: number;
}

export function readForm(html: string, base: string, status = 200): SignInForm {
  const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
  const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1];
  if (!action || !csrf) throw new Error(`no form in page:\n${html.slice(0, 2000)}`);
  return { action: new URL(action.replace(/&amp;/g, '&'), base).toString(), csrf, html, status };
}

export interface CodeFlow {
  browser: Browser;
  verifier: string;
  state: string;
  authorizationUrl: URL;
}

export async function startCodeFlow(
  config: client.Configuration,
  redirectUri: string,
  scope = 'openid profile email phone offline_access',
  extra: Record<string, string> = {},
): Promise<CodeFlow> {
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const authorizationUrl = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope,
    state,
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    ...extra,
  });
  return { browser: new Browser(), verifier, state, authorizationUrl };
}

/** Opens the authorization URL and answers the sign-in page; resolves with the callback URL or the page shown instead. */
export async function signIn(
  flow: CodeFlow,
  redirectUri: string,
  account: string,
  password: string,
): Promise<{ callback?: URL; page?: SignInForm }> {
  const opened = await flow.browser.follow(flow.authorizationUrl.toString(), redirectUri);
  if (opened.url.startsWith(redirectUri)) return { callback: new URL(opened.url) };
  const form = readForm(await opened.response.text(), opened.url);
  const posted = await flow.browser.follow(form.action, redirectUri, { form: { csrf: form.csrf, account, password } });
  if (posted.url.startsWith(redirectUri)) return { callback: new URL(posted.url) };
  return { page: readForm(await posted.response.text(), posted.url, posted.response.status) };
}

export async function signInAndExchange(
  config: client.Configuration,
  redirectUri: string,
  account: string,
  password: string,
  scope?: string,
) {
  const flow = await startCodeFlow(config, redirectUri, scope);
  const { callback, page } = await signIn(flow, redirectUri, account, password);
  if (!callback) throw new Error(`sign-in did not return to the application:\n${page?.html.slice(0, 1500)}`);
  const tokens = await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: flow.verifier, expectedState: flow.state });
  return { tokens, flow, callback };
}
