// Tests for the mqtt.js transport's reconnect behaviour (broker restarts, backoff, close while retrying) and config errors.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LOUD_FAILURES } from '../../../src/core/transport/connect-attempts.js';
import { startEmbeddedBroker } from '../../../src/core/transport/embedded-broker.js';
import { backoffDelayMs } from '../../../src/core/transport/mqtt.js';
import { freePort } from '../../helpers/free-port.js';
import { startMosquitto } from '../../helpers/mosquitto.js';
import {
  WAIT,
  captureLog,
  connected,
  defer,
  mosquitto,
  recorder,
  runCleanups,
  silent,
  text,
  transport,
  uniqueId,
  failedAttempts,
} from './mqtt-harness.js';

vi.setConfig({ testTimeout: 30_000, hookTimeout: 30_000 });
afterEach(runCleanups);

describe('mqtt transport: reconnecting', () => {
  it('reconnects after a mosquitto restart: onConnect(first=false), session and subscription kept', async () => {
    const m = await mosquitto();
    const { t, h } = await connected(m.url, 5);
    await t.subscribe('restart/in');
    await m.restart();
    await vi.waitFor(() => expect(h.connects).toHaveLength(2), WAIT);
    expect(h.connects).toEqual([
      { first: true, sessionPresent: false },
      { first: false, sessionPresent: true },
    ]);
    expect(h.disconnects).toHaveLength(1);
    await (await connected(m.url, 5)).t.publish('restart/in', 'after restart');
    await vi.waitFor(() => expect(h.messages.map(text)).toEqual(['restart/in=after restart']), WAIT);
  });

  it.each([5, 4] as const)(
    'MQTT %i: messages queued for an absent persistent session survive a restart',
    async (version) => {
      const m = await mosquitto();
      const clientId = uniqueId();
      const away = await connected(m.url, version, { clientId });
      await away.t.subscribe('queued/in');
      await away.t.close();
      await (await connected(m.url, version)).t.publish('queued/in', 'kept on disk');
      await m.restart();
      const back = await connected(m.url, version, { clientId });
      await vi.waitFor(() => expect(back.h.messages.map(text)).toEqual(['queued/in=kept on disk']), WAIT);
    },
  );

  it('a publish made while the broker is down is sent after the reconnect; close() fails those still waiting', async () => {
    const m = await mosquitto();
    const { t, h } = await connected(m.url, 5);
    await m.kill();
    await vi.waitFor(() => expect(h.disconnects).toHaveLength(1), WAIT);
    expect(t.connected).toBe(false);
    const queued = t.publish('offline/out', 'sent later', { retain: true });
    await m.restart();
    await queued;
    const late = await connected(m.url, 5);
    await late.t.subscribe('offline/out');
    await vi.waitFor(
      () => expect(late.h.messages.map(text)).toEqual(['offline/out=sent later (retained)']),
      WAIT,
    );

    await m.kill();
    await vi.waitFor(() => expect(h.disconnects).toHaveLength(2), WAIT);
    const stuck = t.publish('offline/out', 'never sent');
    await t.close();
    await expect(stuck).rejects.toMatchObject({ code: 'AGENT_ERR_TRANSPORT_CLOSED' });
  });

  it('connect() keeps retrying with growing delays while nothing listens, then connects', async () => {
    const port = await freePort();
    const log = captureLog();
    const t = transport(`mqtt://127.0.0.1:${port}`, 4, {
      log,
      password: 'hunter2',
      username: 'u',
      reconnect: { initialMs: 40, maxMs: 5_000 },
    });
    const h = recorder();
    const connecting = t.connect(h);
    await vi.waitFor(() => expect(failedAttempts(log).length).toBeGreaterThanOrEqual(4), WAIT);
    const tries = failedAttempts(log).slice(0, 4);
    const delays = tries.map((r) => r.obj['retryInMs'] as number);
    for (let i = 0; i < 3; i++) {
      expect(delays[i + 1]).toBeGreaterThanOrEqual(delays[i]!); // capped exponential with jitter in [cap/2, cap]
      expect(tries[i + 1]!.at - tries[i]!.at).toBeGreaterThanOrEqual(delays[i]! - 2); // mqtt.js really waited
    }
    expect(delays[3]).toBeGreaterThan(delays[0]! * 2);
    expect(String(tries[0]!.obj['reason'])).toContain('ECONNREFUSED');
    expect(JSON.stringify(log.records)).not.toContain('hunter2');

    const b = await startEmbeddedBroker({ port, log: silent });
    defer(() => b.close());
    await connecting;
    expect(h.connects).toEqual([{ first: true, sessionPresent: false }]);
  });

  it('close() during the retries rejects connect() with AGENT_ERR_TRANSPORT_CLOSED and stops retrying', async () => {
    const log = captureLog();
    const t = transport(`mqtt://127.0.0.1:${await freePort()}`, 5, {
      log,
      reconnect: { initialMs: 20, maxMs: 40 },
    });
    const connecting = t.connect(recorder());
    await vi.waitFor(() => expect(failedAttempts(log).length).toBeGreaterThanOrEqual(2), WAIT);
    await t.close();
    await expect(connecting).rejects.toMatchObject({ code: 'AGENT_ERR_TRANSPORT_CLOSED' });
    // Every attempt logs (a failed one at least its client error), whatever the log level.
    const seen = log.records.length;
    // Fence: another transport, started now, retrying every 20–40 ms like this one. Once it has failed
    // four times (≥ 60 ms of retry timers), a retry this one still had pending (≤ 40 ms) would have run.
    const fenceLog = captureLog();
    const fence = transport(`mqtt://127.0.0.1:${await freePort()}`, 5, {
      log: fenceLog,
      reconnect: { initialMs: 40, maxMs: 40 },
    });
    void fence.connect(recorder()).catch(() => {});
    await vi.waitFor(() => expect(failedAttempts(fenceLog).length).toBeGreaterThanOrEqual(4), WAIT);
    expect(log.records).toHaveLength(seen);
    await expect(t.connect(recorder())).rejects.toMatchObject({ code: 'AGENT_ERR_TRANSPORT_CLOSED' });
  });
});

