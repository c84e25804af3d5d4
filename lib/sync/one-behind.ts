/**
 * Runs tasks in the background one at a time, at most one behind the caller: `start` waits for the task in flight,
 * then starts the next without waiting for it. The sync step uses it to convert and upload part N while part N+1
 * is fetched and spooled, so the rate budget keeps being spent while DuckDB works, with at most two spools on disk.
 */
export class OneBehind {
  private inFlight: Promise<void> = Promise.resolve();
  private running = false;
  private failure: { error: unknown } | undefined;

  /** A task is still running. */
  get busy(): boolean {
    return this.running;
  }

  /** Waits for the task in flight (rethrowing its failure), then starts `task` in the background. */
  async start(task: () => Promise<void>): Promise<void> {
    await this.drain();
    // Caught here, so a failure never goes unhandled; the next start(), drain() or check() throws it.
    this.running = true;
    this.inFlight = task()
      .catch((error: unknown) => {
        this.failure ??= { error };
      })
      .finally(() => {
        this.running = false;
      });
  }

  /** Waits for the task in flight; throws the first failure of any task. */
  async drain(): Promise<void> {
    await this.inFlight;
    this.check();
  }

  /** Throws the first failure of a finished task, without waiting. */
  check(): void {
    if (this.failure) throw this.failure.error;
  }
}
