// npm `prepare`: build dist/ in a source checkout (`npm ci`, `npm link` there). Skipped in an installed
// package (no sources ship) and when another folder's `npm install` links this one (a plugin scaffold's
// `file:` dependency): that must not rebuild, or fail to rebuild, the agent2389 it points at.
import { execSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { relative, isAbsolute } from 'node:path';

const here = realpathSync(process.cwd());
const from = realpathSync(process.env.INIT_CWD ?? here);
const rel = relative(here, from);
const ranHere = rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
if (existsSync('tsconfig.build.json') && ranHere) execSync('npm run build', { stdio: 'inherit' });
