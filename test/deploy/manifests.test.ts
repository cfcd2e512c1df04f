// deploy/kubernetes/ and docker-compose.scale.yml against the image (Dockerfile), the config loader
// and the drain: replicas, probes, config path, secrets, termination grace (docs/scaling.md).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { parse as parseToml } from 'smol-toml';
import { afterAll, describe, expect, it } from 'vitest';

import { ABORT_SETTLE_MS } from '../../src/core/agent/drain.js';
import { loadConfig } from '../../src/core/config/load.js';
import type { AgentConfig } from '../../src/core/config/schema.js';
import type { ConfigWarning } from '../../src/core/config/unknown-keys.js';
import { isPlainObject } from '../../src/core/protocol/envelope.js';
import {
  composeFile,
  dockerfileEnv,
  durationMs,
  findKind,
  hostOf,
  kustomizeResources,
  obj,
  objs,
  read,
  serviceEnv,
  serviceMounts,
  yamlDocuments,
  type Obj,
} from './deploy-files.js';

const IMAGE_ENV = dockerfileEnv(read('Dockerfile'));
const CONFIG_PATH = IMAGE_ENV['AGENT_CONFIG'] ?? '(no ENV AGENT_CONFIG in the Dockerfile)';

/** How long a stopping agent may take to drain: the grace period, then aborted tasks settle. */
const drainMs = (c: AgentConfig): number => c.lifecycle.shutdown_grace_seconds * 1000 + ABORT_SETTLE_MS;

/** loadConfig with `env` as the process would see it; unknown keys (warnings) are errors here too. */
async function load(file: string, env: Record<string, string>): Promise<AgentConfig> {
  const warnings: ConfigWarning[] = [];
  const config = await loadConfig(file, { env, onWarning: (w) => warnings.push(w) });
  expect(warnings).toEqual([]);
  return config;
}

/** Every `*_env` value in a TOML document (the variables it reads secrets from). */
function envKeys(node: unknown): string[] {
  if (!isPlainObject(node)) return [];
  return Object.entries(node).flatMap(([k, v]) =>
    k.endsWith('_env') && typeof v === 'string' ? [v] : envKeys(v),
  );
}

