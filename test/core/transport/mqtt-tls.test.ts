// Tests for mqtts:// against mosquitto with a private CA and client certificates (skipped when openssl is missing).
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it, vi } from 'vitest';
import { freePort } from '../../helpers/free-port.js';
import { startMosquitto } from '../../helpers/mosquitto.js';
import { needs } from '../../helpers/require-tool.js';
import {
  WAIT,
  captureLog,
  defer,
  failedAttempts,
  recorder,
  runCleanups,
  text,
  transport,
} from './mqtt-harness.js';

vi.setConfig({ testTimeout: 30_000, hookTimeout: 30_000 });
afterEach(runCleanups);

/** A CA, a server certificate for DNS:localhost only and a client certificate, all signed by the CA. */
async function makePki(): Promise<
  Record<'dir' | 'ca' | 'serverCert' | 'serverKey' | 'clientCert' | 'clientKey', string>
> {
  const dir = await mkdtemp(join(tmpdir(), 'agent2389-pki-'));
  defer(() => rm(dir, { recursive: true, force: true }));
  const ssl = (...args: string[]): void => void execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  ssl(
    'req',
    '-x509',
    ...ec,
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '2',
    '-subj',
    '/CN=agent2389-test-ca',
  );
  await writeFile(join(dir, 'server.ext'), 'subjectAltName=DNS:localhost\n');
  for (const [name, cn, ext] of [
    ['server', 'localhost', ['-extfile', 'server.ext']],
    ['client', 'agent', []],
  ] as const) {
    ssl('req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`);
    ssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      `${name}.pem`,
      '-days',
      '2',
      ...ext,
    );
  }
  const p = (f: string): string => join(dir, f);
  return {
    dir,
    ca: p('ca.pem'),
    serverCert: p('server.pem'),
    serverKey: p('server.key'),
    clientCert: p('client.pem'),
    clientKey: p('client.key'),
  };
}

async function tlsBroker(): Promise<{ pki: Awaited<ReturnType<typeof makePki>>; port: number }> {
  const pki = await makePki();
  const port = await freePort();
  const m = await startMosquitto({
    extraConfig: [
      `listener ${port} 127.0.0.1`,
      `cafile ${pki.ca}`,
      `certfile ${pki.serverCert}`,
      `keyfile ${pki.serverKey}`,
      'require_certificate true',
    ],
  });
  defer(() => m.stop());
  return { pki, port };
}

needs('openssl', 'mosquitto').describe('mqtt transport over TLS (mosquitto)', () => {
  it('NFR-004: connects with a private CA and a client certificate, hostname verified', async () => {
    const { pki, port } = await tlsBroker();
    const t = transport(`mqtts://localhost:${port}`, 5, {
      caCertPath: pki.ca,
      clientCertPath: pki.clientCert,
      clientKeyPath: pki.clientKey,
    });
    const h = recorder();
    await t.connect(h);
    await t.subscribe('tls/echo');
    await t.publish('tls/echo', 'secret');
    await vi.waitFor(() => expect(h.messages.map(text)).toEqual(['tls/echo=secret']), WAIT);
  });

  it.each([
    ['the hostname does not match the certificate', '127.0.0.1', true],
    ['the server certificate is not trusted', 'localhost', false],
  ])('keeps retrying (never connects) when %s', async (_what, host, withCa) => {
    const { pki, port } = await tlsBroker();
    const log = captureLog();
    const t = transport(`mqtts://${host}:${port}`, 5, {
      log,
      ...(withCa && { caCertPath: pki.ca }),
      clientCertPath: pki.clientCert,
      clientKeyPath: pki.clientKey,
    });
    const connecting = t.connect(recorder());
    await vi.waitFor(() => expect(failedAttempts(log).length).toBeGreaterThanOrEqual(2), WAIT);
    expect(String(failedAttempts(log)[0]!.obj['reason'])).toMatch(
      withCa ? /altnames|does not match/i : /self[- ]signed|unable to (get|verify)/i,
    );
    await t.close();
    await expect(connecting).rejects.toMatchObject({ code: 'AGENT_ERR_TRANSPORT_CLOSED' });
  });

  it('an unreadable client key fails connect() with AGENT_ERR_TRANSPORT_CONNECT naming the option', async () => {
    const pki = await makePki();
    const t = transport('mqtts://localhost:8883', 5, {
      caCertPath: pki.ca,
      clientCertPath: pki.clientCert,
      clientKeyPath: `${pki.dir}/missing.key`,
    });
    await expect(t.connect(recorder())).rejects.toMatchObject({
      code: 'AGENT_ERR_TRANSPORT_CONNECT',
      data: { reason: expect.stringContaining('clientKeyPath') as unknown },
    });
  });
});
