/**
 * Forked training child (bundled to dist/train-worker.cjs). Main sends one 'start' job, then
 * pause/resume/cancel; the child answers with progress, sample files and a final 'done'. Running
 * here, not in the engine process, keeps previews responsive while a fine-tune uses the cores.
 */
import { initBackend, parseBackendName } from '../../../models/backend/select';
import { runFinetune } from '../../../models/training/finetune';
import { TrainingController } from '../../../models/training/training-control';
import type { FinetuneJob, FromWorker, ToWorker } from '../training/train-protocol';

/** Resolves once the message is handed to the IPC channel (so exiting next does not drop it). */
function send(msg: FromWorker): Promise<void> {
  return new Promise((resolve) => {
    if (!process.connected || !process.send) return resolve();
    process.send(msg, undefined, {}, () => resolve());
  });
}

async function run(job: FinetuneJob, control: TrainingController, keepOnCancel: () => boolean): Promise<void> {
  const info = await initBackend({ backend: parseBackendName(job.backend), threads: job.threads });
  void send({ type: 'backend', name: info.name, threads: info.threads });
  const result = await runFinetune(job, {
    control,
    onProgress: (p) =>
      void send({ type: 'progress', progress: { phase: p.phase, step: p.step, totalSteps: p.totalSteps, stepsPerSecond: p.stepsPerSecond, etaSeconds: p.etaSeconds, losses: p.losses } }),
    onSample: (step, file) => void send({ type: 'sample', step, file }),
    keepOnCancel,
  });
  await send({
    type: 'done',
    completed: result.completed,
    cancelled: result.cancelled,
    step: result.step,
    stepsPerSecond: result.stepsPerSecond,
    trainSeconds: result.trainSeconds,
    exported: result.exported,
  });
}

function main(): void {
  const control = new TrainingController();
  let started = false;
  // Whether a stopped run's latest checkpoint is exported (the last cancel's choice).
  let keep = false;
  process.on('message', (msg: ToWorker) => {
    if (msg.type === 'pause') control.pause();
    else if (msg.type === 'resume') control.resume();
    else if (msg.type === 'cancel') {
      keep = msg.keep === true;
      control.cancel();
    }
    else if (msg.type === 'start' && !started) {
      started = true;
      // Exit explicitly: the wasm backend's thread pool would keep the process alive.
      run(msg.job, control, () => keep).then(
        () => process.exit(0),
        (err: unknown) => send({ type: 'error', message: err instanceof Error ? err.message : String(err) }).then(() => process.exit(1)),
      );
    }
  });
  // Main went away: nothing will read our results.
  process.on('disconnect', () => {
    if (!started) process.exit(0);
    control.cancel('parent gone');
    // Nothing can report the result any more; do not linger past the current step.
    setTimeout(() => process.exit(0), 30_000).unref();
  });
}

main();
