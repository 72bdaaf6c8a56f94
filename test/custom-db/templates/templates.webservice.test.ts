/** The web-service template against the sample legacy user web service, with an API key. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSampleWebService, type SampleWebService } from '../../../src/sample-db/index.js';
import { templateById } from '../../../src/custom-db/templates/index.js';
import { ScriptRuntimePool } from '../../../src/script-runtime/index.js';
import { runUserScript } from '../../../src/custom-db/script-caller.js';
import { describeTemplateConformance } from './conformance.js';

const API_KEY = 'sample-api-key-for-tests';
let service: SampleWebService;

describeTemplateConformance({
  label: 'sample web service',
  templateId: 'webservice',
  missingId: '999999',
  downEnv: { DB_CONNECTION_URI: 'http://127.0.0.1:1' },
  async setup() {
    service = await startSampleWebService({ port: 0, host: '127.0.0.1', apiKey: API_KEY });
    return {
      uri: { DB_CONNECTION_URI: service.url, API_KEY },
      fields: { DB_HOST: '127.0.0.1', DB_PORT: String(service.port), API_KEY },
    };
  },
  async teardown() {
    await service.close();
  },
});

describe('web-service template: answers that are not about a user', () => {
  let other: SampleWebService;
  let pool: ScriptRuntimePool;
  const { scripts } = templateById('webservice');

  beforeAll(async () => {
    other = await startSampleWebService({ port: 0, host: '127.0.0.1', apiKey: API_KEY });
    pool = new ScriptRuntimePool({ warmSpare: false });
  });
  afterAll(async () => {
    await pool.close();
    await other.close();
  });

  it('a rejected API key is a connection failure, not WrongUsernameOrPasswordError', async () => {
    const spec = { key: 'webservice-bad-key', scripts, env: { DB_CONNECTION_URI: other.url, API_KEY: 'wrong' }, timeoutMs: 10_000 };
    const outcome = await runUserScript(pool, spec, 'login', [{ email: 'alice@example.com' }, 'alice-password-1', {}]);
    expect(outcome).toMatchObject({ ok: false, error: { kind: 'runtime', name: 'Error' } });
  });

  it('a wrong base URL (404 from an unknown path) is a failure, not UserNotFoundError', async () => {
    const spec = { key: 'webservice-bad-base', scripts, env: { DB_CONNECTION_URI: `${other.url}/wrong/base`, API_KEY }, timeoutMs: 10_000 };
    const outcome = await runUserScript(pool, spec, 'getUser', [{ id: '1' }, {}]);
    expect(outcome).toMatchObject({ ok: false, error: { kind: 'runtime', name: 'Error' } });
  });
});
