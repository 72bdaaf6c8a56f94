/**
 * `gatehouse admin-key create|list|revoke`: named admin keys from the command line, on the
 * store the configuration names (the server need not run). Changes are recorded in the
 * audit log as the owner's: whoever runs this has the store, hence every right.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/config.js';
import { createAdminKey, listAdminKeys, revokeAdminKey, type AdminKey } from '../auth/admin-keys.js';
import { openStore, type Store } from '../store/database.js';
import type { CliIo } from './output.js';
import { EXIT_CODES, configurationFailure, formatFailure, startupFailureOf } from './startup-failures.js';

export const ADMIN_KEY_HELP = `Usage: gatehouse admin-key create --name <name> [--pool <pool id>] [--json]
       gatehouse admin-key list [--json]
       gatehouse admin-key revoke <key id> [--json]

Named admin keys (README, "Admin keys and the audit log"), on the store of the configuration
in the environment (DATABASE_URL or GATEHOUSE_DATA_DIR); the server need not be running.
create prints the key's token once: only its hash is kept. Each change is recorded in the
audit log as made by the owner.

Options:
  --name <name>     create: the key's name (1 to 100 characters, not "owner")
  --pool <pool id>  create: limit the key to this pool (default: every pool)
  --json            print the result as JSON
  -h, --help        show this help

Exit status: 0 done, 1 refused (no such key or pool, a bad name), 2 bad command line,
or a start-up failure's status when the store cannot be opened (README, "Operating Gatehouse").`;

export async function runAdminKey(argv: string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        name: { type: 'string' },
        pool: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: true,
    });
  } catch (error) {
    return usage(error instanceof Error ? error.message : String(error), io);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout.write(`${ADMIN_KEY_HELP}\n`);
    return 0;
  }
  const [action, ...rest] = positionals;
  if (action === 'create' && (values.name === undefined || rest.length > 0)) return usage('create needs --name <name> and nothing else', io);
  if (action === 'list' && (rest.length > 0 || values.name !== undefined || values.pool !== undefined)) return usage('list takes no arguments but --json', io);
  if (action === 'revoke' && (rest.length !== 1 || values.name !== undefined || values.pool !== undefined)) return usage('revoke needs the key id: gatehouse admin-key revoke <key id>', io);
  if (action !== 'create' && action !== 'list' && action !== 'revoke') return usage('say create, list or revoke', io);

  const loaded = loadConfig(io.env);
  if (!loaded.ok) return failed(configurationFailure(loaded.problems), io);
  let store: Store;
  try {
    store = await openStore({ databaseUrl: loaded.config.databaseUrl, dataDir: loaded.config.dataDir });
  } catch (error) {
    return failed(startupFailureOf(error, loaded.config, 'opening'), io);
  }
  try {
    const print = (value: unknown, human: string) => io.stdout.write(values.json ? `${JSON.stringify(value, null, 2)}\n` : `${human}\n`);
    if (action === 'list') {
      const keys = await listAdminKeys(store);
      print(keys, keys.length === 0 ? 'No admin keys yet (gatehouse admin-key create --name <name>).' : keys.map(describe).join('\n'));
      return 0;
    }
    if (action === 'create') {
      const created = await createAdminKey(store, { name: values.name ?? '', poolId: values.pool });
      if (!created.ok) return refused(created.error.message.replace(/^body\.name/, '--name').replace(/^No user pool/, '--pool: no user pool'), io);
      print(created.value, `Created ${describe(created.value)}\nToken (shown only this once; keep it): ${created.value.token}`);
      return 0;
    }
    const revoked = await revokeAdminKey(store, rest[0] ?? '');
    if (!revoked.ok) return refused(revoked.error.message, io);
    print(revoked.value, `Revoked ${describe(revoked.value)}`);
    return 0;
  } finally {
    await store.close();
  }
}

const describe = (key: AdminKey): string =>
  `${key.id}  "${key.name}"  ${key.poolId === null ? 'every pool' : `pool ${key.poolId}`}  created ${key.createdAt}${key.revokedAt === null ? '' : `  revoked ${key.revokedAt}`}`;

function usage(message: string, io: CliIo): number {
  io.stderr.write(`gatehouse admin-key: ${message}\nRun gatehouse admin-key --help for its usage.\n`);
  return EXIT_CODES.usage;
}

function refused(message: string, io: CliIo): number {
  io.stderr.write(`gatehouse admin-key: ${message}\n`);
  return 1;
}

function failed(failure: Parameters<typeof formatFailure>[0], io: CliIo): number {
  io.stderr.write(`${formatFailure(failure).replace(/^Gatehouse cannot start/, 'gatehouse admin-key cannot open the store')}\n`);
  return failure.exitCode;
}
