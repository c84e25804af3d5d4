/** Injected faults, chosen per request by rule order, count and seeded probability. */
import { createRandom } from '../data/hash';
import type { FaultInjector, FaultRule } from '../types';

interface ActiveRule {
  rule: FaultRule;
  remaining: number;
}

export class Faults implements FaultInjector {
  private rules: ActiveRule[] = [];
  private applied = 0;
  private readonly random: () => number;

  constructor(seed: number) {
    this.random = createRandom(seed ^ 0x5eed);
  }

  add(rule: FaultRule): void {
    this.rules.push({ rule, remaining: rule.times ?? Infinity });
  }

  clear(): void {
    this.rules = [];
  }

  fired(): number {
    return this.applied;
  }

  /** The fault to apply to this request, if any (consumes one of its `times`). */
  pick(method: string, path: string): FaultRule | undefined {
    for (const active of this.rules) {
      if (active.remaining <= 0 || !matches(active.rule, method, path)) continue;
      if (active.rule.rate !== undefined && this.random() >= active.rule.rate) continue;
      active.remaining--;
      this.applied++;
      return active.rule;
    }
    return undefined;
  }
}

function matches(rule: FaultRule, method: string, path: string): boolean {
  const match = rule.match;
  if (!match) return true;
  if (match.method && match.method.toUpperCase() !== method) return false;
  if (match.path === undefined) return true;
  return typeof match.path === 'string' ? path.startsWith(match.path) : match.path.test(path);
}
