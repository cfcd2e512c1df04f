// MQTT connection for CLI tools (inject, monitor, agents, pipeline): flags, env fallbacks, fail-fast connect.
import { randomUUID } from 'node:crypto';

import { Option, type Command } from 'commander';

import { createMqttTransport } from '../core/transport/mqtt.js';
import type { InboundMessage, Transport } from '../core/transport/transport.js';
import { silentLogger } from '../core/observability/silent-logger.js';
import { positive, SECONDS } from './option-numbers.js';

export interface BrokerFlags {
  brokerUrl: string;
  username?: string;
  password?: string;
  protocolVersion: '4' | '5';
  /** Seconds. */
  connectTimeout: number;
}

/** Add --broker-url, --username, --password, --protocol-version and --connect-timeout to a command. */
export function addBrokerOptions(cmd: Command): Command {
  return cmd
    .option(
      '--broker-url <url>',
      'MQTT broker (env MQTT_BROKER_URL)',
      process.env.MQTT_BROKER_URL ?? 'mqtt://127.0.0.1:1883',
    )
    .option('--username <name>', 'MQTT username (env MQTT_USERNAME)', process.env.MQTT_USERNAME)
    .option('--password <secret>', 'MQTT password (env MQTT_PASSWORD)', process.env.MQTT_PASSWORD)
    .addOption(
      new Option('--protocol-version <4|5>', 'MQTT protocol version (4 = 3.1.1, works with every broker)')
        .choices(['4', '5'])
        .default('4'),
    )
    .option(
      '--connect-timeout <seconds>',
      'give up if the broker is not reachable in time',
      positive(SECONDS),
      10,
    );
}

export class CliConnectError extends Error {}

/**
 * Connect a short-lived client (clean session, no Will); rejects if not connected within the timeout.
 * The clean session loses its subscriptions on a reconnect: long-running commands pass `onReconnect`
 * to subscribe again.
 */
export async function connectCli(
  flags: BrokerFlags,
  onMessage: (msg: InboundMessage) => void,
  onReconnect?: () => void,
): Promise<Transport> {
  const transport = createMqttTransport({
    url: flags.brokerUrl === 'embedded' ? 'mqtt://127.0.0.1:1883' : flags.brokerUrl,
    clientId: `agent2389-cli-${randomUUID().slice(0, 8)}`,
    protocolVersion: flags.protocolVersion === '5' ? 5 : 4,
    keepAliveSeconds: 30,
    clean: true,
    ...(flags.username ? { username: flags.username } : {}),
    ...(flags.password ? { password: flags.password } : {}),
    log: silentLogger,
  });
  const timer = setTimeout(() => void transport.close(), flags.connectTimeout * 1000);
  try {
    await transport.connect({
      onMessage,
      onConnect: ({ first }) => {
        if (!first) onReconnect?.();
      },
      onDisconnect() {},
    });
    return transport;
  } catch {
    throw new CliConnectError(
      `cannot reach the MQTT broker at ${flags.brokerUrl} within ${flags.connectTimeout}s: is a broker ` +
        'running there? (--broker-url or MQTT_BROKER_URL say where; a local agent with ' +
        'broker_url = "embedded" serves mqtt://127.0.0.1:1883)',
    );
  } finally {
    clearTimeout(timer);
  }
}
