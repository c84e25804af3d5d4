import { PassThrough } from 'node:stream';
import type { CliIo } from '../../lib/cli/output';

/** Captured CLI streams: what `main()` printed, as text. */
export interface CapturedIo extends CliIo {
  out(): string;
  err(): string;
}

export function captureIo(env: NodeJS.ProcessEnv = {}): CapturedIo {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const chunks = { out: [] as Buffer[], err: [] as Buffer[] };
  stdout.on('data', (c: Buffer) => chunks.out.push(c));
  stderr.on('data', (c: Buffer) => chunks.err.push(c));
  return {
    stdout,
    stderr,
    env,
    out: () => Buffer.concat(chunks.out).toString(),
    err: () => Buffer.concat(chunks.err).toString(),
  };
}
