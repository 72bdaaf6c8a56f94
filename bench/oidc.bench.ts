/**
 * OpenID Connect figures: a full sign-in of a local user (authorize → hosted form →
 * code exchange) and refresh-token throughput, against a direct baseline in the same
 * run. The baseline is the least a refresh can cost: a route that checks the client's
 * secret hash, swaps the refresh token in memory and signs an ES256 access token with
 * jose. Gatehouse does the same through oidc-provider with its state in the embedded
 * SQLite store (lookup, consume, new grant-bound tokens, reuse detection).
 *
 * Refresh tokens rotate on every use, so a fixed-body load generator cannot drive it:
 * both sides get the same closed loop of `concurrency` chains, each refreshing its own
 * token as fast as answers come, for the same duration.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, generateKeyPair } from 'jose';
import { createPool, expectStatus, median, percentile, requestJson, startGatehouse } from './support.js';

export interface OidcBenchOptions {
  signIns: number;
  durationSeconds: number;
  concurrency: number;
  log: (line: string) => void;
}

const CALLBACK = 'http://127.0.0.1:9/callback';

/** A browser's part of the code flow with fetch: cookies by name, redirects by hand. */
async function signIn(issuer: string, clientId: string, clientSecret: string, username: string, password: string): Promise<string> {
  const cookies = new Map<string, string>();
  const go = async (url: string, form?: Record<string, string>) => {
    const headers: Record<string, string> = { cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') };
    if (form) headers['content-type'] = 'application/x-www-form-urlencoded';
    const response = await fetch(url, { method: form ? 'POST' : 'GET', headers, redirect: 'manual', ...(form ? { body: new URLSearchParams(form).toString() } : {}) });
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const at = pair.indexOf('=');
      cookies.set(pair.slice(0, at), pair.slice(at + 1));
    }
    return response;
  };
  const follow = async (first: Response, from: string) => {
    let response = first;
    let url = from;
    while (response.status >= 300 && response.status < 400) {
      url = new URL(response.headers.get('location') ?? '', url).toString();
      if (url.startsWith(CALLBACK)) return { url, response };
      response = await go(url);
    }
    return { url, response };
  };
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const authorize = `${issuer}/auth?${new URLSearchParams({
    client_id: clientId, response_type: 'code', scope: 'openid offline_access', redirect_uri: CALLBACK,
    code_challenge: challenge, code_challenge_method: 'S256', state: 's',
  })}`;
  const page = await follow(await go(authorize), authorize);
  const html = await page.response.text();
  const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1] ?? '';
  const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
  const actionUrl = new URL(action.replace(/&amp;/g, '&'), page.url).toString();
  const back = await follow(await go(actionUrl, { csrf, account: username, password }), actionUrl);
  const code = new URL(back.url).searchParams.get('code');
  if (!code) throw new Error(`sign-in did not return a code (${back.response.status})`);
  const token = await fetch(`${issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}` },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: CALLBACK, code_verifier: verifier }),
  });
  const body = (await token.json()) as { refresh_token?: string };
  if (!body.refresh_token) throw new Error(`code exchange failed: ${JSON.stringify(body)}`);
  return body.refresh_token;
}

/** `chains` loops, each refreshing its own token; answers refreshes per second. */
async function refreshLoop(tokenUrl: string, basic: string, tokens: string[], seconds: number): Promise<number> {
  const until = performance.now() + seconds * 1000;
  let done = 0;
  await Promise.all(
    tokens.map(async (initial) => {
      let token = initial;
      while (performance.now() < until) {
        const response = await fetch(tokenUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic },
          body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: token }).toString(),
        });
        const body = (await response.json()) as { refresh_token?: string };
        if (response.status !== 200 || !body.refresh_token) throw new Error(`refresh failed: ${response.status} ${JSON.stringify(body)}`);
        token = body.refresh_token;
        done++;
      }
    }),
  );
  return done / seconds;
}

