/** Append-only NDJSON spool on local disk with bounded memory. */
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { once } from 'node:events';

/** Lines are batched into chunks of about this many characters before they reach the stream. */
export const SPOOL_CHUNK_CHARS = 256 * 1024;

/**
 * Appends JSON rows, one per line. Writes are batched and wait for the stream to drain, so memory stays
 * bounded whatever the row count.
 * @example const spool = await NdjsonSpool.create('/tmp/x.ndjson'); await spool.append({ id: '1' }); await spool.close();
 */
export class NdjsonSpool {
  private chunk: string[] = [];
  private chunkChars = 0;
  private rowCount = 0;
  private byteCount = 0;
  private failure: Error | undefined;
  private closed = false;

  private constructor(
    private readonly filePath: string,
    private readonly stream: WriteStream,
  ) {
    stream.on('error', (error) => {
      this.failure = error;
    });
  }

  /** Creates (or truncates) the spool file, creating its folder. */
  static async create(path: string): Promise<NdjsonSpool> {
    await mkdir(dirname(path), { recursive: true });
    // Room for a few chunks, so encoding goes on while earlier chunks are written.
    const stream = createWriteStream(path, { flags: 'w', highWaterMark: 4 * SPOOL_CHUNK_CHARS });
    await once(stream, 'open');
    return new NdjsonSpool(path, stream);
  }

  get rows(): number {
    return this.rowCount;
  }

  /** Bytes written so far (UTF-8, newlines included); complete after close(). */
  get bytes(): number {
    return this.byteCount;
  }

  get path(): string {
    return this.filePath;
  }

  async append(row: Record<string, unknown>): Promise<void> {
    return this.appendJson(JSON.stringify(row));
  }

  /** Appends one row already serialised as JSON text (no newline inside; JSON.stringify never writes one). */
  async appendJson(json: string): Promise<void> {
    if (this.closed) throw new Error(`Spool ${this.filePath} is closed`);
    if (this.failure) throw this.failure;
    this.chunk.push(json);
    this.chunkChars += json.length + 1;
    this.rowCount += 1;
    if (this.chunkChars >= SPOOL_CHUNK_CHARS) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.chunk.length === 0) return;
    // One UTF-8 encoding per chunk, counted and written as the same buffer.
    const buffer = Buffer.from(`${this.chunk.join('\n')}\n`);
    this.chunk = [];
    this.chunkChars = 0;
    this.byteCount += buffer.length;
    // once() rejects when the stream emits 'error' first.
    if (!this.stream.write(buffer)) await once(this.stream, 'drain');
    if (this.failure) throw this.failure;
  }

  /** Flushes and closes the file; idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush();
    this.closed = true;
    if (!this.stream.closed) {
      const closing = once(this.stream, 'close');
      this.stream.end();
      await closing.catch(() => undefined);
    }
    if (this.failure) throw this.failure;
  }
}
