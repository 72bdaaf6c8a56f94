// @ts-check
/**
 * A stand-in runtime for test/script-runtime/egress-broker.test.ts: installs the egress
 * client, runs the drivers a script would use, and prints one JSON line per step:
 * `{ step, ok: true, value }` or `{ step, ok: false, name, code, message }`.
 *
 *   node egress-client-fixture.mjs '<json: { socketPath, callId, steps: [...] }>'
 */
import http from 'node:http';
import net from 'node:net';
import tls from 'node:tls';
import { installEgressClient } from '../../src/script-runtime/child/egress-client.mjs';

/**
 * @typedef {{ kind: 'pg', host: string, port: number, sql: string }
 *   | { kind: 'mysql', host: string, port: number, sql: string }
 *   | { kind: 'fetch', url: string }
 *   | { kind: 'http', url: string }
 *   | { kind: 'tls', host: string, port: number, ca: string, send: string }
 *   | { kind: 'tcp', host: string, port: number, send: string }
 *   | { kind: 'mongo', uri: string }
 *   | { kind: 'path', path: string }} Step
 */

const input = /** @type {{ socketPath: string, callId: string, steps: Step[] }} */ (JSON.parse(process.argv[2] ?? '{}'));
installEgressClient({ socketPath: input.socketPath, currentCallId: () => input.callId });

/**
 * Sends `send`, then answers everything received until the peer closes.
 * @param {net.Socket | tls.TLSSocket} socket
 * @param {string} send
 * @param {'connect' | 'secureConnect'} event
 * @returns {Promise<string>}
 */
function exchange(socket, send, event) {
  return new Promise((resolve, reject) => {
    let received = '';
    socket.setEncoding('utf8');
    socket.on(event, () => socket.end(send));
    socket.on('data', (chunk) => {
      received += chunk;
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(received));
  });
}

/** @param {Step} step */
async function run(step) {
  switch (step.kind) {
    case 'pg': {
      const { default: pg } = await import('pg');
      const client = new pg.Client({ host: step.host, port: step.port, user: 'postgres', database: 'postgres', connectionTimeoutMillis: 5000 });
      await client.connect();
      try {
        return (await client.query(step.sql)).rows;
      } finally {
        await client.end();
      }
    }
    case 'mysql': {
      const mysql = await import('mysql2/promise');
      const connection = await mysql.createConnection({ host: step.host, port: step.port, user: 'root', connectTimeout: 5000 });
      try {
        const [rows] = await connection.query(step.sql);
        return rows;
      } finally {
        await connection.end();
      }
    }
    case 'fetch': {
      const response = await fetch(step.url, { signal: AbortSignal.timeout(5000) });
      return { status: response.status, body: await response.text() };
    }
    case 'http':
      return await new Promise((resolve, reject) => {
        http
          .get(step.url, { timeout: 5000 }, (response) => {
            let body = '';
            response.setEncoding('utf8');
            response.on('data', (chunk) => {
              body += chunk;
            });
            response.on('end', () => resolve({ status: response.statusCode, body }));
          })
          .on('error', reject);
      });
    case 'tls': {
      const socket = tls.connect({ host: step.host, port: step.port, ca: step.ca });
      const echoed = await exchange(socket, step.send, 'secureConnect');
      return { echoed, authorized: socket.authorized, servername: socket.servername };
    }
    case 'tcp':
      return await exchange(net.connect(step.port, step.host), step.send, 'connect');
    case 'mongo': {
      const { MongoClient } = await import('mongodb');
      const client = new MongoClient(step.uri, { serverSelectionTimeoutMS: 1500, connectTimeoutMS: 1500 });
      try {
        await client.connect();
        return 'connected';
      } finally {
        await client.close();
      }
    }
    case 'path':
      return await exchange(net.connect({ path: step.path }), 'hello', 'connect');
  }
}

for (const [index, step] of input.steps.entries()) {
  try {
    const value = await run(step);
    process.stdout.write(`${JSON.stringify({ step: index, ok: true, value })}\n`);
  } catch (error) {
    const e = /** @type {Error & { code?: unknown }} */ (error);
    process.stdout.write(`${JSON.stringify({ step: index, ok: false, name: e.name, code: e.code, message: e.message })}\n`);
  }
}
