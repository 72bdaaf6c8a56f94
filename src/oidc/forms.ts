/** Reading a hosted form's fields: strings only, each required one present and within its size. */
import { fail, ok, type Result } from '../domain/result.js';

export interface FieldRule {
  label: string;
  min: number;
  max: number;
  pattern?: RegExp;
}

/** The API's limits (http/schemas/users.ts), restated because the hosted pages do not import the API layer. */
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 256;
export const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+$/;

export function readFields<K extends string>(
  body: unknown,
  rules: Record<K, FieldRule>,
): Result<Record<K, string>, 'VALIDATION_ERROR'> {
  const source = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const values = {} as Record<K, string>;
  for (const name of Object.keys(rules) as K[]) {
    const rule = rules[name];
    const raw = source[name];
    if (Array.isArray(raw)) return fail('VALIDATION_ERROR', `${rule.label} was sent more than once`);
    const value = typeof raw === 'string' ? raw : undefined;
    if (value === undefined || value.length < rule.min) {
      return fail('VALIDATION_ERROR', rule.min > 1 ? `${rule.label} must be at least ${rule.min} characters` : `${rule.label} is required`);
    }
    if (value.length > rule.max) return fail('VALIDATION_ERROR', `${rule.label} must be at most ${rule.max} characters`);
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u001f\u007f]/.test(value)) return fail('VALIDATION_ERROR', `${rule.label} contains characters that are not allowed`);
    if (rule.pattern && !rule.pattern.test(value)) return fail('VALIDATION_ERROR', `${rule.label} is not valid`);
    values[name] = value;
  }
  return ok(values);
}

/** A form body (application/x-www-form-urlencoded): a repeated field is refused rather than guessed at. */
export function parseForm(text: string): Record<string, string | string[]> {
  const fields: Record<string, string | string[]> = {};
  for (const [name, value] of new URLSearchParams(text)) {
    const existing = fields[name];
    fields[name] = existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value];
  }
  return fields;
}
