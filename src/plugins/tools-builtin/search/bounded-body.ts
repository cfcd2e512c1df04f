// Bounded reads of a fetch body: at most N bytes are downloaded, and error bodies are quoted short and redacted.

/** How much of an error body is read, and how much of it is quoted. */
const ERROR_BODY_READ_BYTES = 4096;
const ERROR_BODY_QUOTE_CHARS = 200;

export interface CappedBody {
  readonly bytes: Buffer;
  readonly truncated: boolean;
}

/** Read at most `maxBytes` of a body; beyond that the stream is cancelled (the rest is never downloaded). */
export async function readCapped(
  body: ReadableStream<Uint8Array> | null,
  maxBytes: number,
): Promise<CappedBody> {
  if (!body) return { bytes: Buffer.alloc(0), truncated: false };
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return { bytes: Buffer.concat(chunks), truncated: false };
    chunks.push(value);
    size += value.byteLength;
    if (size > maxBytes) {
      reader.cancel().catch(() => undefined);
      return { bytes: Buffer.concat(chunks).subarray(0, maxBytes), truncated: true };
    }
  }
}

const redact = (text: string, secret: string | undefined): string =>
  secret ? text.split(secret).join('[redacted]') : text;

/** The start of an error body, redacted and on one line; undefined when empty or unreadable. */
export async function quoteBody(response: Response, secret: string | undefined): Promise<string | undefined> {
  try {
    const { bytes } = await readCapped(response.body, ERROR_BODY_READ_BYTES);
    const text = redact(bytes.toString('utf8'), secret).replace(/\s+/g, ' ').trim();
    if (text === '') return undefined;
    return text.length > ERROR_BODY_QUOTE_CHARS ? `${text.slice(0, ERROR_BODY_QUOTE_CHARS)}…` : text;
  } catch {
    return undefined;
  }
}
