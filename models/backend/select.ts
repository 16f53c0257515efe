/**
 * Chooses the engine's tfjs backend once per process, in order of speed:
 *   tensorflow-gpu (@tensorflow/tfjs-node-gpu with a CUDA device) > tensorflow (@tensorflow/tfjs-node)
 *   > wasm (SIMD, XNNPACK threads, our training kernels) > cpu.
 * An override (function argument, else FACE_AGE_BACKEND) is tried first; if it cannot start, the
 * default order continues after it and every failure is reported in fallbacksTried.
 */
import * as tf from '@tensorflow/tfjs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import { registerFusedKernels } from './fused-kernels';
import { registerGradientFixes } from './grad-fixes';
import { registerWasmTrainingKernels } from './wasm-kernels/register';
import { ThreadGovernor } from './thread-governor';
import { loadWasmBackend } from './wasm-setup';

export type BackendName = 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';
export const BACKEND_ORDER: readonly BackendName[] = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];

export interface BackendInfo {
  name: BackendName;
  /** Human-readable device, e.g. "CUDA GPU" or "CPU: <model> (2 logical cores)". */
  device: string;
  /** Threads the backend computes with (XNNPACK pool for wasm, 1 for cpu). */
  threads: number;
  simd: boolean;
  fallbacksTried: Array<{ name: BackendName; error: string }>;
  /** Set when wasm runs with fewer threads than requested (with the reason), or with several on a busy machine. */
  threadsNote?: string;
}

export interface InitBackendOptions {
  backend?: BackendName;
  /**
   * wasm threads; default FACE_AGE_THREADS, else 1 (see defaultThreads). More threads are an
   * explicit choice: the caller, the environment or the studio's Threads setting.
   */
  threads?: number;
  /**
   * With more than one wasm thread, let a ThreadGovernor drop to 1 thread while the machine is
   * oversubscribed and return when it is calm (default true; benchmarks that compare a fixed
   * thread count turn it off).
   */
  adaptiveThreads?: boolean;
}

let chosen: Promise<BackendInfo> | null = null;
/** The wasm thread governor of this process, when one runs. */
let governor: ThreadGovernor | null = null;

/** Thread-count switches the governor made so far (oldest first), for reports and tests. */
export function threadSwitches(): ReadonlyArray<{ threads: number }> {
  return governor?.switches ?? [];
}

/** Starts the backend (first call) and returns what was chosen; later calls return the same info. */
export function initBackend(opts: InitBackendOptions = {}): Promise<BackendInfo> {
  chosen ??= choose(opts).catch((e: unknown) => {
    chosen = null;
    throw e;
  });
  return chosen;
}

export function parseBackendName(s: string | undefined): BackendName | undefined {
  if (s === undefined || s === '' || s === 'auto') return undefined;
  if ((BACKEND_ORDER as readonly string[]).includes(s)) return s as BackendName;
  throw new Error(`unknown backend "${s}" (expected one of ${BACKEND_ORDER.join(', ')}, or auto)`);
}

function cpuDevice(): string {
  const cpus = os.cpus();
  const model = cpus[0]?.model?.trim() || 'unknown model';
  return `CPU: ${model} (${cpus.length} logical cores)`;
}

/**
 * One wasm thread unless asked for more (issue 5). XNNPACK's pool meets at a barrier in every
 * kernel, so each op waits for its slowest thread; when the machine has more runnable threads than
 * cores, one of ours is usually descheduled and every op pays a scheduler wake-up. Measured on 2
 * cores with 6 busy processes beside: evaluation took 13-30 s per face with 2 threads against 6 s
 * with 1, getting slower as it ran (it looked stalled); training steps were no faster. On an idle
 * machine 2 threads are about 1.7x faster, so benchmarks and users who know their machine is free
 * opt in; with them a ThreadGovernor (thread-governor.ts) drops to 1 thread while the machine is
 * oversubscribed, but it reacts only after an interval of evidence, hence the safe default.
 */
function defaultThreads(): number {
  const env = process.env.FACE_AGE_THREADS;
  if (env && /^\d+$/.test(env) && Number(env) > 0) return Number(env);
  return 1;
}

/** Cores for a caller that wants them all (benchmarks): every logical core. */
export function allCores(): number {
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}

function nodeRequire(): NodeJS.Require {
  return typeof require === 'function' ? require : createRequire(import.meta.url);
}

/** A warning when threads were asked for on a machine that is already busier than its cores. */
function busyNote(threads: number): string | null {
  const load = os.loadavg()[0];
  const cores = allCores();
  if (threads <= 1 || load < cores) return null;
  return `${threads} wasm threads on a busy machine (load ${load.toFixed(1)} on ${cores} cores): threaded kernels slow down sharply under load; 1 thread is safer`;
}

async function choose(opts: InitBackendOptions): Promise<BackendInfo> {
  const requested = opts.backend ?? parseBackendName(process.env.FACE_AGE_BACKEND);
  const order = requested ? [requested, ...BACKEND_ORDER.filter((b) => b !== requested)] : [...BACKEND_ORDER];
  const fallbacksTried: BackendInfo['fallbacksTried'] = [];
  // Gradients: @tensorflow/tfjs registered its set at import; ours replace the faulty ones.
  registerGradientFixes();
  registerFusedKernels();
  for (const name of order) {
    try {
      const info = await tryBackend(name, opts.threads ?? defaultThreads(), opts.adaptiveThreads ?? true);
      return { ...info, fallbacksTried };
    } catch (e) {
      // First line only: Node appends the whole require stack to module-not-found errors.
      fallbacksTried.push({ name, error: (e instanceof Error ? e.message : String(e)).split('\n')[0] });
    }
  }
  throw new Error(`no tfjs backend could start: ${fallbacksTried.map((f) => `${f.name}: ${f.error}`).join('; ')}`);
}

async function tryBackend(name: BackendName, threads: number, adaptive: boolean): Promise<Omit<BackendInfo, 'fallbacksTried'>> {
  switch (name) {
    case 'tensorflow-gpu':
    case 'tensorflow': {
      const pkg = name === 'tensorflow-gpu' ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node';
      nodeRequire()(pkg); // registers the native 'tensorflow' backend; throws when not installed
      if (!(await tf.setBackend('tensorflow'))) throw new Error(`${pkg} loaded but its backend did not start`);
      const binding = (tf.backend() as unknown as { binding?: { isUsingGpuDevice?: () => boolean } }).binding;
      const gpu = binding?.isUsingGpuDevice?.() ?? false;
      if (name === 'tensorflow-gpu' && !gpu) {
        // The native CPU kernels are already loaded and are what tfjs-node would give.
        return { name: 'tensorflow', device: `${cpuDevice()}, native TensorFlow (no CUDA device)`, threads: os.cpus().length, simd: true };
      }
      return { name, device: gpu ? 'CUDA GPU (native TensorFlow)' : `${cpuDevice()}, native TensorFlow`, threads: os.cpus().length, simd: true };
    }
    case 'wasm': {
      registerWasmTrainingKernels();
      const r = await loadWasmBackend(threads);
      if (r.threads > 1 && adaptive) governor = new ThreadGovernor({ requested: r.threads }).start();
      const note = r.threadsNote ?? busyNote(r.threads);
      return { name, device: cpuDevice(), threads: r.threads, simd: r.simd, ...(note ? { threadsNote: note } : {}) };
    }
    case 'cpu': {
      if (!(await tf.setBackend('cpu'))) throw new Error('cpu backend did not start');
      return { name, device: cpuDevice(), threads: 1, simd: false };
    }
  }
}
