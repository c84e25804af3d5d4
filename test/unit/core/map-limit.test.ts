import { mapLimit } from '../../../lib/core/map-limit';

/** A task that resolves when told to, recording how many tasks run at once. */
function gatedWork() {
  const gates = new Map<number, () => void>();
  let running = 0;
  let peak = 0;
  const started: number[] = [];
  const work = (item: number, index: number) =>
    new Promise<string>((resolve) => {
      running += 1;
      peak = Math.max(peak, running);
      started.push(index);
      gates.set(index, () => {
        running -= 1;
        resolve(`item ${item} at ${index}`);
      });
    });
  const open = async (index: number) => {
    gates.get(index)?.();
    // Let the freed worker pick up its next item.
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { work, open, started, peak: () => peak };
}

describe('Function: mapLimit', () => {
  it('resolves results in input order whatever order the tasks finish in', async () => {
    // Prepare
    const gated = gatedWork();

    // Act
    const done = mapLimit([10, 20, 30, 40], 2, gated.work);
    await new Promise((resolve) => setImmediate(resolve));
    await gated.open(1);
    await gated.open(0);
    await gated.open(3);
    await gated.open(2);

    // Assess
    expect(await done).toEqual(['item 10 at 0', 'item 20 at 1', 'item 30 at 2', 'item 40 at 3']);
  });

  it('runs at most `limit` tasks at once, starting the next as one finishes', async () => {
    const gated = gatedWork();

    const done = mapLimit([1, 2, 3, 4, 5], 2, gated.work);
    await new Promise((resolve) => setImmediate(resolve));
    expect(gated.started).toEqual([0, 1]);
    await gated.open(1);
    expect(gated.started).toEqual([0, 1, 2]);
    for (const index of [0, 2, 3, 4]) await gated.open(index);

    await done;
    expect(gated.peak()).toBe(2);
    expect(gated.started).toEqual([0, 1, 2, 3, 4]);
  });

  it.each([
    [0, 1],
    [-3, 1],
    [1, 1],
    [3, 3],
    [10, 4],
  ])('with limit %d runs %d at once over four items', async (limit, expected) => {
    let running = 0;
    let peak = 0;
    const work = async (item: number) => {
      running += 1;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setTimeout(resolve, 5));
      running -= 1;
      return item * 2;
    };

    expect(await mapLimit([1, 2, 3, 4], limit, work)).toEqual([2, 4, 6, 8]);
    expect(peak).toBe(expected);
  });

  it('resolves an empty list without calling the work', async () => {
    const work = jest.fn(async () => 1);

    expect(await mapLimit([], 4, work)).toEqual([]);
    expect(work).not.toHaveBeenCalled();
  });

  it('rejects with the first failure', async () => {
    const work = async (item: number) => {
      await new Promise((resolve) => setTimeout(resolve, item));
      if (item >= 20) throw new Error(`item ${item} failed`);
      return item;
    };

    await expect(mapLimit([5, 30, 20, 1], 4, work)).rejects.toThrow('item 20 failed');
  });
});
