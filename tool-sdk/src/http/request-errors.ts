// Turns Node network, TLS and parser errors into HTTP_REQUEST_FAILED with a short reason.
import { ToolError } from '../tool-error.js';

const REASONS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection closed',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EADDRNOTAVAIL: 'address not available',
};

function errorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** A short, secret-free reason for a failed request. */
export function failureReason(err: unknown): string {
  const code = errorCode(err);
  if (code === undefined) return 'network error';
  const known = REASONS[code];
  if (known) return `${known} (${code})`;
  if (/CERT|TLS|SSL/.test(code)) return `TLS error (${code})`;
  if (code.startsWith('HPE_')) return `invalid HTTP response (${code})`;
  return code;
}

/** HTTP_REQUEST_FAILED for `url`, keeping a ToolError (a refused address, a timeout) as it is. */
export function requestFailed(url: URL, err: unknown): ToolError {
  if (ToolError.is(err)) return err;
  const reason = failureReason(err);
  return new ToolError('HTTP_REQUEST_FAILED', `request to ${url.host} failed: ${reason}`, {
    host: url.host,
    reason,
  });
}
