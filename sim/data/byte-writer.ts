/** A growable byte buffer for building large JSON responses without string ropes. */
export class ByteWriter {
  private buf: Buffer;
  private length = 0;

  constructor(initialBytes = 1 << 20) {
    this.buf = Buffer.allocUnsafe(initialBytes);
  }

  /** Appends a string as UTF-8. */
  text(value: string): void {
    this.reserve(value.length * 3);
    this.length += this.buf.write(value, this.length, 'utf8');
  }

  /** Appends raw bytes (short ones copied in JS: cheaper than a native call). */
  bytes(value: Buffer): void {
    const n = value.length;
    this.reserve(n);
    if (n > 64) {
      value.copy(this.buf, this.length);
      this.length += n;
      return;
    }
    const buf = this.buf;
    let at = this.length;
    for (let k = 0; k < n; k++) buf[at++] = value[k];
    this.length = at;
  }

  /** Appends value[start, end). */
  slice(value: Buffer, start: number, end: number): void {
    const n = end - start;
    if (n <= 0) return;
    this.reserve(n);
    value.copy(this.buf, this.length, start, end);
    this.length += n;
  }

  byte(value: number): void {
    this.reserve(1);
    this.buf[this.length++] = value;
  }

  /** The bytes written so far (a view, not a copy). */
  toBuffer(): Buffer {
    return this.buf.subarray(0, this.length);
  }

  toString(): string {
    return this.buf.toString('utf8', 0, this.length);
  }

  private reserve(extra: number): void {
    if (this.length + extra <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.length + extra));
    this.buf.copy(next, 0, 0, this.length);
    this.buf = next;
  }
}
