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
  /** When the object's first progress event came, and the rows it already had (its first page). */
  first: number;
  firstRows: number;
  lastLine: number;
  bar?: SingleBar;
}

const PLAIN_INTERVAL_MS = 5_000;
/** A rate needs this long of pages behind it: over the first page alone it would read 100,000 rec/s. */
const RATE_AFTER_MS = 1_000;

/** Records per second since the object's first event, or undefined while that is too short to tell. */
const rateOf = (event: ProgressEvent, tracked: Tracked, now: number): number | undefined => {
  const elapsed = now - tracked.first;
  return elapsed < RATE_AFTER_MS ? undefined : Math.round(((event.rows - tracked.firstRows) * 1000) / elapsed);
};

const track = (event: ProgressEvent, now: number): Tracked => ({ first: now, firstRows: event.rows, lastLine: 0 });

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
          ...track(event, now),
          bar: bars.create(event.expected ?? event.rows, 0, { object: event.object.padEnd(16) }),
        };
        tracked.set(event.object, t);
      }
      const total = Math.max(event.expected ?? 0, event.rows);
      t.bar?.setTotal(total);
      const rate = rateOf(event, t, now) ?? '-';
      t.bar?.update(event.rows, { pages: event.pages, rate, object: event.object.padEnd(16) });
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
      const t = tracked.get(event.object) ?? track(event, now);
      tracked.set(event.object, t);
      if (!event.done && now - t.lastLine < PLAIN_INTERVAL_MS) return;
      t.lastLine = now;
      const of = event.expected ? `/~${event.expected}` : '';
      const rate = rateOf(event, t, now);
      writeLine(
        io.stderr,
        `${event.object}: ${event.rows}${of} records, ${event.pages} pages, ${event.requests} requests` +
          `${rate === undefined ? '' : `, ${rate} rec/s`} (${event.phase})`,
      );
    },
    logger: {
      info: (message) => writeLine(io.stderr, message),
      warn: (message) => writeLine(io.stderr, `warning: ${message}`),
    },
    stop: () => undefined,
  };
}

/** Sums the slices of an object split across items into one event per object, as the user sees it. */
function combineSlices(reporter: ProgressReporter): ProgressReporter {
  const latest = new Map<string, Map<number, ProgressEvent>>();
  return {
    ...reporter,
    update(event) {
      if (event.slice === undefined) return reporter.update(event);
      const slices = latest.get(event.object) ?? new Map<number, ProgressEvent>();
      latest.set(event.object, slices.set(event.slice, event));
      const all = [...slices.values()];
      const sum = (field: 'rows' | 'pages' | 'requests') => all.reduce((total, e) => total + e[field], 0);
      const { slice: _slice, ...rest } = event;
      reporter.update({ ...rest, rows: sum('rows'), pages: sum('pages'), requests: sum('requests') });
    },
  };
}

export const createProgressReporter = (io: CliIo): ProgressReporter =>
  combineSlices(io.stderr.isTTY ? barReporter(io) : lineReporter(io));
