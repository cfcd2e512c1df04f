// Count a stream's bytes against a cap while keeping only a bounded head or tail of it in memory.

/** One output stream of a tool: counts every byte, keeps at most `keepBytes` (the head or the tail). */
export class StreamCap {
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  private total = 0;

  constructor(
    /** More than this many bytes in total is an overflow. */
    readonly capBytes: number,
    private readonly keep: 'head' | 'tail',
    private readonly keepBytes: number = capBytes,
  ) {}

  /** Account for `chunk`; returns false once the total exceeds the cap (the caller stops the tool). */
  push(chunk: Buffer): boolean {
    this.total += chunk.length;
    if (this.keep === 'head') {
      const room = Math.min(this.keepBytes, this.capBytes) - this.kept;
      if (room > 0) this.append(chunk.length > room ? chunk.subarray(0, room) : chunk);
    } else {
      this.append(chunk.length > this.keepBytes ? chunk.subarray(chunk.length - this.keepBytes) : chunk);
      while (this.kept > this.keepBytes && this.chunks.length > 0) {
        const first = this.chunks[0]!;
        const excess = this.kept - this.keepBytes;
        if (first.length <= excess) {
          this.chunks.shift();
          this.kept -= first.length;
        } else {
          this.chunks[0] = first.subarray(excess);
          this.kept -= excess;
        }
      }
    }
    return this.total <= this.capBytes;
  }

  get totalBytes(): number {
    return this.total;
  }

  get overflowed(): boolean {
    return this.total > this.capBytes;
  }

  /** What was kept, as UTF-8 (a cut multi-byte character at the edge becomes U+FFFD). */
  text(): string {
    return Buffer.concat(this.chunks, this.kept).toString('utf8');
  }

  private append(chunk: Buffer): void {
    // Copy: a subarray would pin the whole (possibly 64 KiB) chunk the stream handed us.
    this.chunks.push(Buffer.from(chunk));
    this.kept += chunk.length;
  }
}
