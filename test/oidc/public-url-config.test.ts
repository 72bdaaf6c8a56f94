/** GATEHOUSE_PUBLIC_URL: read once at start, refused with a fix when it is not an http(s) base URL. */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';

describe('GATEHOUSE_PUBLIC_URL', () => {
  it('is optional: unset, the issuer derives from the address the server listens on', () => {
    const loaded = loadConfig({});
    expect(loaded.ok && loaded.config.publicUrl).toBeUndefined();
  });

  it('keeps an https base URL, path included, without a trailing slash', () => {
    const loaded = loadConfig({ GATEHOUSE_PUBLIC_URL: 'https://id.example.com/auth/' });
    expect(loaded.ok && loaded.config.publicUrl).toBe('https://id.example.com/auth');
  });

  it.each(['id.example.com', 'ftp://id.example.com', 'https://id.example.com/?x=1', 'https://user@id.example.com', 'https://id.example.com/#top'])(
    'refuses %s, naming the variable and the fix',
    (value) => {
      const loaded = loadConfig({ GATEHOUSE_PUBLIC_URL: value });
      expect(loaded.ok).toBe(false);
      if (!loaded.ok) expect(loaded.problems.join('\n')).toMatch(/GATEHOUSE_PUBLIC_URL must be the http\(s\) address .* unset it/);
    },
  );
});
