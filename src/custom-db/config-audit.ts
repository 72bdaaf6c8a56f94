/**
 * A connection config as the audit log sees it: one field per setting, env variable,
 * connection part and script. Secrets (the URI's password and secret parameters, the
 * programmatic password, every env value) are shown masked and compared by a hash, so a
 * diff says which secret changed without holding it. Scripts are shown as their line
 * count: the log says that a script changed, its versions say how.
 */
import { createHash } from 'node:crypto';
import { AUDIT_MASK, type AuditFields } from '../domain/audit.js';
import type { CustomDbConfig } from './connection-config.js';
import { maskConfig } from './config-secrets.js';

const fingerprint = (value: string): string => createHash('sha256').update(value, 'utf8').digest('hex');

const lineCount = (source: string): string => {
  const lines = source.split('\n').length - (source.endsWith('\n') ? 1 : 0);
  return `${lines} ${lines === 1 ? 'line' : 'lines'}`;
};

export function auditFieldsOf(config: CustomDbConfig): AuditFields {
  const masked = maskConfig(config);
  const fields: AuditFields = {};
  const plain = (name: string, value: unknown) => (fields[name] = { shown: value, fingerprint: JSON.stringify(value) });
  const secret = (name: string, value: string, shown: unknown) => (fields[name] = { shown, fingerprint: fingerprint(value) });

  plain('enabled', config.enabled);
  plain('mode', config.mode);
  plain('timeoutMs', config.timeoutMs);
  plain('allowedHosts', config.allowedHosts);
  plain('connection.type', config.connection?.type ?? null);
  if (config.connection?.type === 'uri' && masked.connection?.type === 'uri') {
    secret('connection.uri', config.connection.uri, masked.connection.uri);
  }
  if (config.connection?.type === 'programmatic') {
    const { host, port, username, database, password } = config.connection;
    plain('connection.host', host);
    plain('connection.port', port);
    plain('connection.username', username);
    plain('connection.database', database);
    secret('connection.password', password, password === '' ? '' : AUDIT_MASK);
  }
  for (const [name, value] of Object.entries(config.env)) secret(`env.${name}`, value, AUDIT_MASK);
  for (const [name, source] of Object.entries(config.scripts)) {
    if (source === null) plain(`scripts.${name}`, null);
    else secret(`scripts.${name}`, source, lineCount(source));
  }
  return fields;
}
