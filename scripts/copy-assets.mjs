// Build step: tsc compiles src/ to dist/src/ but copies no JSON; first-party plugins need their plugin.json.
import { cpSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const pluginsDir = join(root, 'src/plugins');
let copied = 0;
for (const name of readdirSync(pluginsDir)) {
  const manifest = join(pluginsDir, name, 'plugin.json');
  if (!existsSync(manifest)) continue;
  cpSync(manifest, join(root, 'dist/src/plugins', name, 'plugin.json'));
  copied++;
}
process.stdout.write(`copied ${copied} plugin manifest(s) to dist/src/plugins\n`);
