/**
 * Engine process entry (bundled to dist/engine.cjs). Started by main as an Electron
 * utilityProcess or a forked Node process; speaks the protocol in ./protocol over whichever
 * parent port it has. Initialises the tfjs backend once, then serves requests concurrently;
 * a cancel message aborts the matching request's AbortSignal.
 */
import { initEngineBackend, liveThreads, tfjsVersion, type BackendChoice } from './backend';
import { isMainToEngine, type EngineInitOptions, type EngineToMain, type MainToEngine } from './protocol';
import { PhotoProblem } from './ops/faces';
import { EngineOpError, engineInfoOf, workerOps, type OpContext } from './worker-ops';

interface ParentPort {
  post(message: EngineToMain): void;
  onMessage(listener: (message: unknown) => void): void;
}

interface ElectronParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (e: { data: unknown }) => void): void;
}

function connectParent(): ParentPort {
  const utilityPort = (process as unknown as { parentPort?: ElectronParentPort }).parentPort;
  if (utilityPort) {
    return {
      post: (m) => utilityPort.postMessage(m),
      onMessage: (l) => utilityPort.on('message', (e) => l(e.data)),
    };
  }
  if (typeof process.send === 'function') {
    // Main died (SIGKILL, crash) without sending 'shutdown': nothing can use our results, and the
    // wasm thread pool would keep this process alive as an orphan holding the model in memory.
    process.on('disconnect', () => process.exit(0));
    return {
      post: (m) => {
        process.send?.(m);
      },
      onMessage: (l) => process.on('message', l),
    };
  }
  throw new Error('engine: started without a parent channel (run it through main)');
}

const port = connectParent();
const inflight = new Map<number, AbortController>();
let ready: Promise<{ backend: BackendChoice; options: EngineInitOptions }> | null = null;

function log(level: 'info' | 'warn' | 'error', message: string) {
  port.post({ type: 'log', level, message });
}

/** The thread count main last heard of: a change is pushed so the studio shows the truth. */
let reportedThreads: { threads: number | null; threadSwitches: number } | null = null;

/** Pushes an 'info' update when the governor switched threads (it only does so inside kernels, i.e. while serving). */
function reportThreadChange(backend: BackendChoice) {
  const now = liveThreads(backend);
  if (reportedThreads && now.threads === reportedThreads.threads && now.threadSwitches === reportedThreads.threadSwitches) return;
  reportedThreads = now;
  port.post({ type: 'info', info: engineInfoOf(backend, tfjsVersion) });
}

async function init(options: EngineInitOptions) {
  const backend = await initEngineBackend(options.backend, options.threads);
  if (backend.fallbacks.length > 0) log('info', `backend ${backend.backend} after: ${backend.fallbacks.join('; ')}`);
  const info = engineInfoOf(backend, tfjsVersion);
  reportedThreads = { threads: info.threads, threadSwitches: info.threadSwitches };
  port.post({ type: 'ready', info });
  return { backend, options };
}

async function serve(msg: Extract<MainToEngine, { type: 'request' }>) {
  const controller = new AbortController();
  inflight.set(msg.id, controller);
  try {
    if (!ready) throw new EngineOpError('internal', 'engine received a request before init');
    const { backend, options } = await ready;
    const handler = workerOps[msg.op] as ((p: unknown, c: OpContext) => Promise<unknown>) | undefined;
    if (!handler) throw new EngineOpError('unsupported', `unknown engine op ${String(msg.op)}`);
    const ctx: OpContext = {
      signal: controller.signal,
      progress: (data) => port.post({ type: 'progress', id: msg.id, data }),
      testHooks: options.testHooks,
      backend,
      tfjsVersion,
    };
    const value = await handler(msg.payload, ctx);
    reportThreadChange(backend);
    port.post({ type: 'response', id: msg.id, result: { ok: true, value } });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (err instanceof PhotoProblem) {
      // The photo's own problem: main maps photoCode onto library / contract codes.
      const code = err.photoCode === 'no-face' || err.photoCode === 'face-too-small' ? 'no-face' : 'bad-image';
      port.post({ type: 'response', id: msg.id, result: { ok: false, error: { code, message, details: { photoCode: err.photoCode } } } });
      return;
    }
    const code = err instanceof EngineOpError ? err.code : 'internal';
    port.post({ type: 'response', id: msg.id, result: { ok: false, error: { code, message } } });
  } finally {
    inflight.delete(msg.id);
  }
}

port.onMessage((raw) => {
  if (!isMainToEngine(raw)) {
    log('warn', 'engine: ignored a malformed message');
    return;
  }
  switch (raw.type) {
    case 'init':
      ready = init(raw.options);
      ready.catch((err: unknown) => {
        port.post({ type: 'init-failed', message: err instanceof Error ? err.message : String(err) });
      });
      break;
    case 'request':
      void serve(raw);
      break;
    case 'cancel':
      inflight.get(raw.id)?.abort();
      break;
    case 'shutdown':
      for (const c of inflight.values()) c.abort();
      // Give cancelled handlers a tick to answer, then leave.
      setImmediate(() => process.exit(0));
      break;
  }
});
