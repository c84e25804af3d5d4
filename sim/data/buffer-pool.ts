/** Reusable large buffers for response pages: a page is written into one, and it comes back once sent. */
import { PAGE_BUFFERS } from '../settings';

export class BufferPool {
  private readonly free: Buffer[] = [];
  private created = 0;

  constructor(
    private readonly bytes: number = PAGE_BUFFERS.initialBytes,
    private readonly keep: number = PAGE_BUFFERS.keep,
    private readonly maxBytes: number = PAGE_BUFFERS.maxBytes,
  ) {}

  /** A buffer of at least the pool's size (contents undefined). */
  acquire(): Buffer {
    const reused = this.free.pop();
    if (reused) return reused;
    this.created++;
    return Buffer.allocUnsafe(this.bytes);
  }

  /** Buffers allocated so far: flat while answers give theirs back (tests check it under load). */
  get allocated(): number {
    return this.created;
  }

  /** Takes a buffer back once nothing reads it any more; oversized ones and extras are left to the GC. */
  release(buffer: Buffer): void {
    if (this.free.length < this.keep && buffer.length <= this.maxBytes && buffer.length >= this.bytes) {
      this.free.push(buffer);
    }
  }
}

/** The process-wide pool for list pages. */
export const PAGE_BUFFER_POOL = new BufferPool();
