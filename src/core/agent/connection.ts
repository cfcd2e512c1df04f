// Open the broker connection for an agent: the embedded broker when configured, then the transport.
import type { LoggerV1 } from '@agent2389/tool-sdk';
import type { AgentConfig } from '../config/schema.js';
import type { ResolvedSecrets } from '../config/secrets.js';
import type { EmbeddedBroker } from '../transport/embedded-broker.js';
import { createMqttTransport } from '../transport/mqtt.js';
import { clientIdOf } from '../delivery/replica-id.js';
import type { Acknowledge, InboundMessage, LastWill, Transport } from '../transport/transport.js';

export interface Connection {
  readonly transport: Transport;
  readonly brokerUrl: string;
  close(): Promise<void>;
}

export interface ConnectionOptions {
  log: LoggerV1;
  /** This process's replica id (its client id with [mqtt] shared_group). */
  replicaId: string;
  will: LastWill;
  /** Aborting it gives up connecting (closes the transport and the embedded broker). */
  signal?: AbortSignal;
  transport?: (will: LastWill) => Transport;
  /** Every inbound message, with its acknowledgement: nothing is acknowledged until `ack` is called. */
  onMessage(msg: InboundMessage, ack: Acknowledge): void;
  onReconnect(): void;
  /** The connection was lost (not closed by us); the transport reconnects by itself. */
  onDisconnect?(reason: string): void;
}

/** Start the embedded broker if asked, connect (retrying until the broker is up) with the Will set. */
export async function openConnection(
  config: AgentConfig,
  secrets: ResolvedSecrets,
  opts: ConnectionOptions,
): Promise<Connection> {
  const { mqtt } = config;
  let broker: EmbeddedBroker | undefined;
  let brokerUrl = mqtt.broker_url;
  if (opts.transport === undefined && mqtt.broker_url === 'embedded') {
    // Loaded only when used: aedes is a sizeable dependency an agent on a real broker never needs.
    const { startEmbeddedBroker } = await import('../transport/embedded-broker.js');
    broker = await startEmbeddedBroker({
      host: mqtt.embedded.host,
      port: mqtt.embedded.port,
      log: opts.log.child({ component: 'embedded-broker' }),
    });
    brokerUrl = broker.url;
    opts.log.info({ url: broker.url }, 'embedded MQTT broker listening');
  }
  const transport =
    opts.transport?.(opts.will) ??
    agentTransport(config, secrets, {
      brokerUrl,
      clientId: clientIdOf(config, opts.replicaId),
      will: opts.will,
      log: opts.log,
    });
  const close = async (): Promise<void> => {
    await transport.close();
    await broker?.close();
  };
  // Giving up on connecting: a failure to close what was half made is logged at debug, the abort's
  // reason is what the caller gets.
  const closeQuietly = (): Promise<void> =>
    close().catch((err: unknown) => opts.log.debug({ err }, 'closing an abandoned connection failed'));
  const onAbort = (): void => void closeQuietly();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await transport.connect({
      onMessage: (msg, ack) => opts.onMessage(msg, ack),
      onConnect: ({ first }) => {
        if (!first) opts.onReconnect();
      },
      onDisconnect: (reason) => {
        if (reason === 'closed') return;
        // The transport logs the loss (with its reason and retry delay) at warn; once is enough.
        opts.log.debug({ reason }, 'disconnected from broker; reconnecting');
        opts.onDisconnect?.(reason);
      },
    });
  } catch (err) {
    await closeQuietly();
    throw err;
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
  }
  return { transport, brokerUrl, close };
}

/** What an agent's operator checks when its broker cannot be reached (the transport logs it once). */
export const UNREACHABLE_HINT =
  'the URL is [mqtt] broker_url (or MQTT_BROKER_URL); for a broker inside this agent, set broker_url = "embedded"';

/**
 * An MQTT transport with the agent's settings: its own connection, or one with another replica's
 * client id (a failover adopting that replica's session: no Will).
 */
export function agentTransport(
  config: AgentConfig,
  secrets: ResolvedSecrets,
  opts: { brokerUrl: string; clientId: string; will?: LastWill; log: LoggerV1 },
): Transport {
  const { mqtt } = config;
  return createMqttTransport({
    url: opts.brokerUrl,
    clientId: opts.clientId,
    protocolVersion: mqtt.protocol_version ?? (mqtt.broker_url === 'embedded' ? 4 : 5),
    protocolFallback: mqtt.protocol_version === undefined,
    keepAliveSeconds: mqtt.keep_alive,
    sessionExpirySeconds: mqtt.session_expiry,
    ...(secrets.mqttUsername !== undefined ? { username: secrets.mqttUsername } : {}),
    ...(secrets.mqttPassword !== undefined ? { password: secrets.mqttPassword } : {}),
    ...(mqtt.ca_cert_path ? { caCertPath: mqtt.ca_cert_path } : {}),
    ...(mqtt.client_cert_path ? { clientCertPath: mqtt.client_cert_path } : {}),
    ...(mqtt.client_key_path ? { clientKeyPath: mqtt.client_key_path } : {}),
    ...(opts.will ? { will: opts.will } : {}),
    ...(mqtt.broker_url === 'embedded' ? {} : { unreachableHint: UNREACHABLE_HINT }),
    // A task is acknowledged once answered (docs/scaling.md); the broker sends at most this many at once.
    manualAck: true,
    receiveMaximum: config.max_concurrent_tasks + config.prefetch_tasks,
    log: opts.log.child({ component: 'mqtt' }),
  });
}
