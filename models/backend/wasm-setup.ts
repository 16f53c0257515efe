/**
 * Loads the tfjs wasm backend in Node (engine process, CLI, vitest) with SIMD and, when asked,
 * XNNPACK worker threads.
 *
 * Binaries: resolved at run time from the installed package (never at bundle time), so the same
 * code works from source and from the esbuild bundle in dist/. Electron packaging must keep
 * node_modules/@tensorflow/tfjs-backend-wasm/{dist,wasm-out} outside the asar (asarUnpack):
 * the wasm files are read with fs and the thread workers evaluate wasm-out/*.js from disk.
 *
 * Threads: tfjs 4.22 disables them under Node (WASM_HAS_MULTITHREAD_SUPPORT is false when
 * IS_NODE; tensorflow/tfjs#3830) because its Emscripten glue starts pthread workers from blob:
 * URLs, which node:worker_threads cannot load, and because its C++ caps the pool at
 * os.cpus().length / 2. For the duration of the backend's initialisation only, we
 *  - hand worker_threads a Worker subclass that runs the published worker script with
 *    { eval: true } and points its 'load' message at the glue file on disk instead of a Blob;
 *  - report 2 * threads logical CPUs to the glue so the cap admits the requested count.
 * Both patches are restored before this returns.
 *
 * The glue refs (keeps the event loop alive for) every worker that runs a pthread, and XNNPACK's
 * pool threads run until the process ends: without `releasePoolWorkers` a process with a 2-thread
 * pool never exits by itself once its work is done (idle, 0% CPU: one of the "stalls" of issue 5).
 * The pool threads only ever run inside a synchronous kernel call of the main thread, so nothing
 * is lost by letting the process end while they wait.
 */
import * as tf from '@tensorflow/tfjs-core';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import * as fs from 'node:fs';
import * as vm from 'node:vm';
import { releasePoolWorkers } from './thread-governor';

/** require() that works both in the CommonJS bundle and in ESM (vitest). */
function nodeRequire(): NodeJS.Require {
  return typeof require === 'function' ? require : createRequire(import.meta.url);
}

/** Folder of the installed @tensorflow/tfjs-backend-wasm package. */
export function wasmPackageDir(): string {
  return path.dirname(nodeRequire().resolve('@tensorflow/tfjs-backend-wasm/package.json'));
}

export interface WasmLoadResult {
  threads: number;
  simd: boolean;
  /** Why fewer threads than requested are in use (null when as requested). */
  threadsNote: string | null;
}

const MAX_THREADS = 8; // the glue pre-spawns 8 pthread workers; XNNPACK can use no more.

/** Initialises the 'wasm' backend (and makes it current). threads >= 1. Call once per process. */
export async function loadWasmBackend(threads: number, timeoutMs = 30_000): Promise<WasmLoadResult> {
  const req = nodeRequire();
  const pkg = wasmPackageDir();
  setWasmPaths(path.join(pkg, 'dist') + path.sep);
  const wanted = Math.max(1, Math.min(MAX_THREADS, Math.floor(threads)));
  let threadsNote: string | null = null;
  if (wanted > 1) {
    threadsNote = threadSupportProblem(req, pkg);
    if (threadsNote === null) {
      try {
        await startWasm(wanted, timeoutMs, patchForThreads(req, pkg, wanted));
        releasePoolWorkers();
      } catch (e) {
        // A rejected start can be retried (tfjs forgets the failed attempt); a hung one cannot.
        threadsNote = `threaded start failed (${(e as Error).message}); running single-threaded`;
        if (/did not start within/.test((e as Error).message)) throw e;
      }
    }
  }
  if (tf.getBackend() !== 'wasm') await startWasm(1, timeoutMs, []);
  const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) as boolean;
  const actual = getThreadsCount();
  if (actual < wanted && threadsNote === null) threadsNote = `XNNPACK started ${actual} of ${wanted} threads`;
  return { threads: actual, simd, threadsNote };
}

async function startWasm(threads: number, timeoutMs: number, restore: Array<() => void>): Promise<void> {
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', threads > 1);
  setThreadsCount(threads);
  let timer: NodeJS.Timeout | undefined;
  try {
    const ok = await Promise.race([
      tf.setBackend('wasm'),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`wasm backend did not start within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    if (!ok) throw new Error('tf.setBackend("wasm") failed');
    await tf.ready();
  } finally {
    clearTimeout(timer);
    for (const undo of restore.reverse()) undo();
  }
}

/** Null when wasm threads can work in this process, else the reason they cannot. */
function threadSupportProblem(req: NodeJS.Require, pkg: string): string | null {
  if (typeof SharedArrayBuffer !== 'function') return 'SharedArrayBuffer is not available';
  const glue = path.join(pkg, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.js');
  const worker = path.join(pkg, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.worker.js');
  if (!fs.existsSync(glue) || !fs.existsSync(worker)) return `threaded wasm glue not found under ${pkg}/wasm-out`;
  // Shared memory + atomics (the threaded build's instructions), as wasm-feature-detect checks.
  const probe = new Uint8Array([
    0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0, 5, 4, 1, 3, 1, 1, 10, 11, 1, 9, 0, 65, 0, 254, 16, 2, 0, 26, 11,
  ]);
  try {
    if (!WebAssembly.validate(probe)) return 'WebAssembly threads are not supported by this runtime';
    // A worker that fails to parse is reported by the glue as an uncaught error that ends the
    // process, so both scripts are compiled (not run) here first.
    new vm.Script(workerSource(req, pkg), { filename: 'tfjs-wasm-pthread-worker' });
    new vm.Script(fs.readFileSync(glue, 'utf8'), { filename: glue });
  } catch (e) {
    return `wasm threads unavailable: ${(e as Error).message}`;
  }
  return null;
}

/** The published pthread worker source; its backslash-n escapes became real newlines in a template string. */
function workerSource(req: NodeJS.Require, pkg: string): string {
  const mod = req(path.join(pkg, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.worker.js')) as { wasmWorkerContents: string };
  return mod.wasmWorkerContents.replace(/\n/g, '\\n');
}

type WorkerCtor = new (url: string | URL, opts?: object) => { postMessage(msg: unknown, transfer?: unknown): void };

function patchForThreads(req: NodeJS.Require, pkg: string, threads: number): Array<() => void> {
  const wt = req('node:worker_threads') as { Worker: WorkerCtor };
  const os = req('node:os') as { cpus: () => unknown[] };
  const glue = path.join(pkg, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.js');
  const source = workerSource(req, pkg);
  const RealWorker = wt.Worker;
  class PthreadWorker extends RealWorker {
    constructor(url: string | URL, opts?: object) {
      if (typeof url === 'string' && url.startsWith('blob:')) super(source, { ...opts, eval: true });
      else super(url, opts);
    }
    override postMessage(msg: unknown, transfer?: unknown): void {
      const m = msg as { cmd?: string; urlOrBlob?: unknown } | null;
      if (m && m.cmd === 'load' && typeof m.urlOrBlob !== 'string') msg = { ...m, urlOrBlob: glue };
      super.postMessage(msg, transfer);
    }
  }
  const realCpus = os.cpus;
  wt.Worker = PthreadWorker;
  os.cpus = () => {
    const c = realCpus.call(os);
    return Array.from({ length: 2 * threads }, (_, i) => c[i % Math.max(1, c.length)]);
  };
  return [
    () => {
      wt.Worker = RealWorker;
    },
    () => {
      os.cpus = realCpus;
    },
  ];
}
