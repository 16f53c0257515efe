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
import { defaultThreadChoice, type ThreadChoice } from './thread-choice';
import { setWasmThreads, spareWasmWorkers, ThreadGovernor } from './thread-governor';
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
  /** How the wasm thread count was chosen (thread-choice.ts): pool size, start, source. */
  threadChoice: ThreadChoice;
}

export interface InitBackendOptions {
  backend?: BackendName;
  /**
   * wasm threads; default FACE_AGE_THREADS, else the machine's physical cores capped at 8,
   * starting at 1 on a busy machine (thread-choice.ts). The caller's count (the studio's Threads
   * setting, --threads) wins.
   */
  threads?: number;
  /**
   * With more than one wasm thread, let a ThreadGovernor drop to 1 thread while the machine is
   * oversubscribed and return when it is calm (default true; benchmarks that compare a fixed
   * thread count turn it off).
   */
  adaptiveThreads?: boolean;
  /**
   * Loads a native package by name (default: require). Tests pass a fake that registers a
   * 'tensorflow' backend, throws, or registers one whose first operation throws.
   */
  loadNative?: (pkg: string) => unknown;
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
  const threadChoice = defaultThreadChoice(opts.threads);
  for (const name of order) {
    try {
      const info = await tryBackend(name, threadChoice, opts);
      return { ...info, fallbacksTried, threadChoice };
    } catch (e) {
      // First line only: Node appends the whole require stack to module-not-found errors.
      fallbacksTried.push({ name, error: firstLine(e) });
    }
  }
  throw new Error(`no tfjs backend could start: ${fallbacksTried.map((f) => `${f.name}: ${f.error}`).join('; ')}`);
}

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0];
}

/**
 * Loads @tensorflow/tfjs-node(-gpu), which registers the native 'tensorflow' backend, makes it
 * current and runs one operation on it: a CUDA build whose libraries are missing or mismatched can
 * load and then fail on its first kernel. Every failure says what to install (README, "GPU").
 */
export async function startNativeBackend(name: 'tensorflow-gpu' | 'tensorflow', load: (pkg: string) => unknown): Promise<void> {
  const pkg = name === 'tensorflow-gpu' ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node';
  const needs = name === 'tensorflow-gpu' ? 'Linux x64 with an NVIDIA driver, CUDA 11.2 and cuDNN 8.1' : 'Linux, macOS or Windows x64';
  try {
    load(pkg);
  } catch (e) {
    const missing = (e as { code?: string }).code === 'MODULE_NOT_FOUND' && firstLine(e).includes(pkg);
    throw new Error(
      missing
        ? `${pkg} is not installed (optional; \`npm install ${pkg}\` on ${needs})`
        : `${pkg} did not load (${firstLine(e)}); it needs ${needs}`,
      { cause: e },
    );
  }
  let ok: boolean;
  try {
    ok = await tf.setBackend('tensorflow');
  } catch (e) {
    throw new Error(`${pkg} loaded but its backend did not start (${firstLine(e)}); it needs ${needs}`, { cause: e });
  }
  if (!ok) throw new Error(`${pkg} loaded but its backend did not start; it needs ${needs}`);
  try {
    const sum = tf.tidy(() => tf.add(tf.scalar(2), tf.scalar(3)));
    const v = (await sum.data())[0];
    sum.dispose();
    if (v !== 5) throw new Error(`2 + 3 gave ${v}`);
  } catch (e) {
    // Forget the broken backend so that the next candidate (tfjs-node after tfjs-node-gpu) can register its own.
    tf.removeBackend('tensorflow');
    throw new Error(`${pkg} started but its first operation failed (${firstLine(e)}); it needs ${needs}`, { cause: e });
  }
}

async function tryBackend(name: BackendName, choice: ThreadChoice, opts: InitBackendOptions): Promise<Omit<BackendInfo, 'fallbacksTried' | 'threadChoice'>> {
  const adaptive = opts.adaptiveThreads ?? true;
  switch (name) {
    case 'tensorflow-gpu':
    case 'tensorflow': {
      await startNativeBackend(name, opts.loadNative ?? ((pkg) => nodeRequire()(pkg)));
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
      const r = await loadWasmBackend(choice.threads);
      // A busy machine: the pool is there, but computing starts on 1 thread until the governor sees
      // calm (only when the glue has the workers left to come back to the pool).
      const startLow = adaptive && choice.startThreads < r.threads && spareWasmWorkers() >= r.threads - 1;
      const now = startLow ? setWasmThreads(choice.startThreads) : r.threads;
      if (r.threads > 1 && adaptive) governor = new ThreadGovernor({ requested: r.threads }).start();
      const note = r.threadsNote ?? busyNote(now);
      return { name, device: cpuDevice(), threads: now, simd: r.simd, ...(note ? { threadsNote: note } : {}) };
    }
    case 'cpu': {
      if (!(await tf.setBackend('cpu'))) throw new Error('cpu backend did not start');
      return { name, device: cpuDevice(), threads: 1, simd: false };
    }
  }
}
