/**
 * The audit log's entries: who (the admin key) changed what (action, pool, target), when,
 * and how (a per-field diff). Values that are secrets are written as the mask, so the log
 * can be shown to any administrator of the pool and kept for weeks without holding a
 * password, a token or a connection secret.
 */
import type { Actor } from './actor.js';

/** What a secret reads as in a diff: the same mask the API answers secrets with. */
export const AUDIT_MASK = '********';

/** What an entry is about: a pool, a user, an application, an admin key, … */
export interface AuditTarget {
  type: string;
  id: string;
}

/**
 * One field's change. `from` is absent when the field was added (or its earlier value is not
 * known to the route), `to` when it was removed. A secret reads as the mask on both sides:
 * its presence in `changes` is what says it changed.
 */
export interface FieldChange {
  from?: unknown;
  to?: unknown;
}

export type AuditChanges = Record<string, FieldChange>;

/** What a route records; the time and the actor are added by the audit log. */
export interface NewAuditEntry {
  action: string;
  /** null for changes outside any pool (pool creation is recorded with the new pool's id) */
  poolId: string | null;
  target: AuditTarget;
  changes?: AuditChanges;
}

export interface AuditEntry {
  at: string;
  actor: { keyId: string; name: string };
  action: string;
  poolId: string | null;
  target: AuditTarget;
  changes: AuditChanges;
}

export function auditEntry(actor: Actor, entry: NewAuditEntry, at: Date): AuditEntry {
  return {
    at: at.toISOString(),
    actor: { keyId: actor.keyId, name: actor.name },
    action: entry.action,
    poolId: entry.poolId,
    target: entry.target,
    changes: entry.changes ?? {},
  };
}

/**
 * A field as the log may show it, and a fingerprint of its real value to compare by: for a
 * secret the shown value is the mask and the fingerprint a hash, so two views can be diffed
 * without either holding the secret.
 */
export interface AuditField {
  shown: unknown;
  fingerprint: string;
}

export type AuditFields = Record<string, AuditField>;

/** Fields whose values may be shown as they are. */
export function plainFields(values: Record<string, unknown>): AuditFields {
  const fields: AuditFields = {};
  for (const [name, value] of Object.entries(values)) {
    if (value === undefined) continue;
    fields[name] = { shown: value, fingerprint: JSON.stringify(value) };
  }
  return fields;
}

/** The fields that differ between two views, each with its shown values. */
export function diffFields(before: AuditFields, after: AuditFields): AuditChanges {
  const changes: AuditChanges = {};
  const names = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  for (const name of names) {
    const old = before[name];
    const now = after[name];
    if (old?.fingerprint === now?.fingerprint) continue;
    changes[name] = { ...(old ? { from: old.shown } : {}), ...(now ? { to: now.shown } : {}) };
  }
  return changes;
}

/**
 * What a create or a patch set, as changes with `to` only; the named secret fields read as
 * the mask.
 */
export function setFields(values: Record<string, unknown>, secretFields: readonly string[] = []): AuditChanges {
  const changes: AuditChanges = {};
  for (const [name, value] of Object.entries(values)) {
    if (value === undefined) continue;
    changes[name] = { to: secretFields.includes(name) ? AUDIT_MASK : value };
  }
  return changes;
}
