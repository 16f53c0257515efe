/**
 * What `face-age train --kind cyclegan` trains when no --config is given: the distil-prototype
 * recipe (models/recipes/cyclegan/presets/distil-prototype.json, run p8 in models/recipes/cyclegan/README.md),
 * distilling the shipped prototype. The plain default config (defaultCycleGanConfig) does not
 * learn to age: its L1 cycle and identity terms hold G at the identity (session 4, "the pin").
 * The recipe is imported, not read from disk, so the bundled CLI carries it wherever it runs.
 */
import distilPrototype from './presets/distil-prototype.json';
import { shippedModelDir, shippedPrototypeDir } from '../../core/shipped-assets';

export const DEFAULT_CYCLEGAN_RECIPE = 'distil-prototype';

/** `--teacher none`: no implicit recipe or teacher (the plain default config, for experiments). */
export const NO_TEACHER = 'none';

/** The teacher strengths every measured distillation run used (p1-p11), p8 included. */
export const DEFAULT_CYCLEGAN_TEACHER_OPTIONS: Readonly<Record<string, number>> = { strength: 3.5, strengthFar: 2.6 };

/** The recipe's own run: 64 px, batch 2, 3,000 steps (its constant + decay phases). */
export function cycleGanRecipeRun(): { resolution: number; batch: number; steps: number } {
  const r = distilPrototype;
  return { resolution: r.resolution, batch: r.batchSize, steps: r.optim.constantSteps + r.optim.decaySteps };
}

/**
 * The recipe as config overrides for a run of this shape. The recipe's own shape gives the recipe
 * unchanged; another --steps keeps its constant:decay split of the learning rate (2:1), so the
 * rate does not reach zero at step 3,000 of a longer run. The loss ramps stay where p8 had them.
 */
export function cycleGanRecipeOverrides(run: { resolution: number; batch: number; steps: number; seed: number }): Record<string, unknown> {
  const recipe = structuredClone(distilPrototype);
  const { constantSteps, decaySteps } = recipe.optim;
  const constant = Math.round((run.steps * constantSteps) / (constantSteps + decaySteps));
  return {
    ...recipe,
    resolution: run.resolution,
    batchSize: run.batch,
    seed: run.seed,
    optim: { ...recipe.optim, constantSteps: constant, decaySteps: run.steps - constant },
  };
}

/**
 * The shipped prototype as the implicit teacher: `<assetsDir>/models/prototype` (the CLI passes
 * the assets folder beside its bundle, as for shipped models), else the package's own.
 */
export function defaultTeacherDir(assetsDir?: string): string {
  const dir = shippedPrototypeDir(assetsDir) ?? shippedPrototypeDir();
  if (dir) return dir;
  throw new Error(
    `the CycleGAN distils the shipped prototype, which is not in ${shippedModelDir('prototype', assetsDir)}; ` +
      `pass --teacher <prototype folder>, or --teacher ${NO_TEACHER} for the plain default config`,
  );
}
