import { MultiBar, Presets, type SingleBar } from 'cli-progress';
import type { ProgressEvent, SyncLogger } from '../sync/deps';
import { writeLine, type CliIo } from './output';

/** Shows per-object progress: bars with rate and ETA on a terminal, throttled log lines otherwise. */
export interface ProgressReporter {
  update(event: ProgressEvent): void;
  logger: SyncLogger;
  stop(): void;
}

interface Tracked {
  first: number;
  lastLine: number;
  bar?: SingleBar;
}

const PLAIN_INTERVAL_MS = 5_000;

const rateOf = (event: ProgressEvent, tracked: Tracked, now: number) => {
  const seconds = Math.max((now - tracked.first) / 1000, 0.001);
  return Math.round(event.rows / seconds);
};

function barReporter(io: CliIo): ProgressReporter {
  const bars = new MultiBar(
    {
      format: '{object} |{bar}| {value}/{total} records | {pages} pages | {rate} rec/s | ETA {eta_formatted}',
      hideCursor: true,
      clearOnComplete: false,
      stream: io.stderr,
    },
    Presets.shades_classic,
  );
  const tracked = new Map<string, Tracked>();
  return {
    update(event) {
      const now = Date.now();
      let t = tracked.get(event.object);
      if (!t) {
        t = {
          first: now,
          lastLine: 0,
          bar: bars.create(event.expected ?? event.rows, 0, { object: event.object.padEnd(16) }),
        };
        tracked.set(event.object, t);
      }
      const total = Math.max(event.expected ?? 0, event.rows);
      t.bar?.setTotal(total);
      t.bar?.update(event.rows, { pages: event.pages, rate: rateOf(event, t, now), object: event.object.padEnd(16) });
    },
    logger: {
      info: (message) => bars.log(`${message}\n`),
      warn: (message) => bars.log(`warning: ${message}\n`),
    },
    stop: () => bars.stop(),
  };
}

function lineReporter(io: CliIo): ProgressReporter {
  const tracked = new Map<string, Tracked>();
  return {
    update(event) {
      const now = Date.now();
      const t = tracked.get(event.object) ?? { first: now, lastLine: 0 };
      tracked.set(event.object, t);
      if (!event.done && now - t.lastLine < PLAIN_INTERVAL_MS) return;
      t.lastLine = now;
      const of = event.expected ? `/~${event.expected}` : '';
      writeLine(
        io.stderr,
        `${event.object}: ${event.rows}${of} records, ${event.pages} pages, ${event.requests} requests, ${rateOf(event, t, now)} rec/s (${event.phase})`,
      );
    },
    logger: {
      info: (message) => writeLine(io.stderr, message),
      warn: (message) => writeLine(io.stderr, `warning: ${message}`),
    },
    stop: () => undefined,
  };
}

export const createProgressReporter = (io: CliIo): ProgressReporter =>
  io.stderr.isTTY ? barReporter(io) : lineReporter(io);
