// The container, without a Docker engine: the Dockerfile is linted and checked, and its ENTRYPOINT,
// CMD and HEALTHCHECK commands run here exactly as the image runs them, against a real mosquitto.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { CLI, runCli } from '../helpers/agent-process.js';
import { freePort } from '../helpers/free-port.js';
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto.js';

const root = (p: string): string => fileURLToPath(new URL(`../../${p}`, import.meta.url));
const dockerfile = readFileSync(root('Dockerfile'), 'utf8');
const compose = readFileSync(root('docker-compose.yml'), 'utf8');

/** A Dockerfile instruction's arguments (continuation lines joined), for each occurrence. */
function instructions(name: string): string[] {
  const joined = dockerfile.replace(/\\\n\s*/g, ' ');
  return joined
    .split('\n')
    .filter((l) => l.startsWith(`${name} `))
    .map((l) => l.slice(name.length + 1).trim());
}

let broker: Mosquitto;
beforeAll(async () => {
  broker = await startMosquitto();
});
afterAll(() => broker.stop());

describe('Dockerfile and docker-compose.yml', () => {
  it('passes dockerfilelint', async () => {
    const lint = root('node_modules/.bin/dockerfilelint');
    const result = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn(lint, [root('Dockerfile')], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (b: Buffer) => (out += b.toString()));
      child.stderr.on('data', (b: Buffer) => (out += b.toString()));
      child.on('exit', (code) => resolve({ code, out }));
    });
    expect(result.out).toContain('Issues: None found');
    expect(result.code).toBe(0);
  });

  it('builds in two stages and runs as a non-root user under tini, with a healthcheck that uses `agent2389 health`', () => {
    const froms = instructions('FROM');
    expect(froms).toHaveLength(2);
    expect(froms.every((f) => /^node:20-[a-z]+-slim\b/.test(f))).toBe(true);
    expect(instructions('COPY').some((c) => c.startsWith('--from=build'))).toBe(true);
    expect(instructions('USER')).toEqual(['node']);
    expect(instructions('ENTRYPOINT')).toEqual(['["tini", "--", "node", "dist/src/cli/main.js"]']);
    expect(instructions('CMD')).toEqual(['["run"]']);
    expect(instructions('HEALTHCHECK')[0]).toMatch(/CMD \["node", "dist\/src\/cli\/main\.js", "health"\]$/);
    expect(instructions('ENV').join(' ')).toContain('AGENT_CONFIG=/app/config/agent.toml');
    expect(instructions('EXPOSE')).toEqual(['8080']);
    expect(instructions('STOPSIGNAL')).toEqual(['SIGTERM']);
  });

  it('compose runs mosquitto (TCP_NODELAY on) and two agents forming a pipeline from files that exist', () => {
    for (const service of ['mosquitto:', 'researcher:', 'writer:']) expect(compose).toContain(`  ${service}`);
    expect(compose).toContain('image: eclipse-mosquitto:2');
    const mounted = [...compose.matchAll(/- \.\/(examples\/[\w.-]+):/g)].map((m) => m[1]!);
    expect(mounted).toEqual([
      'examples/mosquitto.conf',
      'examples/pipeline-researcher.toml',
      'examples/pipeline-writer.toml',
    ]);
    for (const file of mounted) expect(existsSync(root(file))).toBe(true);
    expect(readFileSync(root('examples/mosquitto.conf'), 'utf8')).toMatch(/^set_tcp_nodelay true$/m);
  });
});

describe('the image commands, run directly', () => {
  it('CMD ["run"] reads /app/config/agent.toml via AGENT_CONFIG; HEALTHCHECK exits 0 while ready, 1 after SIGTERM', async () => {
    const healthPort = String(await freePort());
    // The container's environment: config path, health port, broker and log format from ENV / compose.
    const env = {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'production',
      AGENT_CONFIG: root('examples/pipeline-researcher.toml'),
      HEALTH_PORT: healthPort,
      MQTT_BROKER_URL: broker.url,
      LOG_FORMAT: 'json',
      AGENT2389_DATA_DIR: join(tmpdir(), 'agent2389-container-data'),
    };
    const agent = spawn(process.execPath, [CLI, 'run'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    agent.stdout.on('data', (b: Buffer) => (out += b.toString()));
    const exited = new Promise<number | null>((resolve) => agent.on('exit', (code) => resolve(code)));
    try {
      await expect.poll(() => out, { timeout: 15_000 }).toContain('"msg":"agent available"');
      const healthy = await runCli(['health'], { HEALTH_PORT: healthPort });
      expect(healthy.code).toBe(0);
      expect(healthy.stdout).toMatch(/^200 \{"status":"ready"\}/);
      agent.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect((await runCli(['health'], { HEALTH_PORT: healthPort })).code).toBe(1);
    } finally {
      if (agent.exitCode === null) agent.kill('SIGKILL');
    }
  });
});
