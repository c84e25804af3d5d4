/**
 * Other processes of a scenario: the engine in a child (engine-child.ts) that can be killed with SIGKILL at any
 * point, and a second process spending the same service key.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { RunResult } from '../../lib/sync/types';
import type { ChildConfig } from './engine-child';

export interface EngineProcess {
  /** Pages read so far, as the child reported them. */
  readonly pages: number;
  /** Resolves when the child has ended: its exit code or signal, and its result when it got that far. */
  readonly ended: Promise<{ code: number | null; signal: NodeJS.Signals | null; result?: RunResult; stderr: string }>;
  kill(signal?: NodeJS.Signals): void;
}

const CHILD = join(__dirname, 'engine-child.ts');

/** Starts the engine in a child process (one process: node with tsx's loader, so a SIGKILL reaches the engine). */
export function startEngineProcess(config: ChildConfig, serviceKey: string): EngineProcess {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', CHILD], {
    env: { ...process.env, CHAOS_CHILD: JSON.stringify(config), HUBSPOT_SERVICE_KEY: serviceKey },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let pages = 0;
  let result: RunResult | undefined;
  let stderr = '';
  let buffered = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      if (line.startsWith('progress ')) pages += 1;
      else if (line.startsWith('result ')) result = JSON.parse(line.slice('result '.length)) as RunResult;
    }
  });
  child.stderr?.on('data', (chunk: Buffer) => void (stderr += chunk.toString()));
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null; result?: RunResult; stderr: string }>(
    (resolve) => child.on('close', (code, signal) => resolve({ code, signal, result, stderr })),
  );
  return {
    get pages() {
      return pages;
    },
    ended,
    kill: (signal = 'SIGKILL') => void child.kill(signal),
  };
}

/** A loop of GET requests at about `perSecond`, as another integration would make with the same key. */
const SPENDER = `
const [url, perSecond] = process.argv.slice(1);
const key = process.env.HUBSPOT_SERVICE_KEY;
setInterval(() => {
  fetch(url, { headers: { authorization: 'Bearer ' + key } }).then((r) => r.arrayBuffer(), () => undefined);
}, 1000 / Number(perSecond));
`;

/** Starts a second process spending `key` on `url` about `perSecond` times a second; stop() ends it. */
export function startKeySpender(url: string, key: string, perSecond: number): { stop(): Promise<void> } {
  const child = spawn(process.execPath, ['-e', SPENDER, url, String(perSecond)], {
    env: { ...process.env, HUBSPOT_SERVICE_KEY: key },
    stdio: 'ignore',
  });
  const closed = new Promise<void>((resolve) => child.on('close', () => resolve()));
  return {
    async stop() {
      child.kill('SIGTERM');
      await closed;
    },
  };
}
