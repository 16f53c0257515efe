/**
 * Owns the engine process: starts it, initialises the backend, routes requests by id, forwards
 * progress, cancels, and restarts the engine when it dies. A request in flight when the engine
 * dies resolves to 'engine-crashed' (never hangs); requests made meanwhile wait for the restart.
 */
import { fail, ok, type Result } from '../../preload/schemas/common';
import type { EngineState } from '../../preload/schemas/system';
import type { EngineHandle, EngineLauncher } from './launcher';
import {
  isEngineToMain,
  type EngineInfo,
  type EngineInitOptions,
  type EngineOp,
  type EngineRequestOf,
  type EngineResponseOf,
} from './protocol';

export interface SupervisorStatus {
  state: EngineState;
  info: EngineInfo | null;
  pid: number | null;
  restarts: number;
  lastError: string | null;
}

export interface RequestOptions {
  signal?: AbortSignal;
  onProgress?: (data: unknown) => void;
}

export interface SupervisorOptions {
  launcher: EngineLauncher;
  init: EngineInitOptions;
  /** Crashes tolerated within crashWindowMs before the supervisor gives up ('failed'). */
  maxCrashes?: number;
  crashWindowMs?: number;
  /** How long a request waits for the engine to become ready. */
  readyTimeoutMs?: number;
  /** After giving up ('failed'), a request this much later tries a fresh start. */
  retryFailedAfterMs?: number;
  onLog?: (level: 'debug' | 'info' | 'warn' | 'error', message: string) => void;
}

interface Pending {
  resolve(result: Result<unknown>): void;
  onProgress?: (data: unknown) => void;
}

type Waiter = (error: string | null) => void;

export class EngineSupervisor {
  private handle: EngineHandle | null = null;
  private state: EngineState = 'stopped';
  private info: EngineInfo | null = null;
  private restarts = 0;
  private lastError: string | null = null;
  private crashTimes: number[] = [];
  private failedAt = 0;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readyWaiters: Waiter[] = [];
  private readonly statusListeners = new Set<(s: SupervisorStatus) => void>();
  private restartTimer: NodeJS.Timeout | null = null;
  private generation = 0;

  constructor(private readonly options: SupervisorOptions) {}

  get status(): SupervisorStatus {
    return {
      state: this.state,
      info: this.info,
      pid: this.handle?.pid ?? null,
      restarts: this.restarts,
      lastError: this.lastError,
    };
  }

