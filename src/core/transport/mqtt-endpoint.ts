// Broker URL parsing and TLS file loading for the MQTT transport; errors name the option, never a secret.
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { createSecureContext } from 'node:tls';
import { ERR_TRANSPORT_CONNECT } from '../errors.js';

export interface BrokerEndpoint {
  readonly secure: boolean;
  readonly host: string;
  readonly port: number;
  /** SNI and the name the certificate must match; none for IP literals (matched against IP SANs). */
  readonly servername: string | undefined;
  /** The URL without credentials, safe to log. */
  readonly display: string;
}

/** Parse and check `mqtt://host[:port]` / `mqtts://host[:port]`. Throws AGENT_ERR_TRANSPORT_CONNECT. */
export function parseBrokerUrl(raw: string): BrokerEndpoint {
  let url: URL;
  try {
    url = new URL(raw);
  } catch (err) {
    throw new ERR_TRANSPORT_CONNECT(
      { broker: '(invalid URL)', reason: 'the broker URL cannot be parsed' },
      { cause: err },
    );
  }
  const fail = (reason: string): never => {
    throw new ERR_TRANSPORT_CONNECT({ broker: `${url.protocol}//${url.hostname}`, reason });
  };
  if (url.protocol !== 'mqtt:' && url.protocol !== 'mqtts:')
    fail(`unsupported scheme ${url.protocol} (use mqtt:// or mqtts://)`);
  if (url.username || url.password) fail('credentials in the URL are not supported; use username/password');
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!host) fail('the URL has no host');
  const secure = url.protocol === 'mqtts:';
  const port = url.port ? Number(url.port) : secure ? 8883 : 1883;
  const servername = secure && isIP(host) === 0 ? host : undefined;
  return { secure, host, port, servername, display: `${url.protocol}//${url.hostname}:${port}` };
}

export interface TlsMaterial {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
}

export interface TlsFiles {
  /** PEM files, read by connect(); mqtts:// only. A CA replaces the system roots. */
  readonly caCertPath?: string;
  readonly clientCertPath?: string;
  readonly clientKeyPath?: string;
}

const TLS_FILES = [
  ['caCertPath', 'ca'],
  ['clientCertPath', 'cert'],
  ['clientKeyPath', 'key'],
] as const;

/** Read and check the PEM files; errors name the option, never the file content. */
export async function readTlsMaterial(options: TlsFiles, endpoint: BrokerEndpoint): Promise<TlsMaterial> {
  const fail = (reason: string, cause?: unknown): never => {
    throw new ERR_TRANSPORT_CONNECT({ broker: endpoint.display, reason }, { cause });
  };
  const material: TlsMaterial = {};
  for (const [option, field] of TLS_FILES) {
    const path = options[option];
    if (path === undefined) continue;
    if (!endpoint.secure) fail(`${option} is set but the URL is not mqtts://`);
    try {
      material[field] = await readFile(path);
    } catch (err) {
      fail(`${option}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`, err);
    }
  }
  if ((material.cert === undefined) !== (material.key === undefined)) {
    fail('clientCertPath and clientKeyPath must be set together');
  }
  try {
    if (endpoint.secure) createSecureContext(material);
  } catch (err) {
    fail(
      `invalid TLS files (${TLS_FILES.filter(([o]) => options[o])
        .map(([o]) => o)
        .join(', ')}): ${(err as Error).message}`,
      err,
    );
  }
  return material;
}
