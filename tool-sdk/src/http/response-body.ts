// Turns a response's headers and bytes into the JSON result fields: plain headers, text or base64 body.
import type { IncomingMessage } from 'node:http';
import { TextDecoder } from 'node:util';

export type BodyEncoding = 'utf8' | 'base64';

export interface DecodedBody {
  readonly body: string;
  readonly body_encoding: BodyEncoding;
}

// Subtypes (of any type) whose content is text; `+json` / `+xml` suffixes count too.
const TEXT_SUBTYPES = new Set([
  'json',
  'xml',
  'javascript',
  'ecmascript',
  'x-javascript',
  'x-www-form-urlencoded',
  'ndjson',
  'x-ndjson',
  'yaml',
  'x-yaml',
  'graphql',
]);

/** Lower-case header names; repeated headers joined with ", ", except Set-Cookie lines joined with "\n". */
export function plainHeaders(res: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, values] of Object.entries(res.headersDistinct)) {
    if (values) out[name] = values.join(name === 'set-cookie' ? '\n' : ', ');
  }
  return out;
}

function parseContentType(header: string | undefined): { mediaType: string; charset?: string } | undefined {
  if (!header) return undefined;
  const [mediaType = '', ...params] = header.split(';').map((p) => p.trim().toLowerCase());
  const charset = params
    .find((p) => p.startsWith('charset='))
    ?.slice('charset='.length)
    .replace(/^"|"$/g, '');
  return charset ? { mediaType, charset } : { mediaType };
}

function isTextual(mediaType: string): boolean {
  const [type, subtype = ''] = mediaType.split('/');
  return (
    type === 'text' || TEXT_SUBTYPES.has(subtype) || subtype.endsWith('+json') || subtype.endsWith('+xml')
  );
}

function decoderFor(charset: string | undefined, fatal: boolean): TextDecoder {
  try {
    return new TextDecoder(charset ?? 'utf-8', { fatal });
  } catch {
    return new TextDecoder('utf-8', { fatal }); // unknown charset label
  }
}

const base64 = (bytes: Buffer): DecodedBody => ({ body: bytes.toString('base64'), body_encoding: 'base64' });

/**
 * Text for textual content types (decoded with their charset) and for untyped bodies that are valid
 * UTF-8; base64 otherwise, and for content-encoded bodies. A truncated body may end inside a
 * multi-byte character: that incomplete tail is left out of the text.
 */
export function decodeBody(bytes: Buffer, res: IncomingMessage, truncated: boolean): DecodedBody {
  if (bytes.length === 0) return { body: '', body_encoding: 'utf8' };
  const contentEncoding = res.headers['content-encoding']?.trim().toLowerCase();
  if (contentEncoding && contentEncoding !== 'identity') return base64(bytes);
  const type = parseContentType(res.headers['content-type']);
  if (type && !isTextual(type.mediaType)) return base64(bytes);
  try {
    const text = decoderFor(type?.charset, type === undefined).decode(bytes, { stream: truncated });
    return { body: text, body_encoding: 'utf8' };
  } catch {
    return base64(bytes); // untyped and not valid UTF-8
  }
}
