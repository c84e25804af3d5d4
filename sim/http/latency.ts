/**
 * The latency model: per API call, delay = (baseMs + perKbMs x response KB) x a jitter factor uniform in
 * [1 - jitter, 1 + jitter], from a seeded PRNG (one draw per call, so a seed replays the same factors). Delays are
 * timers, never blocking: many answers wait at once, and close() lets them all go.
 */
import { createRandom } from '../data/hash';
import { readSettings } from '../setting-checks';
import { DEFAULT_LATENCY } from '../settings';
import type { LatencyControl, LatencySettings } from '../types';

const LATENCY_NAMES = ['baseMs', 'perKbMs', 'jitter'] as const;

export class LatencyModel implements LatencyControl {
  private settings: LatencySettings = { ...DEFAULT_LATENCY };
  private readonly random: () => number;
  private readonly waiting = new Map<NodeJS.Timeout, () => void>();

  constructor(options: Partial<LatencySettings> = {}, seed = 1) {
    this.random = createRandom(seed ^ 0x1a7e);
    this.set(options);
  }

  get(): LatencySettings {
    return { ...this.settings };
  }

  /** Changes the named settings (the others stay); throws SimulatorSettingError naming a bad value. */
  set(options: Partial<LatencySettings>): LatencySettings {
    this.settings = { ...this.settings, ...readSettings('latency', options, LATENCY_NAMES) };
    return this.get();
  }

  /** The delay for an answer of `bytes` bytes. */
  delayFor(bytes: number): number {
    const { baseMs, perKbMs, jitter } = this.settings;
    const factor = 1 - jitter + 2 * jitter * this.random();
    return (baseMs + (perKbMs * bytes) / 1024) * factor;
  }

  /** Resolves after `ms` (at once for 0), or when release() is called. */
  wait(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(timer);
        resolve();
      }, ms);
      this.waiting.set(timer, resolve);
    });
  }

  /** Ends every pending wait now (the server is closing: their sockets are gone). */
  release(): void {
    for (const [timer, resolve] of this.waiting) {
      clearTimeout(timer);
      resolve();
    }
    this.waiting.clear();
  }
}
