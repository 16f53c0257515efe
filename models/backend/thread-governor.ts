/**
 * Run-time control of the wasm backend's XNNPACK thread pool (issue 5).
 *
 * The pool meets at a barrier in every kernel, so when the machine has more runnable threads than
 * cores every op waits for a descheduled thread, and a 2-thread run gets several times slower than
 * a 1-thread one (models/backend/README.md). tfjs sizes the pool once, but its
 * `init_with_threads_count` export can be called again: it makes a new pool that later kernels use
 * (the old pool's threads stay parked on a futex, using no CPU). So:
 *  - `setWasmThreads(n)` switches between kernels. A pool with more than one thread needs idle
 *    pre-loaded workers (the glue pre-loads 8): a worker created now would load asynchronously
 *    while the main thread blocks waiting for it to check in, a deadlock, so a switch that would
 *    need one is refused.
 *  - `ThreadGovernor` samples how long this process's threads waited for a CPU while runnable
 *    (Linux /proc/self/task/<tid>/schedstat), or else the load average, and drops to 1 thread when
 *    the machine is oversubscribed; it returns to the requested count once the machine has been
 *    calm for a while, a bounded number of times (each return uses up pre-loaded workers).
 * The governor is polled from the wasm backend's makeOutput (called at the start of nearly every
 * kernel, before its wasm call): a timer would not do, since a training or evaluation loop that
 * only awaits tensor reads runs on microtasks and never lets a timer fire. No pool is in use while
 * JavaScript runs, so switching there is safe.
 */
import * as tf from '@tensorflow/tfjs-core';
import { readdirSync, readFileSync } from 'node:fs';
import * as os from 'node:os';

interface PthreadWorker {
  unref?: () => void;
}

interface ThreadedWasmModule {
  tfjs?: { initWithThreadsCount?: (n: number) => void; getThreadsCount?: () => number };
  PThread?: { unusedWorkers?: PthreadWorker[]; runningWorkers?: PthreadWorker[] };
}

function threadedModule(): ThreadedWasmModule | null {
  if (tf.getBackend() !== 'wasm') return null;
  const wasm = (tf.backend() as unknown as { wasm?: ThreadedWasmModule }).wasm;
  return wasm?.PThread && wasm.tfjs?.initWithThreadsCount && wasm.tfjs.getThreadsCount ? wasm : null;
}

/** Threads of the current wasm pool (1 when the backend is not threaded wasm). */
export function wasmThreads(): number {
  return threadedModule()?.tfjs?.getThreadsCount?.() ?? 1;
}

/** Idle pre-loaded pthread workers left (a switch up to n threads needs n - 1 of them). */
export function spareWasmWorkers(): number {
  return threadedModule()?.PThread?.unusedWorkers?.length ?? 0;
}

/** Lets the process exit while pool threads wait for work: the glue refs every worker running a pthread. */
export function releasePoolWorkers(): void {
  for (const w of threadedModule()?.PThread?.runningWorkers ?? []) w.unref?.();
}

/**
 * Switches the threaded wasm backend to a pool of n threads; call between kernels (never from
 * inside one). Returns the pool's thread count afterwards: unchanged when the backend is not
 * threaded wasm or when n threads would need more idle pre-loaded workers than are left.
 */
export function setWasmThreads(n: number): number {
  const m = threadedModule();
  if (!m) return 1;
  const current = m.tfjs!.getThreadsCount!();
  const want = Math.max(1, Math.floor(n));
  if (want === current) return current;
  if (want - 1 > (m.PThread!.unusedWorkers?.length ?? 0)) return current;
  m.tfjs!.initWithThreadsCount!(want);
  releasePoolWorkers();
  return m.tfjs!.getThreadsCount!();
}

/** Run and run-queue wait time (ns) summed over this process's threads, or null off Linux. */
export function processSchedStat(): { runNs: number; waitNs: number } | null {
  try {
    let runNs = 0;
    let waitNs = 0;
    for (const tid of readdirSync('/proc/self/task')) {
      try {
        const [run, wait] = readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').trim().split(/\s+/).map(Number);
        runNs += run;
        waitNs += wait;
      } catch {
        // The thread ended between the listing and the read.
      }
    }
    return { runNs, waitNs };
  } catch {
    return null;
  }
}

