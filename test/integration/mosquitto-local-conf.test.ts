// examples/mosquitto-local.conf runs outside Docker: mosquitto starts with it, carries a message, and
// stops without an error (the container's conf fails to save to /mosquitto/data at its first save).
import { readFile } from 'node:fs/promises';
import { connect } from 'node:net';

import { expect } from 'vitest';

import { mosquittoBinary } from '../helpers/mosquitto.js';
import { connectProbe } from '../helpers/mqtt-probe.js';
import { needs } from '../helpers/require-tool.js';
import { startServerProcess } from '../helpers/server-process.js';

const CONF = new URL('../../examples/mosquitto-local.conf', import.meta.url);
const LISTENER = 'listener 1883 127.0.0.1';

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => resolve(socket.destroy() !== undefined));
    socket.once('error', () => resolve(socket.destroy() === undefined));
  });
}

needs('mosquitto').it('mosquitto -c examples/mosquitto-local.conf serves and stops cleanly', async () => {
  const text = await readFile(CONF, 'utf8');
  // Verbatim but for the port (1883 may be in use here): the test runs the file the README names.
  expect(text.split('\n')).toContain(LISTENER);
  const broker = await startServerProcess({
    name: 'mosquitto',
    tempPrefix: 'agent2389-mosquitto-local-',
    binary: mosquittoBinary(),
    args: (configPath) => ['-c', configPath],
    configFile: 'mosquitto.conf',
    config: (_dir, port) => text.replace(LISTENER, `listener ${port} 127.0.0.1`),
    ready: accepts,
    readyWhat: 'accept connections',
    options: {},
  });
  try {
    const probe = await connectProbe(`mqtt://127.0.0.1:${broker.port}`);
    await probe.subscribe('local-conf/#');
    await probe.publish('local-conf/hello', 'hi');
    expect((await probe.waitFor('local-conf/hello')).map((m) => m.payload)).toEqual(['hi']);
    await probe.client.endAsync();
  } finally {
    await broker.stop();
  }
  const lines = broker.output().split('\n');
  expect(lines.filter((l) => /error/i.test(l))).toEqual([]);
  expect(lines.some((l) => /terminating/.test(l))).toBe(true);
});