describe('deploy/kubernetes', () => {
  const docs = kustomizeResources('deploy/kubernetes');
  const deployment = findKind(docs, 'Deployment');
  const spec = obj(deployment['spec'], 'Deployment spec');
  const pod = obj(obj(spec['template'], 'template')['spec'], 'pod spec');
  const containers = objs(pod['containers'], 'containers');
  const mounted = (c: Obj): Obj[] =>
    c['volumeMounts'] === undefined ? [] : objs(c['volumeMounts'], 'mounts');
  const agent =
    containers.find((c) => mounted(c).some((m) => m['mountPath'] === CONFIG_PATH)) ?? containers[0]!;
  const configMount = mounted(agent).find((m) => m['mountPath'] === CONFIG_PATH);
  const envList = agent['env'] === undefined ? [] : objs(agent['env'], 'env');
  const literalEnv = Object.fromEntries(
    envList.filter((e) => typeof e['value'] === 'string').map((e) => [String(e['name']), String(e['value'])]),
  );

  /** The ConfigMap's file that configMount mounts (undefined when it mounts none). */
  function configText(): string | undefined {
    if (configMount === undefined) return undefined;
    const volume = objs(pod['volumes'], 'volumes').find((v) => v['name'] === configMount['name']);
    const mapName = volume && isPlainObject(volume['configMap']) ? volume['configMap']['name'] : undefined;
    if (typeof mapName !== 'string') return undefined;
    const data = obj(findKind(docs, 'ConfigMap', mapName)['data'], 'ConfigMap data');
    const text = data[String(configMount['subPath'])];
    return typeof text === 'string' ? text : undefined;
  }
  const tmp = mkdtempSync(join(tmpdir(), 'agent2389-manifests-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));
  let loaded: Promise<AgentConfig> | undefined;
  /** The ConfigMap's agent.toml, loaded with the image's ENV and the container's literal env. */
  const config = (): Promise<AgentConfig> => {
    const file = join(tmp, 'agent.toml');
    writeFileSync(file, configText() ?? '');
    return (loaded ??= load(file, { ...IMAGE_ENV, ...literalEnv }));
  };

  it('runs at least two replicas', () => {
    expect(spec['replicas']).toBeGreaterThanOrEqual(2);
  });

  it("mounts a ConfigMap's agent.toml at exactly the Dockerfile's AGENT_CONFIG", () => {
    expect(CONFIG_PATH).toMatch(/^\/.+\.toml$/);
    expect(configMount).toMatchObject({ mountPath: CONFIG_PATH, subPath: expect.any(String) as string });
    expect(configText()).toContain('[agent]');
  });

  it("the ConfigMap's agent.toml loads with loadConfig, without warnings", async () => {
    const c = await config();
    expect(c.mqtt.shared_group).toBeDefined();
    expect(c.dedupe.store).toBe('redis');
  });

  it("probes GET /live (liveness) and /ready (readiness) on the config's health port", async () => {
    const { port } = (await config()).health;
    const ports = agent['ports'] === undefined ? [] : objs(agent['ports'], 'ports');
    const portOf = (probe: unknown): unknown => {
      const get = obj(obj(probe, 'probe')['httpGet'], 'httpGet');
      const p = get['port'];
      return {
        path: get['path'],
        port: typeof p === 'string' ? ports.find((q) => q['name'] === p)?.['containerPort'] : p,
      };
    };
    expect(portOf(agent['livenessProbe'])).toEqual({ path: '/live', port });
    expect(portOf(agent['readinessProbe'])).toEqual({ path: '/ready', port });
  });

  it("sets every variable the config's *_env keys name from a Secret (secret.example.yaml has the key)", () => {
    const names = envKeys(parseToml(configText() ?? ''));
    expect(names.length).toBeGreaterThan(0);
    const secrets = yamlDocuments('deploy/kubernetes/secret.example.yaml');
    for (const name of names) {
      const entry = envList.find((e) => e['name'] === name);
      const ref = entry && isPlainObject(entry['valueFrom']) ? entry['valueFrom']['secretKeyRef'] : undefined;
      expect({ name, ref }).toMatchObject({
        name,
        ref: { name: expect.any(String) as string, key: expect.any(String) as string },
      });
      const { name: secretName, key } = obj(ref, 'secretKeyRef') as { name: string; key: string };
      const secret = findKind(secrets, 'Secret', secretName);
      expect({
        ...obj(secret['stringData'] ?? {}, 'stringData'),
        ...obj(secret['data'] ?? {}, 'data'),
      }).toHaveProperty([key]);
    }
  });

  it('terminationGracePeriodSeconds exceeds the drain (shutdown_grace_seconds + the abort settle)', async () => {
    const drain = drainMs(await config());
    expect(Number(pod['terminationGracePeriodSeconds']) * 1000).toBeGreaterThan(drain);
  });
});

describe('docker-compose.scale.yml', () => {
  const { dir, services } = composeFile('docker-compose.scale.yml');
  const agents = Object.entries(services).flatMap(([name, s]) => {
    const mount = serviceMounts(s, dir).find((m) => m.target === CONFIG_PATH);
    return mount ? [{ name, service: s, file: mount.source, env: serviceEnv(s) }] : [];
  });
  let loaded: Promise<AgentConfig[]> | undefined;
  /** Each agent service's config, loaded with the image's ENV and the service's environment. */
  const configs = (): Promise<AgentConfig[]> =>
    (loaded ??= Promise.all(agents.map((a) => load(a.file, { ...IMAGE_ENV, ...a.env }))));

  it('each agent config (examples/scale.toml) loads with loadConfig, without warnings', async () => {
    expect(agents.length).toBeGreaterThan(0);
    await expect(configs()).resolves.toHaveLength(agents.length);
  });

  it('has three agent services: one agent id, one shared_group, the Redis dedupe store', async () => {
    const all = await configs();
    expect(agents).toHaveLength(3);
    expect(new Set(all.map((c) => c.agent.id)).size).toBe(1);
    expect([...new Set(all.map((c) => c.mqtt.shared_group))]).toEqual([expect.any(String)]);
    expect(all.map((c) => c.dedupe.store)).toEqual(['redis', 'redis', 'redis']);
  });

  it('has the MQTT 5 broker the agents connect to: mosquitto with persistence, no Nagle, queue not capped', async () => {
    for (const c of await configs()) {
      expect(c.mqtt.protocol_version).not.toBe(4);
      const broker = services[hostOf(c.mqtt.broker_url)];
      expect(broker?.['image']).toMatch(/^eclipse-mosquitto:2/);
      const conf = serviceMounts(broker!, dir).find((m) => m.target === '/mosquitto/config/mosquitto.conf');
      const text = conf ? readFileSync(conf.source, 'utf8') : '';
      expect(text).toMatch(/^persistence true$/m);
      expect(text).toMatch(/^set_tcp_nodelay true$/m);
      const queued = /^max_queued_messages (\d+)$/m.exec(text)?.[1];
      expect(queued === '0' || Number(queued) >= 100_000, `max_queued_messages ${queued}`).toBe(true);
    }
  });

  it('has a Redis at the URL each agent reads (redis_url_env)', async () => {
    const all = await configs();
    agents.forEach((a, i) => {
      const url = a.env[all[i]!.dedupe.redis_url_env ?? '(none)'];
      expect(url, a.name).toMatch(/^redis:\/\//);
      expect(services[hostOf(url!)]?.['image'], a.name).toMatch(/^redis:/);
    });
  });

  it('gives each agent a stop_grace_period longer than its drain', async () => {
    const all = await configs();
    agents.forEach((a, i) => {
      // Compose's default is 10 s.
      const grace = durationMs(a.service['stop_grace_period'] ?? '10s');
      expect(grace, a.name).toBeGreaterThan(drainMs(all[i]!));
    });
  });
});