  onStatus(listener: (s: SupervisorStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  start(): void {
    if (this.state === 'starting' || this.state === 'ready') return;
    this.spawn('starting');
  }

  /** Restart with new init options (e.g. a backend override); in-flight requests get 'engine-crashed'. */
  async restart(init?: Partial<EngineInitOptions>): Promise<void> {
    if (init) Object.assign(this.options.init, init);
    this.crashTimes = [];
    const old = this.handle;
    this.handle = null;
    this.generation++;
    this.failPending('engine-crashed', 'the engine was restarted');
    old?.kill();
    this.spawn('restarting');
  }

  async stop(): Promise<void> {
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = null;
    const old = this.handle;
    this.handle = null;
    this.generation++;
    this.setState('stopped');
    this.failPending('engine-unavailable', 'the engine was stopped');
    this.releaseWaiters('the engine was stopped');
    if (old) {
      old.send({ type: 'shutdown' });
      // The worker exits on its own; make sure of it.
      await new Promise((r) => setTimeout(r, 300));
      old.kill();
    }
  }

  /** Resolves once the engine is ready (or with an error message when it cannot become ready). */
  whenReady(): Promise<string | null> {
    if (this.state === 'ready') return Promise.resolve(null);
    if (this.state === 'stopped' || this.state === 'failed') {
      return Promise.resolve(this.lastError ?? `engine is ${this.state}`);
    }
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  async request<K extends EngineOp>(
    op: K,
    payload: EngineRequestOf<K>,
    opts: RequestOptions = {},
  ): Promise<Result<EngineResponseOf<K>>> {
    if (opts.signal?.aborted) return fail('cancelled', 'cancelled before it started');
    if (this.state === 'stopped') this.start();
    if (this.state === 'failed' && Date.now() - this.failedAt >= (this.options.retryFailedAfterMs ?? 30_000)) {
      // A crash loop or a failed backend may have been transient (memory pressure, a driver).
      this.crashTimes = [];
      this.spawn('restarting');
    }
    const notReady = await this.waitReady(opts.signal);
    if (notReady) return notReady;
    const handle = this.handle;
    if (!handle) return fail('engine-unavailable', 'engine is not running');
    const id = this.nextId++;
    return new Promise<Result<EngineResponseOf<K>>>((resolve) => {
      const onAbort = () => {
        if (!this.pending.delete(id)) return;
        handle.send({ type: 'cancel', id });
        resolve(fail('cancelled', `${op} was cancelled`));
      };
      this.pending.set(id, {
        resolve: (r) => {
          opts.signal?.removeEventListener('abort', onAbort);
          resolve(r as Result<EngineResponseOf<K>>);
        },
        onProgress: opts.onProgress,
      });
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      handle.send({ type: 'request', id, op, payload });
    });
  }

  private async waitReady(signal?: AbortSignal): Promise<Result<never> | null> {
    if (this.state === 'ready') return null;
    const timeoutMs = this.options.readyTimeoutMs ?? 60_000;
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    const outcome = await Promise.race([
      this.whenReady().then((err) => (err ? fail('engine-unavailable', err) : null)),
      new Promise<Result<never>>((resolve) => {
        timer = setTimeout(() => resolve(fail('engine-unavailable', `engine not ready after ${timeoutMs} ms`)), timeoutMs);
      }),
      new Promise<Result<never>>((resolve) => {
        onAbort = () => resolve(fail('cancelled', 'cancelled while waiting for the engine'));
        signal?.addEventListener('abort', onAbort, { once: true });
      }),
    ]);
    clearTimeout(timer);
    if (onAbort) signal?.removeEventListener('abort', onAbort);
    return outcome;
  }

  private spawn(state: 'starting' | 'restarting') {
    this.info = null;
    this.setState(state);
    const generation = ++this.generation;
    const current = () => generation === this.generation;
    const handle = this.options.launcher.launch({
      onMessage: (m) => {
        if (current()) this.onEngineMessage(m);
      },
      onExit: (description) => {
        if (current()) this.onEngineExit(description);
      },
      onOutput: (stream, text) => {
        if (current()) this.log(stream === 'stderr' ? 'warn' : 'info', `engine ${stream}: ${text.trimEnd()}`);
      },
    });
    this.handle = handle;
    handle.send({ type: 'init', options: { ...this.options.init } });
    this.emitStatus();
  }

  private onEngineMessage(m: unknown) {
    if (!isEngineToMain(m)) return;
    switch (m.type) {
      case 'ready':
        this.info = m.info;
        this.setState('ready');
        this.releaseWaiters(null);
        break;
      case 'info':
        // The thread governor switched the count: the studio shows what runs now.
        this.info = m.info;
        this.emitStatus();
        break;
      case 'init-failed':
        this.lastError = `engine backend failed to start: ${m.message}`;
        this.setState('failed');
        this.releaseWaiters(this.lastError);
        this.handle?.kill();
        break;
      case 'response': {
        const p = this.pending.get(m.id);
        if (!p) return; // cancelled or from before a restart
        this.pending.delete(m.id);
        p.resolve(m.result.ok ? ok(m.result.value) : m.result);
        break;
      }
      case 'progress':
        this.pending.get(m.id)?.onProgress?.(m.data);
        break;
      case 'log':
        this.log(m.level, `engine: ${m.message}`);
        break;
    }
  }

  private onEngineExit(description: string) {
    this.handle = null;
    this.info = null;
    this.failPending('engine-crashed', `the engine process ${description}`);
    if (this.state === 'stopped' || this.state === 'failed') {
      this.emitStatus();
      return;
    }
    this.lastError = `engine ${description}`;
    this.log('error', this.lastError);
    const now = Date.now();
    const windowMs = this.options.crashWindowMs ?? 60_000;
    this.crashTimes = [...this.crashTimes.filter((t) => now - t < windowMs), now];
    if (this.crashTimes.length > (this.options.maxCrashes ?? 5)) {
      this.setState('failed');
      this.releaseWaiters(`${this.lastError}; gave up after ${this.crashTimes.length} crashes`);
      return;
    }
    this.restarts++;
    this.setState('restarting');
    // Back off when crashes repeat, so a crash loop cannot eat the CPU.
    const delay = Math.min(100 * 2 ** (this.crashTimes.length - 1), 5_000);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      if (this.state === 'restarting') this.spawn('restarting');
    }, delay);
  }

  private failPending(code: 'engine-crashed' | 'engine-unavailable', message: string) {
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) p.resolve(fail(code, message));
  }

  private releaseWaiters(error: string | null) {
    const waiters = this.readyWaiters;
    this.readyWaiters = [];
    for (const w of waiters) w(error);
  }

  private setState(state: EngineState) {
    if (state === 'failed') this.failedAt = Date.now();
    this.state = state;
    this.emitStatus();
  }

  private emitStatus() {
    const s = this.status;
    for (const l of this.statusListeners) l(s);
  }

  private log(level: 'debug' | 'info' | 'warn' | 'error', message: string) {
    this.options.onLog?.(level, message);
  }
}
