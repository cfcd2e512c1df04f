// findHostPackages: the real folders of agent2389 and its tool-sdk, for every way agent2389 is installed.
import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { findHostPackages } from '../../../src/cli/scaffold/host-packages.js';

let root: string;
beforeAll(async () => {
  root = await realpath(await mkdtemp(join(tmpdir(), 'agent2389-host-pkgs-')));
});
afterAll(() => rm(root, { recursive: true, force: true }));

async function pkg(dir: string, name: string): Promise<string> {
  await mkdir(join(dir, 'dist/src/cli'), { recursive: true });
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name, version: '0.1.0' }));
  return dir;
}

describe('findHostPackages', () => {
  it('a project install: both packages side by side in node_modules', async () => {
    const nm = join(root, 'project/node_modules');
    const host = await pkg(join(nm, 'agent2389'), 'agent2389');
    const sdk = await pkg(join(nm, '@agent2389/tool-sdk'), '@agent2389/tool-sdk');
    expect(findHostPackages(join(host, 'dist/src/cli'))).toEqual({ agent2389: host, toolSdk: sdk });
  });

  it('a global install: tool-sdk nested under agent2389 wins over a sibling', async () => {
    const nm = join(root, 'global/lib/node_modules');
    const host = await pkg(join(nm, 'agent2389'), 'agent2389');
    await pkg(join(nm, '@agent2389/tool-sdk'), '@agent2389/tool-sdk');
    const nested = await pkg(join(host, 'node_modules/@agent2389/tool-sdk'), '@agent2389/tool-sdk');
    expect(findHostPackages(join(host, 'dist/src/cli'))).toEqual({ agent2389: host, toolSdk: nested });
  });

  it('a symlinked install (npm link, workspace link): real paths, not the links', async () => {
    const checkout = await pkg(join(root, 'checkout'), 'agent2389');
    const sdk = await pkg(join(checkout, 'tool-sdk'), '@agent2389/tool-sdk');
    await mkdir(join(checkout, 'node_modules/@agent2389'), { recursive: true });
    await symlink(sdk, join(checkout, 'node_modules/@agent2389/tool-sdk'));
    const linked = join(root, 'prefix/lib/node_modules');
    await mkdir(linked, { recursive: true });
    await symlink(checkout, join(linked, 'agent2389'));
    expect(findHostPackages(join(linked, 'agent2389/dist/src/cli'))).toEqual({
      agent2389: checkout,
      toolSdk: sdk,
    });
  });

  it('no tool-sdk reachable: AGENT_ERR_INSTALL_INCOMPLETE', async () => {
    const host = await pkg(join(root, 'lonely/agent2389'), 'agent2389');
    expect(() => findHostPackages(join(host, 'dist/src/cli'))).toThrow(
      expect.objectContaining({ code: 'AGENT_ERR_INSTALL_INCOMPLETE' }),
    );
  });

  it('this checkout, from its source', async () => {
    const repo = await realpath(new URL('../../..', import.meta.url).pathname);
    expect(findHostPackages()).toEqual({ agent2389: repo, toolSdk: join(repo, 'tool-sdk') });
  });
});