/** The direct baseline: secret hash check, in-memory rotation, jose ES256 signing. */
async function startDirectRefresh(clientId: string, secret: string): Promise<{ url: string; tokens: string[]; server: Server }> {
  const { privateKey } = await generateKeyPair('ES256');
  const secretHash = createHash('sha256').update(secret).digest();
  const grants = new Map<string, { sub: string; used: boolean }>();
  const tokens = Array.from({ length: 64 }, () => {
    const token = randomBytes(32).toString('base64url');
    grants.set(token, { sub: 'user-1', used: false });
    return token;
  });
  const server = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk: Buffer) => (text += chunk.toString()));
    request.on('end', () => {
      void (async () => {
        const [id, presented] = Buffer.from((request.headers.authorization ?? '').replace(/^Basic /, ''), 'base64').toString().split(':');
        const hash = createHash('sha256').update(presented ?? '').digest();
        const params = new URLSearchParams(text);
        const grant = grants.get(params.get('refresh_token') ?? '');
        if (id !== clientId || !timingSafeEqual(hash, secretHash) || params.get('grant_type') !== 'refresh_token' || !grant || grant.used) {
          response.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"invalid_grant"}');
          return;
        }
        grant.used = true;
        const next = randomBytes(32).toString('base64url');
        grants.set(next, { sub: grant.sub, used: false });
        const accessToken = await new SignJWT({ client_id: clientId })
          .setProtectedHeader({ alg: 'ES256' })
          .setSubject(grant.sub)
          .setIssuedAt()
          .setExpirationTime('1h')
          .sign(privateKey);
        response
          .writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' })
          .end(JSON.stringify({ access_token: accessToken, refresh_token: next, token_type: 'Bearer', expires_in: 3600 }));
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`, tokens, server };
}

export async function benchOidc(options: OidcBenchOptions): Promise<Record<string, number>> {
  const gatehouse = await startGatehouse();
  try {
    const base = gatehouse.url;
    const poolId = await createPool(base, 'OpenID bench');
    await expectStatus(requestJson(base, 'POST', `/api/v1/pools/${poolId}/users`, { username: 'rita', password: 'rita-password' }), 201, 'create user');
    const app = (await expectStatus(
      requestJson(base, 'POST', `/api/v1/pools/${poolId}/applications`, { name: 'Bench', type: 'web', redirectUris: [CALLBACK] }),
      201,
      'create application',
    )) as { clientId: string; clientSecret: string };
    const issuer = `${base}/oidc/${poolId}`;

    // warm-up: provider built, keys made, argon2 and statements warm
    for (let i = 0; i < 3; i++) await signIn(issuer, app.clientId, app.clientSecret, 'rita', 'rita-password');
    const durations: number[] = [];
    const refreshTokens: string[] = [];
    for (let i = 0; i < options.signIns; i++) {
      const started = performance.now();
      refreshTokens.push(await signIn(issuer, app.clientId, app.clientSecret, 'rita', 'rita-password'));
      durations.push(performance.now() - started);
    }
    options.log(`sign-ins: ${durations.length}, p50 ${median(durations).toFixed(1)} ms, p90 ${percentile(durations, 90).toFixed(1)} ms`);

    const basic = `Basic ${Buffer.from(`${app.clientId}:${app.clientSecret}`).toString('base64')}`;
    if (refreshTokens.length < options.concurrency + 1) throw new Error('signIns must exceed concurrency: one token warms up, the others run');
    const [warmToken = '', ...chains] = refreshTokens;
    const direct = await startDirectRefresh(app.clientId, app.clientSecret);
    try {
      // a second of each side first (JIT, statements), then the measured runs
      await refreshLoop(`${issuer}/token`, basic, [warmToken], 1);
      await refreshLoop(direct.url, basic, direct.tokens.splice(0, 1), 1);
      const gatehouseRps = await refreshLoop(`${issuer}/token`, basic, chains.slice(0, options.concurrency), options.durationSeconds);
      const directRps = await refreshLoop(direct.url, basic, direct.tokens.splice(0, options.concurrency), options.durationSeconds);
      options.log(`refresh with ${options.concurrency} chains: gatehouse ${gatehouseRps.toFixed(0)}/s, direct ${directRps.toFixed(0)}/s`);
      return {
        oidc_sign_in_p50_ms: median(durations),
        token_refresh_rps: gatehouseRps,
        direct_refresh_rps: directRps,
        token_refresh_ratio_vs_direct: gatehouseRps / directRps,
      };
    } finally {
      await new Promise((resolve) => direct.server.close(resolve));
    }
  } finally {
    await gatehouse.close();
  }
}
