/**
 * Pause / resume / cancel for a running training loop, driven from the engine's training channel
 * or a signal handler. Cancel also fires an AbortSignal so anything awaiting can stop early.
 */
export class TrainingController {
  private readonly abort = new AbortController();
  private pausedFlag = false;
  private wake: (() => void) | null = null;

  get signal(): AbortSignal {
    return this.abort.signal;
  }

  get cancelled(): boolean {
    return this.abort.signal.aborted;
  }

  get paused(): boolean {
    return this.pausedFlag;
  }

  pause(): void {
    this.pausedFlag = true;
  }

  resume(): void {
    this.pausedFlag = false;
    this.wake?.();
  }

  /** Stops after the current step (the loop then checkpoints and returns). */
  cancel(reason = 'cancelled'): void {
    this.abort.abort(reason);
    this.wake?.();
  }

  /** Resolves when not paused (immediately if running), or when cancelled. */
  async waitWhilePaused(): Promise<void> {
    while (this.pausedFlag && !this.cancelled) {
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = null;
    }
  }
}
