/** Append-only NDJSON spool on local disk with bounded memory. */
import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { InternalError, SyncError } from '../core/errors';
import { ByteWriter, type ByteSink } from '../core/byte-writer';

/** Bytes of lines gathered before they are written to the file. */
export const SPOOL_BUFFER_BYTES = 1024 * 1024;
/** Room past SPOOL_BUFFER_BYTES for the line that crosses it (a longer line grows the buffer until the flush). */
const LINE_HEADROOM_BYTES = 64 * 1024;
const BUFFER_CAPACITY = SPOOL_BUFFER_BYTES + LINE_HEADROOM_BYTES;
const NEWLINE = 0x0a;

const asError = (error: unknown): Error => (error instanceof Error ? error : new SyncError(String(error)));

/**
 * Appends JSON rows, one per line. Lines are written into one reused ByteWriter, which is written to the file
 * once it holds SPOOL_BUFFER_BYTES, so memory stays bounded whatever the row count.
 * @example const spool = await NdjsonSpool.create('/tmp/x.ndjson'); await spool.append({ id: '1' }); await spool.close();
 */
export class NdjsonSpool {
  private out = new ByteWriter(BUFFER_CAPACITY);
  private rowCount = 0;
  private byteCount = 0;
  private closed = false;
  private busy = false;
  private failure: Error | undefined;

  private constructor(
    private readonly filePath: string,
    private readonly file: FileHandle,
  ) {}

  /** Creates (or truncates) the spool file, creating its folder. */
  static async create(path: string): Promise<NdjsonSpool> {
    await mkdir(dirname(path), { recursive: true });
    return new NdjsonSpool(path, await open(path, 'w'));
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
    return this.appendAll([json], (line, out) => out.text(line));
  }

  /**
   * Appends one line per item, as `write` writes it into `out` (JSON text without a newline; the spool ends the
   * line). Awaits only when the buffer is written out, so a page of records costs one promise rather than one
   * per record. Calls must not overlap (await each one); after a failed write every call rethrows that failure.
   * @example await spool.appendAll(page.records, createSpoolWriter(columns));
   */
  async appendAll<T>(items: Iterable<T>, write: (item: T, out: ByteSink) => void): Promise<void> {
    this.enter();
    try {
      for (const item of items) {
        const lineStart = this.out.length;
        try {
          write(item, this.out);
        } catch (error) {
          // No half-written line stays behind for the next append.
          this.out.truncate(lineStart);
          throw error;
        }
        this.out.byte(NEWLINE);
        if (this.out.length >= SPOOL_BUFFER_BYTES) await this.flush();
        this.rowCount += 1;
      }
    } finally {
      this.busy = false;
    }
  }

  /** Refuses a closed or failed spool, and a call while another is still writing. */
  private enter(): void {
    if (this.failure) throw this.failure;
    if (this.closed) throw new InternalError(`Spool ${this.filePath} is closed`);
    if (this.busy) throw new InternalError(`Spool ${this.filePath} is busy: await each append before the next call`);
    this.busy = true;
  }

  private async flush(): Promise<void> {
    if (this.out.length === 0) return;
    await this.writeOut(this.out.toBuffer());
    // A buffer grown for a long line is not kept for the short ones after it.
    if (this.out.buffer.length > BUFFER_CAPACITY) this.out = new ByteWriter(BUFFER_CAPACITY);
    else this.out.truncate();
  }

  /** Writes all of `bytes`; a failure is kept, so the spool refuses everything after it. */
  private async writeOut(bytes: Buffer): Promise<void> {
    try {
      let offset = 0;
      while (offset < bytes.length) {
        const { bytesWritten } = await this.file.write(bytes, offset, bytes.length - offset);
        offset += bytesWritten;
      }
    } catch (error) {
      this.failure = asError(error);
      throw this.failure;
    }
    this.byteCount += bytes.length;
  }

  /** Flushes and closes the file; idempotent, but rethrows the failure of a write that failed. */
  async close(): Promise<void> {
    if (!this.closed) {
      if (this.busy) throw new InternalError(`Spool ${this.filePath} is busy: await each append before closing`);
      this.closed = true;
      try {
        if (!this.failure) await this.flush();
      } catch {
        // Kept in this.failure and thrown below, once the file is closed.
      } finally {
        // A closed spool waits for DuckDB and the upload: it holds no buffer meanwhile.
        this.out = new ByteWriter(0);
        await this.file.close().catch((error: unknown) => {
          this.failure ??= asError(error);
        });
      }
    }
    if (this.failure) throw this.failure;
  }
}
