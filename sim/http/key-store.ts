/** Service keys: scopes, expiry, rotation with grace, revocation. */
import { randomUUID } from 'node:crypto';
import { STANDARD_OBJECT_TYPES } from '../data/object-catalog';
import { CUSTOM_OBJECTS_SCOPE, OWNERS_SCOPE, SCHEMAS_SCOPE } from '../data/scopes';
import type { KeyAdmin } from '../types';
import { expiredAuthentication, invalidAuthentication, type SimResponse } from './responses';

export interface KeyRecord {
  readonly id: string;
  readonly scopes: ReadonlySet<string>;
  expiresAt?: number;
  revoked: boolean;
}

const ALL_SCOPES = [
  ...new Set([...STANDARD_OBJECT_TYPES.flatMap((t) => t.scopes), SCHEMAS_SCOPE, CUSTOM_OBJECTS_SCOPE, OWNERS_SCOPE]),
].sort();

export class KeyStore implements KeyAdmin {
  private readonly keys = new Map<string, KeyRecord>();
  private nextId = 1;

  /** `clock` decides expiry (wall time by default). */
  constructor(private readonly clock: () => number = Date.now) {}

  create(opts: { scopes?: string[]; expiresAt?: number } = {}): string {
    const key = `pat-na1-${randomUUID()}`;
    this.keys.set(key, {
      id: `key-${this.nextId++}`,
      scopes: new Set(opts.scopes ?? ALL_SCOPES),
      expiresAt: opts.expiresAt,
      revoked: false,
    });
    return key;
  }

  rotate(key: string, opts: { expireOldAfterMs?: number } = {}): string {
    const old = this.keys.get(key);
    if (!old) throw new Error('rotate: unknown key');
    const next = this.create({ scopes: [...old.scopes] });
    old.expiresAt = this.clock() + (opts.expireOldAfterMs ?? 0);
    return next;
  }

  revoke(key: string): void {
    const record = this.keys.get(key);
    if (record) record.revoked = true;
  }

  allScopes(): string[] {
    return [...ALL_SCOPES];
  }

  /** The key named by an Authorization header, or the 401 to send. */
  authenticate(header: string | undefined): KeyRecord | SimResponse {
    const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
    const record = match ? this.keys.get(match[1]) : undefined;
    if (!record || record.revoked) return invalidAuthentication();
    if (record.expiresAt !== undefined && this.clock() >= record.expiresAt) return expiredAuthentication();
    return record;
  }
}