export interface GovernorSample {
  /** Fraction of runnable time this process spent waiting for a CPU, or null (not measurable). */
  waitRatio: number | null;
  /** 1-minute load average per logical core. */
  loadPerCore: number;
  /** Whether this process wanted the CPU enough in the interval for waitRatio to mean something. */
  busy: boolean;
}

export interface ThreadGovernorOptions {
  /** The thread count to use when the machine allows. */
  requested: number;
  intervalMs?: number;
  /** Drop to 1 thread when waitRatio exceeds this (default 0.5: waiting more than running). */
  highWait?: number;
  /** Count an interval as calm below this waitRatio (default 0.2). */
  lowWait?: number;
  /** Calm busy intervals in a row before going back up (default 6). */
  calmIntervals?: number;
  /** Returns to `requested` at most this many times (default 2). */
  maxReturns?: number;
  /** Called on every switch, e.g. to log it. */
  onSwitch?: (threads: number, sample: GovernorSample) => void;
  /** Sampling source, replaceable in tests. */
  sample?: () => GovernorSample;
}

/** A sampler over the time since its previous call. */
export function schedSampler(): () => GovernorSample {
  let last = processSchedStat();
  let lastAt = performance.now();
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  return () => {
    const now = processSchedStat();
    const at = performance.now();
    const loadPerCore = os.loadavg()[0] / cores;
    let waitRatio: number | null = null;
    let busy = true;
    if (now && last) {
      const run = now.runNs - last.runNs;
      const wait = now.waitNs - last.waitNs;
      waitRatio = run + wait > 0 ? wait / (run + wait) : 0;
      // Runnable (running or waiting for a CPU) a fifth of the interval or more: an idle engine says
      // nothing about the pool, while a starved one runs little but waits much.
      busy = run + wait > 0.2 * (at - lastAt) * 1e6;
    }
    last = now;
    lastAt = at;
    return { waitRatio, loadPerCore, busy };
  };
}

export class ThreadGovernor {
  private detach: (() => void) | null = null;
  private calm = 0;
  private returns = 0;
  readonly switches: Array<{ threads: number; sample: GovernorSample }> = [];
  private readonly sample: () => GovernorSample;

  constructor(private readonly opts: ThreadGovernorOptions) {
    this.sample = opts.sample ?? schedSampler();
  }

  /** Hooks the current wasm backend (no-op unless it is threaded wasm and requested > 1). */
  start(): this {
    if (this.detach || this.opts.requested <= 1 || !threadedModule()) return this;
    const backend = tf.backend() as unknown as { makeOutput: (...args: unknown[]) => unknown };
    const own = Object.prototype.hasOwnProperty.call(backend, 'makeOutput');
    const original = backend.makeOutput;
    const interval = this.opts.intervalMs ?? 5000;
    let next = performance.now() + interval;
    backend.makeOutput = (...args: unknown[]) => {
      const now = performance.now();
      if (now >= next) {
        next = now + interval;
        this.tick();
      }
      return original.apply(backend, args);
    };
    this.detach = () => {
      if (own) backend.makeOutput = original;
      else delete (backend as { makeOutput?: unknown }).makeOutput;
    };
    return this;
  }

  stop(): void {
    this.detach?.();
    this.detach = null;
  }

  /** One decision (called from the hook once per interval; public for tests). */
  tick(): void {
    const s = this.sample();
    if (!s.busy) return;
    const current = wasmThreads();
    // Without schedstat, a load average above the core count stands for oversubscription.
    const over = s.waitRatio !== null ? s.waitRatio > (this.opts.highWait ?? 0.5) : s.loadPerCore > 1;
    const calm = s.waitRatio !== null ? s.waitRatio < (this.opts.lowWait ?? 0.2) : s.loadPerCore < 0.5;
    if (current > 1 && over) {
      this.calm = 0;
      this.switchTo(1, s);
      return;
    }
    this.calm = calm ? this.calm + 1 : 0;
    if (current < this.opts.requested && this.calm >= (this.opts.calmIntervals ?? 6) && this.returns < (this.opts.maxReturns ?? 2)) {
      this.calm = 0;
      if (this.switchTo(this.opts.requested, s) > current) this.returns++;
    }
  }

  private switchTo(n: number, sample: GovernorSample): number {
    const before = wasmThreads();
    const after = setWasmThreads(n);
    if (after !== before) {
      this.switches.push({ threads: after, sample });
      this.opts.onSwitch?.(after, sample);
    }
    return after;
  }
}
