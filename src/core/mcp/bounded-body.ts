// An HTTP MCP server's response is hostile input: a JSON body, or one event of an SSE stream, may not grow
// past a cap (the SDK would buffer it whole). The stream is cut with an error instead.
import { Transform, type TransformCallback } from 'node:stream';

import { ERR_MCP_MESSAGE_TOO_LARGE } from '../errors.js';

/** At most this many bytes in a JSON response, or in one SSE event (as a stdio server's line). */
export const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

const LF = 0x0a;
const CR = 0x0d;

/**
 * A pass-through that fails once `maxBytes` is exceeded: by the whole body, or with `sse` by the bytes
 * since the last event boundary (a blank line), so a long-lived stream of small events is never cut.
 */
export function boundedBody(maxBytes: number, sse: boolean): Transform {
  let count = 0;
  let atLineStart = false; // the previous byte (CR ignored) ended a line
  return new Transform({
    transform(chunk: Buffer, _encoding, done: TransformCallback) {
      if (!sse) count += chunk.length;
      else
        for (const byte of chunk) {
          if (byte === LF) {
            if (atLineStart) count = 0; // a blank line: the event ended
            atLineStart = true;
          } else if (byte !== CR) {
            atLineStart = false;
            count++;
          }
        }
      if (count > maxBytes) done(new ERR_MCP_MESSAGE_TOO_LARGE({ limitBytes: maxBytes }));
      else done(null, chunk);
    },
  });
}
