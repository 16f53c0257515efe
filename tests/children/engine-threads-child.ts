/**
 * Child of engine-threads-load.test.ts: starts the wasm backend (argv[2]: thread count, or
 * "default" for initBackend's own choice; argv[4] "governed" adds a ThreadGovernor polled every
 * second), then runs argv[3] training steps of a small reference generator/discriminator pair,
 * printing one JSON line per step with the pool's current thread count. It never calls
 * process.exit: the test checks that the process ends by itself once the work is done.
 */
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../models/backend/select';
import { createReferenceSession } from '../../models/backend/reference-step';
import { ThreadGovernor, wasmThreads } from '../../models/backend/thread-governor';

async function main(): Promise<void> {
  const threadsArg = process.argv[2];
  const steps = Number(process.argv[3] ?? 10);
  const governed = process.argv[4] === 'governed';
  const info = await initBackend({
    backend: 'wasm',
    adaptiveThreads: false,
    ...(threadsArg === 'default' ? {} : { threads: Number(threadsArg) }),
  });
  process.stdout.write(`${JSON.stringify({ backend: info.name, threads: info.threads, source: info.threadChoice.source, note: info.threadsNote ?? null })}\n`);
  const governor = governed ? new ThreadGovernor({ requested: info.threads, intervalMs: 1000 }).start() : null;
  // 32 px, narrow nets: a few hundred XNNPACK ops per step, each a barrier of the thread pool.
  const session = createReferenceSession({ size: 32, ngf: 8, ndf: 16, nBlocks: 2 });
  for (let i = 0; i < steps; i++) {
    const [lossG, lossD] = await session.trainStep();
    process.stdout.write(`${JSON.stringify({ step: i, lossG, lossD, threads: wasmThreads(), tensors: tf.memory().numTensors })}\n`);
  }
  session.dispose();
  governor?.stop();
  process.stdout.write(`${JSON.stringify({ done: true, switches: governor?.switches.length ?? 0 })}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exitCode = 1;
});
