// Readers for the deploy files the manifest test checks: the Dockerfile's ENV, Kubernetes manifests,
// compose files (services, volumes, environment, durations) and the agent configs they carry.
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { parse, parseAllDocuments } from 'yaml';

import { isPlainObject } from '../../src/core/protocol/envelope.js';

export const root = fileURLToPath(new URL('../..', import.meta.url));
export const read = (rel: string): string => readFileSync(join(root, rel), 'utf8');

export type Obj = Record<string, unknown>;

/** `value` as an object, or fail the test naming `what`. */
export function obj(value: unknown, what: string): Obj {
  if (!isPlainObject(value)) throw new Error(`${what} is not a mapping`);
  return value;
}

/** A YAML scalar as text ('' for null or absent), or fail the test naming `what`. */
export function text(value: unknown, what: string): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    return String(value);
  throw new Error(`${what} is not a scalar`);
}

/** `value` as an array of objects, or fail the test naming `what`. */
export function objs(value: unknown, what: string): Obj[] {
  if (!Array.isArray(value)) throw new Error(`${what} is not a list`);
  return value.map((v, i) => obj(v, `${what}[${i}]`));
}

/** The ENV of the Dockerfile's last stage (the image that runs): `ENV A=1 B=2` and `ENV A 1`. */
export function dockerfileEnv(text: string): Record<string, string> {
  const joined = text.replace(/\\\r?\n/g, ' ');
  const lines = joined.split(/\r?\n/).map((l) => l.trim());
  const lastFrom = lines.findLastIndex((l) => /^FROM\s/i.test(l));
  const env: Record<string, string> = {};
  for (const line of lines.slice(lastFrom + 1)) {
    const m = /^ENV\s+(.*)$/i.exec(line);
    if (!m) continue;
    const rest = m[1]!.trim();
    if (!rest.includes('=')) {
      const [key, ...value] = rest.split(/\s+/);
      env[key!] = value.join(' ');
      continue;
    }
    for (const pair of rest.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\.)*"|\S*)/g)) {
      env[pair[1]!] = pair[2]!.replace(/^"(.*)"$/, '$1');
    }
  }
  return env;
}

/** Every document of the YAML files a kustomization.yaml lists under `resources`. */
export function kustomizeResources(dir: string): Obj[] {
  const kustomization = obj(parse(read(join(dir, 'kustomization.yaml'))), 'kustomization.yaml');
  const files = kustomization['resources'];
  if (!Array.isArray(files)) throw new Error('kustomization.yaml has no resources list');
  return files.flatMap((f) => yamlDocuments(join(dir, String(f))));
}

/** The non-empty documents of one YAML file (relative to the repository root). */
export function yamlDocuments(rel: string): Obj[] {
  return parseAllDocuments(read(rel))
    .map((d, i) => {
      if (d.errors.length > 0) throw new Error(`${rel} document ${i}: ${d.errors[0]!.message}`);
      return d.toJS() as unknown;
    })
    .filter((d) => d !== null)
    .map((d, i) => obj(d, `${rel} document ${i}`));
}

/** The one document of `kind` (and `name`, if given) among `docs`. */
export function findKind(docs: readonly Obj[], kind: string, name?: string): Obj {
  const found = docs.filter(
    (d) => d['kind'] === kind && (name === undefined || obj(d['metadata'], 'metadata')['name'] === name),
  );
  if (found.length !== 1) throw new Error(`expected one ${kind} ${name ?? ''}, found ${found.length}`);
  return found[0]!;
}

/** A compose file parsed with `<<` merge keys (x- anchors). */
export function composeFile(rel: string): { dir: string; services: Record<string, Obj> } {
  const doc = obj(parse(read(rel), { merge: true }), rel);
  const services = obj(doc['services'], `${rel} services`);
  const out: Record<string, Obj> = {};
  for (const [name, s] of Object.entries(services)) out[name] = obj(s, `service ${name}`);
  return { dir: dirname(rel), services: out };
}

/** `${VAR:-default}` → default, `${VAR}` → '' (the file is checked without the caller's environment). */
function interpolate(value: string): string {
  return value.replace(
    /\$\{[A-Za-z_][A-Za-z0-9_]*(?::?-([^}]*))?\}/g,
    (_m, d: string | undefined) => d ?? '',
  );
}

/** A compose service's `environment` (list of `K=V` or a map), interpolated without the caller's env. */
export function serviceEnv(service: Obj): Record<string, string> {
  const env = service['environment'];
  const out: Record<string, string> = {};
  if (Array.isArray(env)) {
    for (const entry of env) {
      const [key, ...value] = String(entry).split('=');
      out[key!] = interpolate(value.join('='));
    }
  } else if (isPlainObject(env)) {
    for (const [k, v] of Object.entries(env)) out[k] = interpolate(text(v, `environment ${k}`));
  }
  return out;
}

/** A compose service's volume mounts as {source, target}; bind sources resolved against the compose file. */
export function serviceMounts(service: Obj, composeDir: string): { source: string; target: string }[] {
  const volumes = service['volumes'];
  if (!Array.isArray(volumes)) return [];
  return volumes.map((v) => {
    let source: string;
    let target: string;
    if (typeof v === 'string') [source = '', target = ''] = v.split(':');
    else {
      const long = obj(v, 'volume');
      source = text(long['source'], 'volume source');
      target = text(long['target'], 'volume target');
    }
    const bind = source.startsWith('.') || source.startsWith('/');
    return { source: bind ? resolve(root, composeDir, source) : source, target };
  });
}

const UNIT_MS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 1e-3, ns: 1e-6 };

/** A compose duration (`45s`, `1m30s`, `1500ms`) in milliseconds. */
export function durationMs(value: unknown): number {
  const text = String(value);
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|us|ns|h|m|s)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) {
    throw new Error(`not a compose duration: ${text}`);
  }
  return parts.reduce((sum, p) => sum + Number(p[1]) * UNIT_MS[p[2]!]!, 0);
}

/** Host of a URL such as mqtt://mosquitto:1883 or redis://:pw@redis:6379/0. */
export function hostOf(url: string): string {
  return new URL(url).hostname;
}
