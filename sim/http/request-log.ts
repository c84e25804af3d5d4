/** Every API request with its route and final status; admin (/_sim) calls are not logged. */
import type { RequestLog, RequestLogEntry } from '../types';

export class RequestLogStore implements RequestLog {
  private list: RequestLogEntry[] = [];
  private tally: Record<string, number> = {};

  add(entry: RequestLogEntry): void {
    this.list.push(entry);
    const key = `${entry.method} ${entry.route} ${entry.status}`;
    this.tally[key] = (this.tally[key] ?? 0) + 1;
  }

  entries(): RequestLogEntry[] {
    return [...this.list];
  }

  counts(): Record<string, number> {
    return { ...this.tally };
  }

  total(): number {
    return this.list.length;
  }

  reset(): void {
    this.list = [];
    this.tally = {};
  }
}
