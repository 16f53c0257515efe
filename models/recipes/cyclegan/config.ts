/**
 * Configuration of the CycleGAN-style age translator. Everything that changes what a checkpoint
 * computes lives here and is saved beside every checkpoint (meta.json), so any checkpoint
 * can be reloaded and reproduced.
 */

/** One age domain. `max` null means open-ended (e.g. 60+). Ages in years. */
export interface AgeDomain {
  name: string;
  min: number;
  max: number | null;
  /** Age whose condition code is exactly this domain's one-hot; default mid-range (min + 10 if open). */
  centre?: number;
}

/**
 * How the generator turns its raw output into an image:
 * - 'mask-residual': out = x + mask * delta, mask = sigmoid(raw[3]), delta = 2 tanh(raw[0..2]);
 *   starts as the exact identity (zeroed head) and edits only where the mask opens.
 * - 'residual': out = x + 2 tanh(raw) (identity at start, no mask).
 * - 'direct': out = tanh(raw), the original CycleGAN head.
 */
export type GeneratorOutput = 'mask-residual' | 'residual' | 'direct';

/**
 * How the discriminator sees the age: 'projection' (inner product of patch features with a
 * learned per-domain embedding, Miyato & Koyama 2018), 'channels' (code tiled and concatenated to
 * the input), 'none' (plain PatchGAN: realism only).
 */
export type DiscriminatorConditioning = 'projection' | 'channels' | 'none';

