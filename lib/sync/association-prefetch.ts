/**
 * Associations of a part's records, read while the part is still being fetched: every 1,000 ids (one batch read)
 * go out at once, on the exempt lane, so that when the part is written only the last few remain and the object's
 * last part does not wait on a hundred association calls.
 */
import {
  ASSOCIATION_LIMITS,
  MissingScopesError,
  readAssociations,
  type AssociationRow,
  type HubSpotClient,
} from '../hubspot';

/** What one association pair's reads came to: its rows, or the missing scope that kept them out. */
export type PairLinks = { rows: AssociationRow[] } | { denied: MissingScopesError };

/** One target of the associations read with each part: its output name and what the API path takes. */
export interface AssociationTarget {
  to: string;
  toApiName: string;
}

export class AssociationPrefetch {
  private waiting: string[] = [];
  private readonly reads = new Map<string, Promise<PairLinks>[]>();

  constructor(
    private readonly client: HubSpotClient,
    private readonly fromApiName: string,
    private readonly targets: readonly AssociationTarget[],
  ) {}

  /** Adds the ids of a page; each full batch of them is read at once. */
  add(ids: readonly string[]): void {
    if (!this.targets.length) return;
    this.waiting.push(...ids);
    while (this.waiting.length >= ASSOCIATION_LIMITS.batchSize)
      this.read(this.waiting.splice(0, ASSOCIATION_LIMITS.batchSize));
  }

  /** Reads the ids left over and resolves every pair's links (a failure other than a missing scope rejects). */
  async collect(): Promise<Map<string, PairLinks>> {
    if (this.waiting.length) this.read(this.waiting.splice(0));
    const result = new Map<string, PairLinks>();
    for (const { to } of this.targets) {
      const chunks = await Promise.all(this.reads.get(to) ?? []);
      const denied = chunks.find((chunk): chunk is { denied: MissingScopesError } => 'denied' in chunk);
      result.set(to, denied ?? { rows: chunks.flatMap((chunk) => ('rows' in chunk ? chunk.rows : [])) });
    }
    return result;
  }

  private read(ids: string[]): void {
    for (const { to, toApiName } of this.targets) {
      const read = readAssociations(this.client, this.fromApiName, toApiName, ids).then(
        (rows): PairLinks => ({ rows }),
        (error: unknown): PairLinks => {
          if (error instanceof MissingScopesError) return { denied: error };
          throw error;
        },
      );
      // Handled here so a part abandoned before it is written leaves no unhandled rejection; collect() rethrows.
      read.catch(() => undefined);
      this.reads.set(to, [...(this.reads.get(to) ?? []), read]);
    }
  }
}
