/**
 * Two versions of a connection's scripts side by side: jsdiff finds the changed lines, this
 * only lays them out in rows (a removed block next to the added block that replaced it).
 */
import { diffLines } from 'diff';
import { SCRIPT_NAMES, type ScriptName } from '../api/types.js';

export interface DiffRow {
  /** the line on the left (before), or null where the right side added one */
  left: string | null;
  right: string | null;
  kind: 'same' | 'changed' | 'removed' | 'added';
}

export type ScriptSources = Partial<Record<ScriptName, string | null>>;

const linesOf = (value: string): string[] => value.replace(/\n$/, '').split('\n');

export function sideBySide(before: string, after: string): DiffRow[] {
  const parts = diffLines(before, after);
  const rows: DiffRow[] = [];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    if (part === undefined) continue;
    const lines = linesOf(part.value);
    if (!part.added && !part.removed) {
      for (const line of lines) rows.push({ left: line, right: line, kind: 'same' });
      continue;
    }
    if (part.added) {
      for (const line of lines) rows.push({ left: null, right: line, kind: 'added' });
      continue;
    }
    // A removal followed by an addition is one change: pair their lines row by row.
    const next = parts[i + 1];
    const added = next?.added ? linesOf(next.value) : [];
    if (next?.added) i++;
    for (let j = 0; j < Math.max(lines.length, added.length); j++) {
      const left = lines[j] ?? null;
      const right = added[j] ?? null;
      rows.push({ left, right, kind: left !== null && right !== null ? 'changed' : left !== null ? 'removed' : 'added' });
    }
  }
  return rows;
}

/** The scripts whose source differs (a missing script reads as empty), in the contract's order. */
export function changedScripts(before: ScriptSources, after: ScriptSources): ScriptName[] {
  return SCRIPT_NAMES.filter((name) => (before[name] ?? '') !== (after[name] ?? ''));
}
