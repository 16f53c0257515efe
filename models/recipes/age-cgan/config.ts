/**
 * Age-cGAN hyperparameters. The whole config is stored in every checkpoint's meta.json, so a
 * checkpoint can be reloaded and training reproduced from it alone. Fields marked "paper" keep
 * Antipov et al.'s choice when set to the stated value; the defaults include our improvements.
 */
import { DEFAULT_GROUP_CENTRES, N_AGE_GROUPS } from './condition';

export interface IpConfig {
  /** Optimisation steps on z per face (the paper used L-BFGS-B; we use Adam with a fixed budget). */
  steps: number;
  /** Adam learning rate on z. */
  lr: number;
  /** Weight of mean |G(z, y0) - x| added to the descriptor loss (0 = paper's pure identity loss). */
  pixelWeight: number;
  /** Weight of mean(z^2) keeping z near the prior N(0, I), where G is trained. */
  priorWeight: number;
  /** Side of the recognition network's input (face-api's net was trained at 150). */
  recognitionSize: number;
}

export interface AgeCganConfig {
  version: 1;
  /** Side of generated faces: 64 in the paper; any power of two from 32 to 256. */
  resolution: number;
  /** Latent size (paper: 100). */
  zDim: number;
  /** Always the paper's 6 groups (see condition.ts). */
  nGroups: number;
  /** Centres of the groups in years for the continuous condition. */
  groupCentres: number[];
  /** Base widths of G (channels at full resolution), D and E (channels after their first conv). */
  ngf: number;
  ndf: number;
  nef: number;
  /** Cap on channels at low resolution. */
  maxChannels: number;
  /** Also concatenate y before every upsampling of G (paper: only at G's input). */
  gCondEveryLayer: boolean;
  /** Train with the interpolated condition of the labelled age instead of its one-hot group (paper: false). */
  softConditions: boolean;
  lrG: number;
  lrD: number;
  lrE: number;
  beta1: number;
  beta2: number;
  /** Target for real samples in D's loss (paper: 1; 0.9 is one-sided label smoothing). */
  realLabel: number;
  /** Weight of the "real face, wrong age" negative in D's loss, which forces D to check y (paper: 0). */
  mismatchWeight: number;
  /** From this step on, each trainStep also trains E (paper: E after the GAN). */
  encoderStartStep: number;
  /** From this step on, G and D are frozen and only E trains (null: never). */
  ganStopStep: number | null;
  /** Weight of mean |G(E(x), y) - x| on the real batch in E's loss, G frozen (paper: 0). */
  encoderRealWeight: number;
  /**
   * Weight of the L1 distance between the change the studio shows, G(E(x), y(t)) - G(E(x), y(s)),
   * and a teacher's change for the same source age s and a drawn target age t (trainer option
   * `teacher`, the prototype model): a dense age signal to distil. The G step then also trains E.
   * Absent or 0: no teacher (configs saved before it read as 0).
   */
  teacherWeight?: number;
  /**
   * Weight of mean |G(E(x), y(s)) - x| on the real batch in the G step, training G and E together
   * (unlike encoderRealWeight, where G is frozen): the reconstruction the studio subtracts must be
   * the face, or the change is measured from the wrong face. Absent or 0: off.
   */
  reconstructionWeight?: number;
  /**
   * Inference only: output = reconstruction + changeScale * (G(z, y(t)) - reconstruction), i.e. the
   * shown change scaled, like the prototype's strength (set in an export's meta to trade age
   * against identity). Absent: 1. Training ignores it.
   */
  changeScale?: number;
  ip: IpConfig;
  seed: number;
}

const POW2 = [32, 64, 128, 256];

export function defaultAgeCganConfig(resolution = 64): AgeCganConfig {
  if (!POW2.includes(resolution)) throw new Error(`resolution must be one of ${POW2.join(', ')}`);
  const big = resolution >= 128;
  return {
    version: 1,
    resolution,
    zDim: 100,
    nGroups: N_AGE_GROUPS,
    groupCentres: [...DEFAULT_GROUP_CENTRES],
    // Small widths: an hour on two CPU cores must see thousands of steps.
    ngf: big ? 16 : 32,
    ndf: big ? 16 : 32,
    nef: big ? 16 : 32,
    maxChannels: 256,
    gCondEveryLayer: true,
    softConditions: true,
    lrG: 2e-4,
    lrD: 2e-4,
    lrE: 2e-4,
    beta1: 0.5,
    beta2: 0.999,
    realLabel: 0.9,
    mismatchWeight: 0.5,
    encoderStartStep: 300,
    ganStopStep: null,
    encoderRealWeight: 1,
    teacherWeight: 0,
    reconstructionWeight: 0,
    ip: { steps: 30, lr: 0.05, pixelWeight: 1, priorWeight: 0.01, recognitionSize: 150 },
    seed: 1,
  };
}

/** Fills missing fields from the defaults of the config's resolution and checks ranges. */
export type AgeCganConfigInput = Partial<Omit<AgeCganConfig, 'ip'>> & { ip?: Partial<IpConfig> };

export function resolveAgeCganConfig(partial: AgeCganConfigInput = {}): AgeCganConfig {
  const base = defaultAgeCganConfig(partial.resolution ?? 64);
  const c: AgeCganConfig = { ...base, ...partial, ip: { ...base.ip, ...(partial.ip ?? {}) } };
  const positiveInts: Array<keyof AgeCganConfig> = ['zDim', 'ngf', 'ndf', 'nef', 'maxChannels'];
  for (const k of positiveInts) {
    const v = c[k];
    if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) throw new Error(`config.${k} must be a positive integer`);
  }
  if (c.version !== 1) throw new Error(`unsupported Age-cGAN config version ${String(c.version)}`);
  if (c.nGroups !== N_AGE_GROUPS) throw new Error(`config.nGroups must be ${N_AGE_GROUPS}`);
  if (c.groupCentres.length !== N_AGE_GROUPS) throw new Error(`config.groupCentres needs ${N_AGE_GROUPS} ages`);
  for (const k of ['lrG', 'lrD', 'lrE'] as const) if (!(c[k] > 0)) throw new Error(`config.${k} must be > 0`);
  if (!((c.changeScale ?? 1) > 0 && Number.isFinite(c.changeScale ?? 1))) throw new Error('config.changeScale must be a number > 0');
  for (const k of ['teacherWeight', 'reconstructionWeight'] as const) {
    const v = c[k] ?? 0;
    if (!(typeof v === 'number' && v >= 0 && Number.isFinite(v))) throw new Error(`config.${k} must be a number >= 0`);
  }
  if (!(c.ip.steps >= 0 && Number.isInteger(c.ip.steps))) throw new Error('config.ip.steps must be an integer >= 0');
  if (!(c.ip.recognitionSize >= 32)) throw new Error('config.ip.recognitionSize must be >= 32');
  return c;
}
