/**
 * What the application form edits and sends: URIs one per line, the API's field names
 * read back out of its 400 messages so the form can point at the field it names.
 */
import type { Application, ApplicationInput, ApplicationPatch, ApplicationType } from '../api/types.js';

export const TYPE_LABELS: Record<ApplicationType, string> = {
  web: 'Web app (server-side)',
  spa: 'Single-page app',
  native: 'Native or mobile app',
  m2m: 'Machine to machine',
};

/** Web apps and machine clients keep a secret; browsers and phones cannot (the server's isConfidential). */
export const hasSecret = (type: ApplicationType): boolean => type === 'web' || type === 'm2m';

/** Machine clients sign no one in, so they have nowhere to send a user back to. */
export const hasRedirects = (type: ApplicationType): boolean => type !== 'm2m';

/** One URI a line; blank lines and the spaces around a URI are not part of it. */
export function linesOf(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

export const textOf = (uris: readonly string[]): string => uris.join('\n');

export interface FormValues {
  name: string;
  type: ApplicationType;
  redirectUris: string;
  postLogoutRedirectUris: string;
}

export function inputFrom(values: FormValues): ApplicationInput {
  const withRedirects = hasRedirects(values.type);
  return {
    name: values.name.trim(),
    type: values.type,
    redirectUris: withRedirects ? linesOf(values.redirectUris) : [],
    postLogoutRedirectUris: withRedirects ? linesOf(values.postLogoutRedirectUris) : [],
  };
}

const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((item, index) => item === b[index]);

/** On edit only what changed; an empty patch means there is nothing to save. */
export function patchFrom(values: FormValues, application: Application): ApplicationPatch {
  const next = inputFrom({ ...values, type: application.type });
  const patch: ApplicationPatch = {};
  if (next.name !== application.name) patch.name = next.name;
  if (!sameList(next.redirectUris, application.redirectUris)) patch.redirectUris = next.redirectUris;
  const logouts = next.postLogoutRedirectUris ?? [];
  if (!sameList(logouts, application.postLogoutRedirectUris)) patch.postLogoutRedirectUris = logouts;
  return patch;
}

export type FormField = 'name' | 'type' | 'redirectUris' | 'postLogoutRedirectUris';

/**
 * The field a 400 message names ("body.redirectUris[1] must use https: …") and, for a
 * URI, which one (the API counts from 0, people from 1; blank lines are not counted).
 */
export function fieldOfMessage(message: string): { field: FormField; entry?: number } | null {
  const match = /^body\.(name|type|redirectUris|postLogoutRedirectUris)\b(?:\[(\d+)\])?/.exec(message);
  if (!match?.[1]) return null;
  const field = match[1] as FormField;
  return match[2] === undefined ? { field } : { field, entry: Number(match[2]) + 1 };
}
