/**
 * An application that signs its users in with Gatehouse: a tiny web server with a
 * "Sign in with Gatehouse" button, using openid-client (the standard relying-party
 * library) for everything OpenID Connect. After sign-in it shows the user's claims.
 *
 *   npm run example-app -- --issuer http://127.0.0.1:3000/oidc/<poolId> \
 *     --client-id <clientId> --client-secret <clientSecret> [--port 4000]
 *
 * (or GATEHOUSE_ISSUER, CLIENT_ID, CLIENT_SECRET, PORT in the environment). Register the
 * application in the pool with the redirect URI http://localhost:<port>/callback and the
 * post-logout redirect URI http://localhost:<port>/.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { parseArgs } from 'node:util';
import * as client from 'openid-client';

interface Options {
  issuer: string;
  clientId: string;
  clientSecret: string | undefined;
  port: number;
}

function readOptions(): Options {
  const { values } = parseArgs({
    options: {
      issuer: { type: 'string' },
      'client-id': { type: 'string' },
      'client-secret': { type: 'string' },
      port: { type: 'string' },
    },
  });
  const issuer = values.issuer ?? process.env['GATEHOUSE_ISSUER'];
  const clientId = values['client-id'] ?? process.env['CLIENT_ID'];
  const port = Number(values.port ?? process.env['PORT'] ?? 4000);
  if (!issuer || !clientId || !Number.isInteger(port)) {
    console.error('usage: npm run example-app -- --issuer <issuer URL> --client-id <id> [--client-secret <secret>] [--port 4000]');
    process.exit(2);
  }
  return { issuer, clientId, clientSecret: values['client-secret'] ?? process.env['CLIENT_SECRET'], port };
}

/** What the app remembers per browser: the sign-in in progress, then the user. */
interface Session {
  pending?: { verifier: string; state: string; nonce: string };
  user?: { claims: Record<string, unknown>; idToken: string | undefined };
}

const escape = (value: string) =>
  value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

function page(body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Example app</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:640px;margin:48px auto;padding:0 16px;color:#111827}
a.button,button{display:inline-block;background:#4f46e5;color:#fff;border:0;border-radius:10px;padding:12px 18px;font:600 15px system-ui;text-decoration:none;cursor:pointer}
table{border-collapse:collapse;width:100%;margin:16px 0}td{border-bottom:1px solid #e5e7eb;padding:6px 8px;vertical-align:top}td:first-child{color:#6b7280;width:40%}</style>
</head><body><h1>Example app</h1>${body}</body></html>`;
}

async function main(): Promise<void> {
  const options = readOptions();
  const base = `http://localhost:${options.port}`;
  const redirectUri = `${base}/callback`;
  const config = await client.discovery(
    new URL(options.issuer),
    options.clientId,
    options.clientSecret,
    options.clientSecret === undefined ? client.None() : undefined,
    // a local Gatehouse speaks http; a real deployment is https and needs no exception
    new URL(options.issuer).protocol === 'http:' ? { execute: [client.allowInsecureRequests] } : undefined,
  );
  const sessions = new Map<string, Session>();

  const sessionOf = (request: IncomingMessage, response: ServerResponse): Session => {
    const id = /(?:^|;\s*)example_session=([A-Za-z0-9_-]+)/.exec(request.headers.cookie ?? '')?.[1];
    const existing = id ? sessions.get(id) : undefined;
    if (existing) return existing;
    const fresh = randomBytes(18).toString('base64url');
    const session: Session = {};
    sessions.set(fresh, session);
    response.setHeader('set-cookie', `example_session=${fresh}; Path=/; HttpOnly; SameSite=Lax`);
    return session;
  };
  const send = (response: ServerResponse, status: number, html: string) => {
    response.writeHead(status, { 'content-type': 'text/html; charset=utf-8' }).end(html);
  };
  const redirect = (response: ServerResponse, location: string) => {
    response.writeHead(302, { location }).end();
  };

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', base);
    const session = sessionOf(request, response);
    (async () => {
      if (url.pathname === '/') {
        if (!session.user) {
          return send(response, 200, page('<p>You are not signed in.</p><p><a class="button" href="/login">Sign in with Gatehouse</a></p>'));
        }
        const rows = Object.entries(session.user.claims)
          .map(([name, value]) => `<tr><td>${escape(name)}</td><td>${escape(JSON.stringify(value))}</td></tr>`)
          .join('');
        return send(response, 200, page(`<p>Signed in as <strong>${escape(String(session.user.claims['email'] ?? session.user.claims['sub']))}</strong>.</p><table>${rows}</table><p><a class="button" href="/logout">Sign out</a></p>`));
      }
      if (url.pathname === '/login') {
        const verifier = client.randomPKCECodeVerifier();
        session.pending = { verifier, state: client.randomState(), nonce: client.randomNonce() };
        return redirect(
          response,
          client
            .buildAuthorizationUrl(config, {
              redirect_uri: redirectUri,
              scope: 'openid profile email phone offline_access',
              code_challenge: await client.calculatePKCECodeChallenge(verifier),
              code_challenge_method: 'S256',
              state: session.pending.state,
              nonce: session.pending.nonce,
            })
            .toString(),
        );
      }
      if (url.pathname === '/callback') {
        const pending = session.pending;
        if (!pending) return redirect(response, '/');
        delete session.pending;
        const tokens = await client.authorizationCodeGrant(config, url, {
          pkceCodeVerifier: pending.verifier,
          expectedState: pending.state,
          expectedNonce: pending.nonce,
        });
        const sub = tokens.claims()?.sub ?? '';
        const claims = await client.fetchUserInfo(config, tokens.access_token, sub);
        session.user = { claims: { ...claims }, idToken: tokens.id_token };
        return redirect(response, '/');
      }
      if (url.pathname === '/logout') {
        const idToken = session.user?.idToken;
        delete session.user;
        if (!config.serverMetadata().end_session_endpoint || !idToken) return redirect(response, '/');
        return redirect(response, client.buildEndSessionUrl(config, { id_token_hint: idToken, post_logout_redirect_uri: `${base}/` }).toString());
      }
      send(response, 404, page('<p>Not found.</p>'));
    })().catch((error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      send(response, 500, page(`<p>Sign-in failed: ${escape(message)}</p><p><a href="/">Start again</a></p>`));
    });
  });
  server.listen(options.port, '127.0.0.1', () => console.log(`example app listening at ${base}`));
}

main().catch((error: unknown) => {
  console.error('example app failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
