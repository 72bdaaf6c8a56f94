/**
 * Where a connection's scripts may connect, as the egress broker enforces it: the
 * connection's own database servers (from its settings, reachable even on loopback or a
 * private network), its `allowedHosts` (when given, the only other destinations; otherwise
 * any public address), and never the server's own HTTP listener or its store (unless the store
 * is also the connection's database server).
 */
import { egressPolicyFor, parseAllowedHost, type EgressPolicy, type EgressRule } from '../../script-runtime/index.js';
import type { ConnectionSpec, ServiceAddress } from './script-contract.js';

const DEFAULT_PORTS: Record<string, number> = {
  postgres: 5432,
  postgresql: 5432,
  mysql: 3306,
  mariadb: 3306,
  mongodb: 27017,
  mssql: 1433,
  sqlserver: 1433,
  redis: 6379,
  http: 80,
  https: 443,
};

/** A database host from a URI's authority: `host`, `host:port`, `[v6]`, `[v6]:port`, with the scheme's default port. */
function hostRule(text: string, defaultPort?: number): EgressRule | null {
  const entry = text.trim();
  if (entry === '') return null;
  const withPort = (host: string, port: string | undefined): EgressRule => {
    const value = port === undefined ? defaultPort : Number(port);
    return value === undefined ? { host } : { host, port: value };
  };
  const bracketed = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(entry);
  if (bracketed !== null) return withPort(bracketed[1] ?? '', bracketed[2]);
  const hostPort = /^([^:/]+):(\d{1,5})$/.exec(entry);
  if (hostPort !== null) return withPort(hostPort[1] ?? '', hostPort[2]);
  return withPort(entry, undefined);
}

/**
 * The database servers a connection's settings name: every host of `DB_CONNECTION_URI`
 * (multi-host URIs included), or `DB_HOST` with `DB_PORT`. A URI that does not parse names none.
 */
export function databaseRules(env: Readonly<Record<string, string>>): EgressRule[] {
  const uri = env['DB_CONNECTION_URI'];
  if (typeof uri === 'string') {
    const match = /^([a-z][a-z0-9+.-]*):\/\/(?:[^@/?#]*@)?([^/?#]*)/i.exec(uri.trim());
    if (match === null) return [];
    const scheme = (match[1] ?? '').toLowerCase().replace(/\+srv$/, '');
    const rules: EgressRule[] = [];
    for (const host of (match[2] ?? '').split(',')) {
      const rule = hostRule(host, DEFAULT_PORTS[scheme]);
      if (rule !== null) rules.push(rule);
    }
    return rules;
  }
  const host = env['DB_HOST'];
  if (typeof host !== 'string' || host.trim() === '') return [];
  const port = Number(env['DB_PORT']);
  return [Number.isInteger(port) && port >= 1 && port <= 65535 ? { host: host.trim(), port } : { host: host.trim() }];
}

export function connectionEgressPolicy(spec: ConnectionSpec): EgressPolicy {
  const allowedHosts = spec.allowedHosts ?? [];
  const databases: EgressRule[] = spec.databaseHosts ?? databaseRules(spec.env);
  const services = spec.serverServices;
  if (services === undefined) {
    // As egressPolicyFor reads them: an entry that is not a host matches nothing (fail closed).
    const allow = allowedHosts.map(parseAllowedHost).filter((rule): rule is EgressRule => rule !== null);
    return { allow: [...allow, ...databases], anyPublicAddress: allowedHosts.length === 0, deny: [] };
  }
  // A database host without a known port (an unknown URI scheme) is allowed on any port, but
  // then cannot be told apart from the store: it is added beside the policy, not as a database.
  const withPort = databases.filter((rule): rule is ServiceAddress => rule.port !== undefined);
  const anyPort = databases.filter((rule) => rule.port === undefined);
  const policy = egressPolicyFor({ databaseHosts: withPort, allowedHosts, server: services.http, store: services.store });
  return { ...policy, allow: [...policy.allow, ...anyPort] };
}
