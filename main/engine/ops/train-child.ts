/**
 * Forked training child (bundled to dist/train-worker.cjs). Main sends one 'start' job, then
 * pause/resume/cancel; the child answers with progress, sample files and a final 'done'. Running
 * here, not in the engine process, keeps previews responsive while a fine-tune uses the cores.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { initBackend, parseBackendName } from '../../../models/backend/select';
import { createCycleGanTrainer, exportCycleGanModel, loadCycleGanTrainer } from '../../../models/cyclegan/cyclegan';
import { readCycleGanMeta } from '../../../models/cyclegan/trainer-io';
import type { AgeDomain, CycleGanConfig } from '../../../models/cyclegan/config';
import { FaceDataset } from '../../../models/train/face-dataset';
import { openFaceSource } from '../../../models/train/packed-source';
import { runTraining } from '../../../models/train/run-training';
import { domainSampling } from '../../../models/train/train-command';
import { TrainingController } from '../../../models/train/training-control';
import { latestCheckpoint } from '../../../models/train/checkpoints';
import type { FinetuneJob, FromWorker, ToWorker } from '../../training/train-protocol';

/** Resolves once the message is handed to the IPC channel (so exiting next does not drop it). */
function send(msg: FromWorker): Promise<void> {
  return new Promise((resolve) => {
    if (!process.connected || !process.send) return resolve();
    process.send(msg, undefined, {}, () => resolve());
  });
}

/**
 * Fine-tune recipe on top of the base's own config: no progressive schedule, no recon ramp (the
 * base already ages), half the base learning rate decaying linearly over the second half.
 */
function finetuneConfig(base: CycleGanConfig, job: Pick<FinetuneJob, 'steps' | 'batch' | 'identityWeight' | 'seed'>): CycleGanConfig {
  const half = Math.max(1, Math.floor(job.steps / 2));
  return {
    ...base,
    resolutionSchedule: [],
    batchSize: job.batch,
    seed: job.seed,
    loss: { ...base.loss, reconRampStart: 0, reconRampSteps: 0, identity: base.loss.identity * job.identityWeight },
    optim: { ...base.optim, lr: base.optim.lr * 0.5, constantSteps: Math.max(0, job.steps - half), decaySteps: half },
  };
}

/** A person's photos may all lie between domains; pull each label into the nearest domain. */
function clampToDomains(age: number, domains: readonly AgeDomain[]): number {
  let best = age;
  let bestGap = Infinity;
  for (const d of domains) {
    const hi = d.max ?? Infinity;
    const inside = Math.min(Math.max(age, d.min), hi);
    const gap = Math.abs(inside - age);
    if (gap < bestGap) {
      best = inside;
      bestGap = gap;
    }
  }
  return best;
}

async function clampLabels(dataDir: string, domains: readonly AgeDomain[]): Promise<void> {
  const file = path.join(dataDir, 'labels.csv');
  const [head, ...rows] = (await fs.readFile(file, 'utf8')).trim().split(/\r?\n/);
  const out = rows.map((r) => {
    const [name, age] = r.split(',');
    return `${name},${clampToDomains(Number(age), domains)}`;
  });
  await fs.writeFile(file, [head, ...out].join('\n') + '\n');
}

async function run(job: FinetuneJob, control: TrainingController): Promise<void> {
  const info = await initBackend({ backend: parseBackendName(job.backend), threads: job.threads });
  void send({ type: 'backend', name: info.name, threads: info.threads });
  const meta = await readCycleGanMeta(job.baseDir);
  const config = finetuneConfig(meta.config, job);
  await clampLabels(job.dataDir, config.domains);
  const source = await openFaceSource(job.dataDir, { size: 128, valFraction: 0 });
  try {
    const data = new FaceDataset(source, { split: 'train', resolution: config.resolution, seed: job.seed, ...domainSampling(config.domains) });
    const samplesDir = path.join(job.runDir, 'samples');
    const seen = new Set<string>();
    const reportSamples = async () => {
      const names = await fs.readdir(samplesDir).catch(() => [] as string[]);
      for (const n of names.sort()) {
        const m = /^step-(\d+)\.png$/.exec(n);
        if (!m || seen.has(n)) continue;
        seen.add(n);
        void send({ type: 'sample', step: Number(m[1]), file: path.join(samplesDir, n) });
      }
    };
    const resume = (await latestCheckpoint(job.runDir)) !== null;
    const result = await runTraining({
      runDir: job.runDir,
      create: async () => {
        const t = createCycleGanTrainer(config);
        try {
          await t.gen.params.load(job.baseDir);
          // A checkpoint base also has its discriminator; an exported one starts D fresh.
          await t.disc.params.load(job.baseDir).catch(() => undefined);
        } catch (err) {
          t.dispose();
          throw err;
        }
        return t;
      },
      load: (dir) => loadCycleGanTrainer(dir),
      data,
      totalSteps: job.steps,
      batchSize: job.batch,
      seed: job.seed,
      resume,
      checkpointEverySeconds: 120,
      keepCheckpoints: 1,
      sampleEvery: job.sampleEvery,
      sampleFaces: Math.min(4, data.size),
      logEvery: Math.max(1, Math.min(10, Math.floor(job.steps / 20))),
      control,
      onProgress: (p) => {
        void send({ type: 'progress', progress: { phase: p.phase, step: p.step, totalSteps: p.totalSteps, stepsPerSecond: p.stepsPerSecond, etaSeconds: p.etaSeconds, losses: p.losses } });
        if (p.phase === 'sample' || p.phase === 'done' || p.phase === 'checkpoint') void reportSamples();
      },
    });
    await reportSamples();
    let exported: string | null = null;
    if (result.completed) {
      const ckpt = await latestCheckpoint(job.runDir);
      if (!ckpt) throw new Error('training completed but no checkpoint was found');
      const t = await loadCycleGanTrainer(ckpt.dir);
      try {
        await exportCycleGanModel(t, job.exportDir);
      } finally {
        t.dispose();
      }
      exported = job.exportDir;
    }
    await send({ type: 'done', completed: result.completed, cancelled: result.cancelled, step: result.step, stepsPerSecond: result.stepsPerSecond, trainSeconds: result.trainSeconds, exported });
  } finally {
    await source.close();
  }
}

function main(): void {
  const control = new TrainingController();
  let started = false;
  process.on('message', (msg: ToWorker) => {
    if (msg.type === 'pause') control.pause();
    else if (msg.type === 'resume') control.resume();
    else if (msg.type === 'cancel') control.cancel();
    else if (msg.type === 'start' && !started) {
      started = true;
      // Exit explicitly: the wasm backend's thread pool would keep the process alive.
      run(msg.job, control).then(
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
