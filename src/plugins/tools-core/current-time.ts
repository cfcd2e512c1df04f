// `current_time`: the current time as RFC 3339 UTC, Unix milliseconds, and in an optional IANA time zone.
import type { ToolFactoryV1, ToolV1 } from '@agent2389/tool-sdk';

interface CurrentTimeInput {
  timezone?: string;
}

interface CurrentTimeOutput {
  utc: string;
  unix_ms: number;
  timezone: string;
  local: string;
}

/** Format `date` in `timeZone`; throws a clear error for an unknown zone. */
function formatIn(date: Date, timeZone: string): string {
  try {
    return new Intl.DateTimeFormat('sv-SE', {
      timeZone,
      dateStyle: 'short',
      timeStyle: 'medium',
      hourCycle: 'h23',
    }).format(date);
  } catch {
    throw new Error(`unknown time zone "${timeZone}" (use an IANA name such as Europe/Paris)`);
  }
}

export function createCurrentTimeTool(
  now: () => Date = () => new Date(),
): ToolV1<CurrentTimeInput, CurrentTimeOutput> {
  return {
    specificationVersion: 'v1',
    describe: () => ({
      name: 'current_time',
      description: 'Get the current date and time (UTC, and optionally in an IANA time zone).',
      parameters: {
        type: 'object',
        properties: {
          timezone: { type: 'string', description: 'IANA time zone, e.g. Europe/Paris; default UTC' },
        },
        additionalProperties: false,
      },
    }),
    execute: (input) => {
      const date = now();
      const timezone = input.timezone ?? 'UTC';
      return { utc: date.toISOString(), unix_ms: date.getTime(), timezone, local: formatIn(date, timezone) };
    },
  };
}

export const currentTimeToolFactory: ToolFactoryV1 = {
  name: 'current_time',
  create: () => createCurrentTimeTool(),
};
