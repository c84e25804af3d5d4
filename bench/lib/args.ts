/** What every bench reads the same way: `--name value` arguments, and the process's peak RSS while it runs. */

/** `--contacts 1000 --profiles 0,100` as a map from name to value. */
export function benchArgs(argv = process.argv.slice(2)): Map<string, string> {
  const args = new Map<string, string>();
  for (let i = 0; i < argv.length; i += 2) args.set(argv[i].replace(/^--/, ''), argv[i + 1]);
  return args;
}

/**
 * Samples this process's RSS (and JS heap in use) every 200 ms; `stop` ends sampling and returns the peak RSS in
 * MiB.
 */
export function peakRssSampler(): { peakMiB(): number; peakHeapMiB(): number; reset(): void; stop(): number } {
  let peak = process.memoryUsage().rss;
  let heap = process.memoryUsage().heapUsed;
  const timer = setInterval(() => {
    const m = process.memoryUsage();
    peak = Math.max(peak, m.rss);
    heap = Math.max(heap, m.heapUsed);
  }, 200);
  const peakMiB = () => Math.round(Math.max(peak, process.memoryUsage().rss) / 2 ** 20);
  return {
    peakMiB,
    peakHeapMiB: () => Math.round(heap / 2 ** 20),
    reset: () => (peak = process.memoryUsage().rss),
    stop: () => {
      clearInterval(timer);
      return peakMiB();
    },
  };
}
