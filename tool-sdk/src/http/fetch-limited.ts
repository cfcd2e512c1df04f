// One HTTP exchange over node:http/https: send a request, then read at most N body bytes while streaming.
import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';

import { ToolError } from '../tool-error.js';
import { requestFailed } from './request-errors.js';

export interface HopRequest {
  readonly url: URL;
  readonly method: string;
  /** Lower-case names, already cleaned (see request-headers.ts). */
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: Buffer;
}

export interface LimitedBody {
  readonly body: Buffer;
  /** True when the server had more than `maxBytes` to send; the rest was never read. */
  readonly truncated: boolean;
}

function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new ToolError('HTTP_ABORTED', 'request aborted');
}

function open(hop: HopRequest, lookup: LookupFunction): ClientRequest {
  const send = hop.url.protocol === 'https:' ? httpsRequest : httpRequest;
  // agent: false → a fresh connection per hop (no pooled socket to an earlier host) and no proxy.
  return send(hop.url, { method: hop.method, headers: hop.headers, lookup, agent: false });
}

/**
 * Send `hop` and resolve with the response once its head arrives. The socket only ever connects to
 * addresses `lookup` approved. Aborting `signal` destroys the request and rejects with its reason.
 */
export function sendRequest(
  hop: HopRequest,
  lookup: LookupFunction,
  signal: AbortSignal,
): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(abortReason(signal));
    let req: ClientRequest;
    try {
      req = open(hop, lookup);
    } catch (err) {
      return reject(requestFailed(hop.url, err));
    }
    const onAbort = (): void => {
      req.destroy();
      reject(abortReason(signal));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    req.on('response', (res) => {
      signal.removeEventListener('abort', onAbort);
      resolve(res);
    });
    // Stays attached after the response: a later socket error must not become an unhandled 'error'.
    req.on('error', (err) => {
      signal.removeEventListener('abort', onAbort);
      reject(requestFailed(hop.url, err));
    });
    req.end(hop.body);
  });
}

/**
 * Read the body of `res`, keeping at most `maxBytes`. Bytes are counted as chunks arrive; at the
 * cap the response (and with it the socket) is destroyed at once, so the rest is never downloaded.
 */
export function readLimited(
  res: IncomingMessage,
  maxBytes: number,
  url: URL,
  signal: AbortSignal,
): Promise<LimitedBody> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      outcome();
    };
    const done = (truncated: boolean): void =>
      settle(() => resolve({ body: Buffer.concat(chunks, size), truncated }));
    const fail = (err: Error): void =>
      settle(() => {
        res.destroy();
        reject(err);
      });
    const onAbort = (): void => fail(abortReason(signal));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    res.on('data', (chunk: Buffer) => {
      if (settled) return;
      const room = maxBytes - size;
      if (chunk.length <= room) {
        chunks.push(chunk);
        size += chunk.length;
        return;
      }
      chunks.push(chunk.subarray(0, room));
      size += room;
      res.destroy();
      done(true);
    });
    res.on('end', () => done(false));
    res.on('error', (err) => fail(requestFailed(url, err)));
    res.on('close', () => {
      if (!res.complete) fail(requestFailed(url, { code: 'ECONNRESET' }));
    });
  });
}
