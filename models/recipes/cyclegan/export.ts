/**
 * Public entry points of the CycleGAN-style age translator (see README.md). Nothing is built at
 * import time.
 */
import type { AgingModel } from '../../core/trainer';
import type { StoredDtype } from '../../nn/params';
import type { CycleGanConfig } from './config';
import { CycleGanTrainer, type CycleGanTrainerOptions } from './trainer';
import { exportTrainerModel, readCycleGanMeta, restoreTrainer } from './checkpoint';
import { CycleGanAgingModel } from './model';

export function createCycleGanTrainer(config: CycleGanConfig, opts: CycleGanTrainerOptions = {}): CycleGanTrainer {
  return new CycleGanTrainer(config, opts);
}

/** Resumes from a checkpoint folder written by trainer.save(): weights, Adam state, pool, step. */
export async function loadCycleGanTrainer(dir: string, opts: CycleGanTrainerOptions = {}): Promise<CycleGanTrainer> {
  const meta = await readCycleGanMeta(dir);
  const t = new CycleGanTrainer(meta.config, opts);
  try {
    await restoreTrainer(t, dir, meta);
  } catch (err) {
    t.dispose();
    throw err;
  }
  return t;
}

/** Writes an inference-only model folder (generator in fp16 by default) for shipping. */
export async function exportCycleGanModel(t: CycleGanTrainer, dir: string, dtype: StoredDtype = 'float16'): Promise<void> {
  await exportTrainerModel(t, dir, dtype);
}

/**
 * An AgingModel sharing the trainer's generator (previews during training); disposing it leaves
 * the trainer intact.
 */
export function agingModelOfTrainer(t: CycleGanTrainer): AgingModel {
  const identity = t.step === 0 && t.config.generator.output !== 'direct' && !t.hasPrior;
  return new CycleGanAgingModel(t.gen, t.config, identity, false, t.hasPrior ? t.teacherModel : null);
}
