/**
 * Runs `work` over `items` with at most `limit` at once and resolves their results in input order; the first
 * failure rejects (the others still finish, unobserved).
 * @example const pages = await mapLimit(batches, 4, (batch) => readBatch(batch));
 */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index], index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker));
  return results;
}
