// `agent2389 health`: exit 0 when the agent's /ready says 200, 1 otherwise (the Docker healthcheck).
import { Command, Option } from 'commander';

import { UsageError } from './build-envelope.js';
import { PORT, positive, SECONDS } from './option-numbers.js';

interface HealthFlags {
  url?: string;
  host: string;
  /** Checked by commander: 1–65535. */
  port: number;
  /** Seconds. */
  timeout: number;
  /** Checked by commander: one of ENDPOINTS. */
  endpoint: string;
}

const ENDPOINTS = ['ready', 'live', 'health'];

/** The URL to ask: --url as given, or http://<host>:<port>/<endpoint>. */
export function healthUrl(flags: HealthFlags): string {
  if (flags.url) {
    if (!/^https?:\/\//i.test(flags.url) || !URL.canParse(flags.url))
      throw new UsageError(`--url ${flags.url} is not an http:// or https:// URL`);
    return flags.url;
  }
  const host = flags.host.includes(':') && !flags.host.startsWith('[') ? `[${flags.host}]` : flags.host;
  return `http://${host}:${flags.port}/${flags.endpoint}`;
}

async function check(flags: HealthFlags): Promise<number> {
  const url = healthUrl(flags);
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(flags.timeout * 1000) });
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
    .addOption(
      new Option('--port <port>', 'the health port')
        .env('HEALTH_PORT')
        .argParser(positive(PORT))
        .default(8080),
    )
    .addOption(new Option('--endpoint <name>', 'the endpoint to ask').choices(ENDPOINTS).default('ready'))
    .option('--timeout <seconds>', 'give up after this long', positive(SECONDS), 3)
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
