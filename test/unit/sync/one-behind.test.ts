import { OneBehind } from '../../../lib/sync/one-behind';

/** A task that finishes (or fails) when told to, logging when it starts and ends. */
function gate(log: string[], name: string) {
  let finish!: () => void;
  let fail!: (error: Error) => void;
  const task = () =>
    new Promise<void>((resolve, reject) => {
      log.push(`start ${name}`);
      finish = () => {
        log.push(`end ${name}`);
        resolve();
      };
      fail = (error) => {
        log.push(`fail ${name}`);
        reject(error);
      };
    });
  return { task, finish: () => finish(), fail: (error: Error) => fail(error) };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('Class: OneBehind', () => {
  it('starts a task without waiting for it, and the next only once the one in flight is done', async () => {
    // Prepare
    const log: string[] = [];
    const behind = new OneBehind();
    const first = gate(log, 'part 1');
    const second = gate(log, 'part 2');

    // Act
    await behind.start(first.task);
    log.push('fetching part 2');
    const starting = behind.start(second.task);
    await tick();
    log.push('still waiting for part 1');
    first.finish();
    await starting;
    log.push('fetching part 3');
    second.finish();
    await behind.drain();

    // Assess
    expect(log).toEqual([
      'start part 1',
      'fetching part 2',
      'still waiting for part 1',
      'end part 1',
      'start part 2',
      'fetching part 3',
      'end part 2',
    ]);
  });

  it('is busy while a task runs, and not before or after', async () => {
    const behind = new OneBehind();
    const task = gate([], 'part');
    expect(behind.busy).toBe(false);

    await behind.start(task.task);
    expect(behind.busy).toBe(true);
    task.finish();
    await behind.drain();

    expect(behind.busy).toBe(false);
  });

  it('rethrows a failed task from the next start, without starting the next task', async () => {
    const log: string[] = [];
    const behind = new OneBehind();
    const failing = gate(log, 'part 1');
    await behind.start(failing.task);
    failing.fail(new Error('DuckDB: out of memory'));

    await expect(behind.start(gate(log, 'part 2').task)).rejects.toThrow('DuckDB: out of memory');

    expect(log).toEqual(['start part 1', 'fail part 1']);
  });

  it('throws a failure from check() only once the task has failed, and from drain() too', async () => {
    const behind = new OneBehind();
    const failing = gate([], 'part 1');
    await behind.start(failing.task);
    expect(() => behind.check()).not.toThrow();

    failing.fail(new Error('upload refused'));
    await tick();

    expect(() => behind.check()).toThrow('upload refused');
    await expect(behind.drain()).rejects.toThrow('upload refused');
  });

  it('keeps throwing a failure on every later drain and check: a caller that goes on anyway hears of it again', async () => {
    const behind = new OneBehind();
    const first = gate([], 'part 1');
    await behind.start(first.task);
    first.fail(new Error('first'));
    await tick();
    await expect(behind.drain()).rejects.toThrow('first');

    await expect(behind.drain()).rejects.toThrow('first');
    expect(() => behind.check()).toThrow('first');
  });

  it('drains to nothing when no task was started', async () => {
    const behind = new OneBehind();

    await expect(behind.drain()).resolves.toBeUndefined();
    expect(behind.busy).toBe(false);
  });
});
