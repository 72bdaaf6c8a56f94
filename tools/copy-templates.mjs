// Part of `npm run build`: copies the script templates (src/custom-db/templates/<id>/<script>.js)
// beside the compiled loader in dist/custom-db/templates/, which reads them from its own folder.
// tsc does not: the templates are scripts for the sandbox, not modules of the server.
// Usage: node tools/copy-templates.mjs [from] [to]
import { cpSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const [from = 'src/custom-db/templates', to = 'dist/custom-db/templates'] = process.argv.slice(2);

for (const entry of readdirSync(from, { withFileTypes: true })) {
  if (!entry.isDirectory()) continue;
  // A template deleted or renamed in src must not live on in dist.
  rmSync(join(to, entry.name), { recursive: true, force: true });
  cpSync(join(from, entry.name), join(to, entry.name), { recursive: true });
}