export interface CycleGanConfig {
  format: 'cyclegan-config';
  version: 1;
  /** Final training and inference resolution (a multiple of 2^nDown). */
  resolution: number;
  /**
   * Progressive schedule: train at `resolution` of the first entry whose untilStep is above the
   * current step, then at `resolution` (the generator is fully convolutional).
   */
  resolutionSchedule: Array<{ untilStep: number; resolution: number }>;
  /** Age domains, ascending. Two for classic young <-> old; more for one slider across ages. */
  domains: AgeDomain[];
  /** 'centre': target age = a domain centre (clean one-hot code); 'uniform': uniform in its range. */
  targetSampling: 'centre' | 'uniform';
  generator: {
    ngf: number;
    nBlocks: number;
    nDown: number;
    /**
     * 'film': the code scales and shifts the features after every instance norm (film-resnet.ts).
     * 'concat': models/nn's generator, code tiled and concatenated (instance norm erases it).
     */
    conditioning: 'film' | 'concat';
    /** With 'concat': also concatenate the code to every residual block's input. */
    condAtBlocks: boolean;
    output: GeneratorOutput;
    /**
     * 'prototype': G refines the training-free prototype's change instead of starting from
     * nothing: its input is clip(x + delta(source, target)) (the teacher's change, see
     * CycleGanTrainerOptions.teacher), so an untrained G already ages like the prototype and training
     * spends its steps on realism and identity. The prototype's means are saved beside G in
     * `prior/`. 'engineered': the same with the engineered stages' shape-normalised mean faces
     * as the teacher (stages/appearance/means-teacher.ts), for a G trained on faces warped onto
     * their reference shape; saved in `prior/` as appearance.json/.bin. 'none' or absent: G sees x
     * alone.
     */
    prior?: 'none' | 'prototype' | 'engineered';
  };
  discriminator: {
    ndf: number;
    /** 3 = 70x70 receptive field. */
    nLayers: number;
    conditioning: DiscriminatorConditioning;
  };
  loss: {
    gan: number;
    cycle: number;
    /**
     * Distance of the cycle and identity terms. 'l1' (CycleGAN, the default): its gradient has the
     * same size however small the residual, so a generator that starts as the identity (zeroed
     * residual head, or a prior it refines) is held at exactly zero change unless another term's
     * gradient beats it; measured at a 1,000-step checkpoint of a prior-refining G: identity and
     * cycle head gradients 0.5 and 1.3 against 0.05 for the descriptor and 0.008 for the GAN term.
     * 'charbonnier': sqrt(r^2 + s^2) - s with s = reconstructionScale, quadratic below s (gradient
     * r/s, ~0 at r = 0) and L1 above it, so small refinements are cheap and large drifts are not.
     * Absent in configs saved before it (read as 'l1').
     */
    reconstruction?: 'l1' | 'charbonnier';
    /** s of the Charbonnier distance in image units ([-1, 1]); default 0.05 (about 6 grey levels). */
    reconstructionScale?: number;
    /** Identity weight as a fraction of the cycle weight (CycleGAN: 0.5). */
    identity: number;
    /** Cross-entropy of a frozen age classifier on generated faces (used only when one is given). */
    ageClassifier: number;
    /** Soft-label width (years) for the classifier's target. */
    ageClassifierSigma: number;
    /**
     * The classifier sees fakes average-pooled by this factor (1: off), so high-frequency
     * speckle cannot fool it and only coarse changes (hair, skin tone, shape) pay.
     */
    ageClassifierPool: number;
    /**
     * Total variation of the change (output - input): against adversarial speckle and the
     * checkerboard of strided transposed convolutions (measured at 64 px without it).
     */
    changeTv: number;
    /**
     * Colour cast of the change (losses.ts colourCast: L1 of the change's chroma, per pixel and over
     * a 4x4 grid). Without it the generator pleased the age classifier with a green or orange cast
     * over the whole face, and with the grid term alone with fine green/magenta stripes (runs of
     * 300-400 steps at 64 px); ageing changes mostly brightness and texture (grey hair, wrinkles,
     * shading), which this barely costs. 0 disables; absent in configs saved before it (read as 0).
     */
    colourShift?: number;
    /**
     * Weight of the L1 distance between G's change and a teacher's (CycleGanTrainerOptions.teacher,
     * the prototype model): a dense age signal to distil, which the adversarial, cycle and
     * identity terms then make face-specific and realistic. Absent or 0: no teacher.
     */
    teacher?: number;
    /** D learns that a real face with a wrong age code is fake (matching-aware D); 0 disables. */
    wrongAge: number;
    /**
     * Mean of the mask (sparsity): edit only what ageing changes. Both mask terms ramp in with
     * the reconstruction ramp (from 0), see maskRampAt.
     */
    maskL1: number;
    /** Total variation of the mask (smoothness): no speckle. */
    maskTv: number;
    /**
     * Cycle and identity weights ramp from `reconRampFrom` x their value to 1 x between
     * reconRampStart and reconRampStart + reconRampSteps, so the age signal exists before the
     * easy identity answer is rewarded.
     */
    reconRampFrom: number;
    reconRampStart: number;
    reconRampSteps: number;
  };
  optim: {
    lr: number;
    beta1: number;
    beta2: number;
    /** Steps at constant lr, then linear decay to 0 over decaySteps (CycleGAN's n_epochs / n_epochs_decay). */
    constantSteps: number;
    decaySteps: number;
  };
  /** Image pool of earlier fakes shown to D (Shrivastava et al.); 0 disables. */
  poolSize: number;
  /**
   * Inference only: output = reconstruction + changeScale * (G(x, code(t)) - reconstruction), the
   * shown change scaled (the Age-cGAN's and the prototype's strength knob; set in an export's meta
   * to trade age against identity). Absent: 1. Training ignores it.
   */
  changeScale?: number;
  /**
   * Inference only: changeScale for age gaps of 40 years and more, linear from changeScale at a
   * 20-year gap (the prototype's strengthFar): a large gap already makes a large change, and the
   * same multiplier there costs identity first. Absent: changeScale at every gap.
   */
  changeScaleFar?: number;
  /**
   * Inference only: multiplies the colour part of the shown change (the change minus its BT.601
   * luma), leaving its luma: 1 (absent) keeps the change as G made it, 0 keeps only light and shade.
   */
  changeChroma?: number;
  /** Inference only: 'keep' removes the change's mean colour over the face (the prototype's tone 'keep'). */
  changeTone?: 'transfer' | 'keep';
  /** Preferred batch size for the training loop (CycleGAN: 1). */
  batchSize: number;
  seed: number;
}

export const YOUNG_OLD_DOMAINS: AgeDomain[] = [
  { name: 'young', min: 18, max: 29 },
  { name: 'old', min: 60, max: null },
];

/** Coarse groups covering 0-90+ so one generator serves the whole age slider. */
export const COARSE_DOMAINS: AgeDomain[] = [
  { name: 'child', min: 0, max: 12, centre: 7 },
  { name: 'young', min: 13, max: 29, centre: 23 },
  { name: 'adult', min: 30, max: 44, centre: 37 },
  { name: 'middle', min: 45, max: 59, centre: 52 },
  { name: 'old', min: 60, max: null, centre: 72 },
];

export interface DefaultConfigOptions {
  /** 'young-old' (issue default) or 'coarse' (five groups for the 0-90 slider). */
  domains?: 'young-old' | 'coarse' | AgeDomain[];
  /** Total planned steps; sets the constant/decay split (half and half, as in CycleGAN). */
  totalSteps?: number;
}

/**
 * Defaults sized for CPU/wasm training on 2 cores: ngf 32 (CycleGAN uses 64), 6 blocks at 128 and
 * 9 at 256 (as CycleGAN), 70x70 PatchGAN with ndf 32, progressive 64 -> final resolution for the
 * first 60% of steps.
 */