describe('mqtt transport: a broker that cannot be reached', () => {
  it('says once what it tried and what to check, then retries quietly with backoff, and connects when a broker appears on the port', async () => {
    const port = await freePort(); // nothing listens: every attempt is refused by the OS
    const url = `mqtt://127.0.0.1:${port}`;
    const log = captureLog();
    const backoff = { initialMs: 20, maxMs: 160 };
    const t = transport(url, 4, { log, reconnect: backoff, unreachableHint: 'HINT-X' });
    const h = recorder();
    const connecting = t.connect(h);
    await vi.waitFor(() => expect(failedAttempts(log).length).toBeGreaterThanOrEqual(7), WAIT);
    const tries = failedAttempts(log).slice(0, 7);
    // The first attempts at info, then one warning with the URL, the reason and what to check, then debug only.
    expect(tries.map((r) => r.level)).toEqual(['info', 'info', 'warn', 'debug', 'debug', 'debug', 'debug']);
    expect(LOUD_FAILURES).toBe(3);
    const advice = tries[2]!;
    expect(advice.msg).toContain(`at ${url} `);
    expect(advice.msg).toContain('ECONNREFUSED');
    expect(advice.msg).toContain('an MQTT broker is running');
    expect(advice.msg).toContain('HINT-X');
    expect(log.records.filter((r) => r.level === 'warn')).toHaveLength(1);
    // Backoff: failed attempt k waits a delay jittered in [cap/2, cap], cap = min(max, initial·2^(k-1)).
    tries.forEach((r, i) => {
      const cap = Math.min(backoff.maxMs, backoff.initialMs * 2 ** i);
      expect(r.obj['attempt']).toBe(i + 1);
      expect(r.obj['retryInMs']).toBeGreaterThanOrEqual(cap / 2);
      expect(r.obj['retryInMs']).toBeLessThanOrEqual(cap);
    });

    const m = await startMosquitto({ port });
    defer(() => m.stop());
    await connecting;
    expect(h.connects).toEqual([{ first: true, sessionPresent: false }]);
    const connected = log.records.find((r) => r.msg?.startsWith('MQTT connected'));
    expect(connected?.level).toBe('info');
    expect(connected?.obj['failedAttempts']).toBeGreaterThanOrEqual(7);
    expect(connected?.msg).toMatch(/after \d+ failed attempt/);
  });

  it('backoffDelayMs doubles from the initial delay to the cap, jittered into [cap/2, cap]', () => {
    const b = { initialMs: 1000, maxMs: 30_000 };
    expect([0, 1, 2, 3, 4, 5, 9].map((n) => backoffDelayMs(n, b, () => 1))).toEqual([
      1000, 2000, 4000, 8000, 16_000, 30_000, 30_000,
    ]);
    expect(backoffDelayMs(2, b, () => 0)).toBe(2000);
  });
});

describe('mqtt transport: configuration errors', () => {
  it('a missing CA file fails connect() with AGENT_ERR_TRANSPORT_CONNECT naming the option', async () => {
    const t = transport('mqtts://localhost:8883', 5, { caCertPath: '/nonexistent/ca.pem' });
    await expect(t.connect(recorder())).rejects.toMatchObject({
      code: 'AGENT_ERR_TRANSPORT_CONNECT',
      data: { reason: expect.stringContaining('caCertPath') as unknown },
    });
  });

  it('rejects unsupported schemes and credentials in the URL with AGENT_ERR_TRANSPORT_CONNECT', () => {
    expect(() => transport('http://localhost', 5)).toThrow(
      expect.objectContaining({ code: 'AGENT_ERR_TRANSPORT_CONNECT' }),
    );
    expect(() => transport('mqtt://u:secret@localhost', 5)).toThrow(
      expect.objectContaining({ code: 'AGENT_ERR_TRANSPORT_CONNECT' }),
    );
  });
});
