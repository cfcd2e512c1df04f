// `agent2389 health`: exit 0 when the agent's /ready says 200, 1 otherwise (the Docker healthcheck).
import { Command } from 'commander';

import { UsageError } from './build-envelope.js';

interface HealthFlags {
  url?: string;
  host: string;
  port: string;
  timeout: string;
  endpoint: string;
}

/** The URL to ask: --url as given, or http://<host>:<port>/<endpoint>. */
export function healthUrl(flags: HealthFlags): string {
  if (flags.url) {
    if (!/^https?:\/\//i.test(flags.url) || !URL.canParse(flags.url))
      throw new UsageError(`--url ${flags.url} is not an http:// or https:// URL`);
    return flags.url;
  }
  const port = /^\d{1,5}$/.test(flags.port) ? Number(flags.port) : NaN;
  if (!(port >= 1 && port <= 65535)) throw new UsageError(`--port ${flags.port} is not a port (1–65535)`);
  if (!['ready', 'live', 'health'].includes(flags.endpoint))
    throw new UsageError(`--endpoint must be ready, live or health (got ${flags.endpoint})`);
  const host = flags.host.includes(':') && !flags.host.startsWith('[') ? `[${flags.host}]` : flags.host;
  return `http://${host}:${port}/${flags.endpoint}`;
}

async function check(flags: HealthFlags): Promise<number> {
  const url = healthUrl(flags);
  const seconds = Number(flags.timeout);
  if (!(seconds > 0)) throw new UsageError(`--timeout ${flags.timeout} must be a positive number of seconds`);
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(seconds * 1000) });
    const body = (await res.text()).trim();
    process.stdout.write(`${res.status} ${body}\n`);
    return res.ok ? 0 : 1;
  } catch (err) {
    const reason =
      err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
    process.stderr.write(`agent2389: ${url}: ${reason}\n`);
    return 1;
  }
}

export function healthCommand(): Command {
  return new Command('health')
    .description("Ask a running agent's HTTP server whether it is ready (exit 0) or not (exit 1)")
    .option('--url <url>', 'full URL to ask (overrides --host, --port, --endpoint)')
    .option('--host <host>', 'the agent host', '127.0.0.1')
    .option('--port <port>', 'the health port (env HEALTH_PORT)', process.env.HEALTH_PORT ?? '8080')
    .option('--endpoint <name>', 'ready | live | health', 'ready')
    .option('--timeout <seconds>', 'give up after this long', '3')
    .addHelpText(
      'after',
      '\nExit status: 0 the endpoint answered 2xx, 1 it answered otherwise or could not be reached, 64 usage error.\n' +
        '\nExamples:\n  agent2389 health                      # GET http://127.0.0.1:8080/ready\n' +
        '  agent2389 health --port 9090 --endpoint health\n' +
        '  HEALTHCHECK CMD ["agent2389", "health"]   # in a Dockerfile',
    )
    .action(async (flags: HealthFlags) => {
      process.exitCode = await check(flags);
    });
}