export function defaultCycleGanConfig(resolution = 128, opts: DefaultConfigOptions = {}): CycleGanConfig {
  const totalSteps = opts.totalSteps ?? 20000;
  const domains =
    opts.domains === 'coarse' ? COARSE_DOMAINS : Array.isArray(opts.domains) ? opts.domains : YOUNG_OLD_DOMAINS;
  const warm = Math.round(totalSteps * 0.6);
  return {
    format: 'cyclegan-config',
    version: 1,
    resolution,
    resolutionSchedule: resolution > 64 ? [{ untilStep: warm, resolution: 64 }] : [],
    domains: domains.map((d) => ({ ...d })),
    targetSampling: 'centre',
    generator: {
      ngf: 32,
      nBlocks: resolution >= 256 ? 9 : 6,
      nDown: 2,
      conditioning: 'film',
      condAtBlocks: true,
      output: 'mask-residual',
      prior: 'none',
    },
    discriminator: { ndf: 32, nLayers: 3, conditioning: 'projection' },
    loss: {
      gan: 1,
      cycle: 10,
      identity: 0.5,
      reconstruction: 'l1',
      reconstructionScale: 0.05,
      ageClassifier: 0.3,
      ageClassifierSigma: 3,
      ageClassifierPool: 2,
      changeTv: 2,
      colourShift: 5,
      teacher: 0,
      wrongAge: 0.5,
      maskL1: 0.01,
      maskTv: 0.05,
      reconRampFrom: 0.5,
      reconRampStart: Math.round(totalSteps * 0.05),
      reconRampSteps: Math.round(totalSteps * 0.2),
    },
    optim: {
      lr: 2e-4,
      beta1: 0.5,
      beta2: 0.999,
      constantSteps: Math.round(totalSteps / 2),
      decaySteps: totalSteps - Math.round(totalSteps / 2),
    },
    poolSize: 50,
    batchSize: 1,
    seed: 1,
  };
}

/** Throws with a readable message when a config cannot work. */
export function validateCycleGanConfig(c: CycleGanConfig): void {
  if (c.format !== 'cyclegan-config' || c.version !== 1) throw new Error('not a cyclegan config (version 1)');
  const step = 2 ** c.generator.nDown;
  for (const r of [c.resolution, ...c.resolutionSchedule.map((s) => s.resolution)]) {
    if (!Number.isInteger(r) || r < 16 || r % step !== 0) {
      throw new Error(`resolution ${r} must be an integer >= 16 divisible by ${step}`);
    }
  }
  const patches = Math.min(c.resolution, ...c.resolutionSchedule.map((s) => s.resolution)) / 2 ** c.discriminator.nLayers - 2;
  if (patches < 1) throw new Error(`resolution too small for a ${c.discriminator.nLayers}-layer PatchGAN`);
  if (c.domains.length < 2) throw new Error('need at least two age domains');
  for (let i = 0; i < c.domains.length; i++) {
    const d = c.domains[i];
    if (d.max !== null && d.max < d.min) throw new Error(`domain ${d.name}: max < min`);
    if (i > 0 && domainCentre(c.domains[i - 1]) >= domainCentre(d)) {
      throw new Error('domains must be in ascending order of age');
    }
  }
  if (c.optim.lr <= 0 || c.optim.constantSteps < 0 || c.optim.decaySteps < 0) throw new Error('bad optimiser schedule');
  if (c.poolSize < 0 || !Number.isInteger(c.poolSize)) throw new Error('poolSize must be a non-negative integer');
  const k = c.changeScale ?? 1;
  if (!(Number.isFinite(k) && k > 0 && k <= 4)) throw new Error('changeScale must be a number in (0, 4]');
  const kf = c.changeScaleFar;
  if (kf !== undefined && !(Number.isFinite(kf) && kf > 0 && kf <= 4)) throw new Error('changeScaleFar must be a number in (0, 4]');
  const kc = c.changeChroma;
  if (kc !== undefined && !(Number.isFinite(kc) && kc >= 0 && kc <= 2)) throw new Error('changeChroma must be a number in [0, 2]');
  if (c.changeTone !== undefined && c.changeTone !== 'transfer' && c.changeTone !== 'keep') throw new Error("changeTone must be 'transfer' or 'keep'");
  const rec = c.loss.reconstruction;
  if (rec !== undefined && rec !== 'l1' && rec !== 'charbonnier') throw new Error("loss.reconstruction must be 'l1' or 'charbonnier'");
  const s = c.loss.reconstructionScale;
  if (s !== undefined && !(s > 0 && s <= 2)) throw new Error('loss.reconstructionScale must be in (0, 2]');
}

export function domainCentre(d: AgeDomain): number {
  if (d.centre !== undefined) return d.centre;
  return d.max === null ? d.min + 10 : (d.min + d.max) / 2;
}
