/**
 * Age-cGAN training recipe (Antipov, Baccouche, Dugelay, ICIP 2017), behind the Trainer contract.
 *
 * Paper -> code:
 *   G(z, y)            Generator.apply(z, y)          networks.ts
 *   D(x, y)            Discriminator.apply(x, y)      networks.ts
 *   E(x) -> z0         Encoder.apply(x)               networks.ts
 *   z ~ N(0, I), 100-d config.zDim
 *   y (6 age groups)   condition.ts (one-hot, or interpolated between group centres)
 *   cGAN objective     dStep / gStep below (non-saturating BCE on logits)
 *   E's L2 on z        eStep below ("E_z"), on pairs (z, G(z, y)) sampled fresh every step
 *   IP optimisation    ip-optimise.ts (z* = argmin ||FR(x) - FR(G(z, y0))||, FR = face-api's net)
 *
 * Phases: G and D train every step until config.ganStopStep (null: forever); from
 * config.encoderStartStep on, each step also trains E once on a fresh generated batch (and, when
 * encoderRealWeight > 0, on reconstructing the real batch through the frozen G).
 * Teacher mode (config.teacherWeight / reconstructionWeight > 0, ours): the G step also trains E,
 * on G_rec = mean |G(E(x), y(s)) - x| and G_teacher = mean |(G(E(x), y(t)) - G(E(x), y(s))) - T|,
 * T = the teacher's change for the face's age s and a drawn age t (teacher.ts): the change the
 * studio shows (input + output - reconstruction) is what is distilled.
 * Every random draw is a pure function of (config.seed, step), so a resumed run is exact.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { FaceBatch, SampleGrid, Trainer, TrainerParts } from '../../core/trainer';
import { readLossScalars } from '../../core/loss-scalars';
import { mixSeed, mulberry32 } from '../../core/rng';
import type { AgeCganConfig, AgeCganConfigInput } from './config';
import { resolveAgeCganConfig } from './config';
import { conditionsFor, N_AGE_GROUPS } from './condition';
import { assertGradientsRegistered, Discriminator, Encoder, Generator } from './networks';
import { readCheckpoint, writeCheckpoint } from './checkpoint';
import { loadWeights } from '../../core/checkpoint';
import { renderGrid, SAMPLE_AGES } from './sample-grid';
import { drawTargetAges, teacherChanges, type AgeTeacher } from './teacher';
import type { ExtraGeneratorLoss } from '../../face/identity-loss';

export interface AgeCganTrainerOptions {
  /** The change to distil when config.teacherWeight > 0 (e.g. the prototype model); not saved. */
  teacher?: AgeTeacher;
  /**
   * Teacher mode only: an extra term on the face as the studio shows it, shown = x + G(z0, y(t)) -
   * G(z0, y(s)) [n, R, R, 3], with the target condition [n, 6] (e.g. the identity-descriptor loss
   * of models/face/identity-loss.ts). Runs inside the joint G step: return a scalar, keep nothing.
   */
  extraGeneratorLoss?: ExtraGeneratorLoss;
}

export const AGE_CGAN_LOSS_NAMES = ['D_real', 'D_fake', 'D_mismatch', 'G_adv', 'G_rec', 'G_teacher', 'G_extra', 'E_z', 'E_pix'] as const;

/** Binary cross-entropy on logits against a constant target t: softplus(l) - t * l, mean. */
function bce(logits: tf.Tensor, target: number): tf.Scalar {
  return tf.mean(tf.sub(tf.softplus(logits), tf.mul(logits, target)));
}

/** An age at least 20 years from `age`, uniform over what remains of 0-85: a "wrong" label. */
function wrongAge(age: number, rand: () => number): number {
  for (;;) {
    const a = rand() * 85;
    if (Math.abs(a - age) >= 20) return a;
  }
}

export class AgeCganTrainer implements Trainer<AgeCganConfig> {
  readonly kind = 'age-cgan' as const;
  /** The losses a step of this config can return (G_rec, G_teacher only when weighted). */
  readonly lossNames: readonly string[];
  /** Grid columns; with a teacher also the studio's view, input + G(z0, y(a)) - G(z0, y(s)). */
  readonly visualNames: readonly string[];
  readonly G: Generator;
  readonly D: Discriminator;
  readonly E: Encoder;
  readonly optG: tf.AdamOptimizer;
  readonly optD: tf.AdamOptimizer;
  readonly optE: tf.AdamOptimizer;
  private stepCount = 0;
  private lastLosses: Record<string, number> = {};
  private createdAt = new Date().toISOString();
  private readonly teacher: AgeTeacher | null;
  private readonly extraLoss: ExtraGeneratorLoss | null;

  constructor(readonly config: AgeCganConfig, opts: AgeCganTrainerOptions = {}) {
    assertGradientsRegistered();
    const tw = config.teacherWeight ?? 0;
    if (tw > 0 && !opts.teacher) throw new Error('config.teacherWeight > 0 needs a teacher (e.g. --teacher assets/models/prototype)');
    this.teacher = tw > 0 ? (opts.teacher ?? null) : null;
    this.extraLoss = this.teacher ? (opts.extraGeneratorLoss ?? null) : null;
    this.lossNames = AGE_CGAN_LOSS_NAMES.filter(
      (k) =>
        (k !== 'D_mismatch' || config.mismatchWeight > 0) &&
        (k !== 'G_rec' || (config.reconstructionWeight ?? 0) > 0) &&
        (k !== 'G_teacher' || this.teacher !== null) &&
        (k !== 'G_extra' || this.extraLoss !== null) &&
        (k !== 'E_pix' || config.encoderRealWeight > 0),
    );
    this.visualNames = [
      'input',
      'reconstruction',
      ...SAMPLE_AGES.map((a) => `age ${a}`),
      ...(this.teacher ? SAMPLE_AGES.map((a) => `shown ${a}`) : []),
    ];
    this.G = new Generator(config);
    this.D = new Discriminator(config);
    this.E = new Encoder(config);
    const { beta1, beta2 } = config;
    this.optG = tf.train.adam(config.lrG, beta1, beta2);
    this.optD = tf.train.adam(config.lrD, beta1, beta2);
    this.optE = tf.train.adam(config.lrE, beta1, beta2);
  }

  get step(): number {
    return this.stepCount;
  }

  get resolution(): number {
    return this.config.resolution;
  }

  private conditions(ages: ArrayLike<number>): tf.Tensor2D {
    const c = this.config;
    return tf.tensor2d(conditionsFor(ages, c.softConditions, c.groupCentres), [ages.length, N_AGE_GROUPS]);
  }

  async trainStep(batch: FaceBatch, readLosses: boolean): Promise<Record<string, number>> {
    const c = this.config;
    const x = batch.images;
    const n = x.shape[0];
    if (x.shape[1] !== c.resolution || x.shape[2] !== c.resolution || x.shape[3] !== 3) {
      throw new Error(`Age-cGAN at ${c.resolution} px got a batch of shape ${x.shape.join('x')}`);
    }
    if (batch.ages.length !== n) throw new Error(`batch has ${n} images but ${batch.ages.length} ages`);
    const step = this.stepCount;
    const rand = mulberry32(mixSeed(c.seed, step, 0));
    // Fake samples use the batch's own ages shuffled, so their ages follow the data's distribution.
    const fakeAges = Float32Array.from(batch.ages);
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [fakeAges[i], fakeAges[j]] = [fakeAges[j], fakeAges[i]];
    }
    const wrongAges = Float32Array.from(batch.ages, (a) => wrongAge(a, rand));
    // Drawn only in teacher mode, after the other draws: runs without a teacher are unchanged.
    const targetAges = this.teacher ? drawTargetAges(n, rand) : null;
    const yReal = this.conditions(batch.ages);
    const yFake = this.conditions(fakeAges);
    const yWrong = this.conditions(wrongAges);
    const z = tf.randomNormal([n, c.zDim], 0, 1, 'float32', mixSeed(c.seed, step, 1)) as tf.Tensor2D;
    const kept: Record<string, tf.Scalar> = {};
    // A copy survives both the gradient tidy and minimize() disposing the returned cost.
    const keep = (name: string, s: tf.Scalar): tf.Scalar => {
      kept[name] = tf.keep(tf.clone(s));
      return s;
    };
    try {
      if (c.ganStopStep === null || step < c.ganStopStep) {
        // D step: real pairs -> realLabel; generated pairs and real faces with a wrong age -> 0.
        const fake = tf.tidy(() => this.G.apply(z, yFake));
        this.optD.minimize(
          () => {
            const real = keep('D_real', bce(this.D.apply(x, yReal), c.realLabel));
            const gen = keep('D_fake', bce(this.D.apply(fake, yFake), 0));
            let loss = tf.add(real, gen);
            if (c.mismatchWeight > 0) {
              const wrong = keep('D_mismatch', bce(this.D.apply(x, yWrong), 0));
              loss = tf.add(loss, tf.mul(wrong, c.mismatchWeight));
            }
            return loss as tf.Scalar;
          },
          false,
          this.D.params.variables(),
        );
        fake.dispose();
        // G step (non-saturating): generated pairs should look real to D.
        if (this.jointMode) this.jointGeneratorStep(x, z, yFake, yReal, batch.ages, targetAges, keep);
        else {
          this.optG.minimize(
            () => keep('G_adv', bce(this.D.apply(this.G.apply(z, yFake), yFake), 1)),
            false,
            this.G.params.variables(),
          );
        }
      }
      if (step >= c.encoderStartStep) this.encoderStep(x, yReal, yFake, mixSeed(c.seed, step, 2), keep);
    } finally {
      tf.dispose([yReal, yFake, yWrong, z]);
    }
    this.stepCount++;
    const out = await readLossScalars(kept, readLosses);
    if (!readLosses) return out;
    this.lastLosses = { ...this.lastLosses, ...out };
    return out;
  }

  private get jointMode(): boolean {
    return this.teacher !== null || (this.config.reconstructionWeight ?? 0) > 0;
  }

  /**
   * G step of teacher mode, one backward pass for G and E (each updated by its own Adam):
   * G_adv on G(z, y') as in the paper, plus G_rec and G_teacher on z0 = E(x). One batched G
   * forward of [z; z0; z0] x [y'; y(s); y(t)] ([3n, R, R, 3]; pixel norm is per sample).
   */
  private jointGeneratorStep(
    x: tf.Tensor4D,
    z: tf.Tensor2D,
    yFake: tf.Tensor2D,
    yReal: tf.Tensor2D,
    sourceAges: Float32Array,
    targetAges: Float32Array | null,
    keep: (name: string, s: tf.Scalar) => tf.Scalar,
  ): void {
    const c = this.config;
    const n = x.shape[0];
    const rw = c.reconstructionWeight ?? 0;
    const tw = c.teacherWeight ?? 0;
    const target = this.teacher && targetAges ? teacherChanges(this.teacher, x, sourceAges, targetAges) : null;
    const yT = target && targetAges ? this.conditions(targetAges) : null;
    const gVars = this.G.params.variables();
    const eVars = this.E.params.variables();
    const { value, grads } = tf.variableGrads(() => {
      const z0 = this.E.apply(x);
      const out = this.G.apply(tf.concat(yT ? [z, z0, z0] : [z, z0]), tf.concat(yT ? [yFake, yReal, yT] : [yFake, yReal]));
      const fake = tf.slice(out, 0, n);
      const rec = tf.slice(out, n, n);
      let loss: tf.Scalar = keep('G_adv', bce(this.D.apply(fake, yFake), 1));
      if (rw > 0) loss = tf.add(loss, tf.mul(keep('G_rec', tf.mean(tf.abs(tf.sub(rec, x)))), rw));
      if (yT && target) {
        const change = tf.sub(tf.slice(out, 2 * n, n), rec);
        loss = tf.add(loss, tf.mul(keep('G_teacher', tf.mean(tf.abs(tf.sub(change, target)))), tw));
        if (this.extraLoss) loss = tf.add(loss, keep('G_extra', this.extraLoss(x, tf.clipByValue(tf.add(x, change), -1, 1) as tf.Tensor4D, yT)));
      }
      return loss;
    }, [...gVars, ...eVars]);
    // Arrays in params order: Adam keeps its slots by position (see nn/adam-state.ts).
    this.optG.applyGradients(gVars.map((v) => ({ name: v.name, tensor: grads[v.name] })));
    this.optE.applyGradients(eVars.map((v) => ({ name: v.name, tensor: grads[v.name] })));
    tf.dispose([value, ...Object.values(grads)]);
    target?.dispose();
    yT?.dispose();
  }

  /**
   * E step: E(G(z, y)) should return z (paper), and G(E(x), y) should reproduce a real x
   * (ours, weight encoderRealWeight). Only E's variables move.
   */
  private encoderStep(
    x: tf.Tensor4D,
    yReal: tf.Tensor2D,
    yGen: tf.Tensor2D,
    seed: number,
    keep: (name: string, s: tf.Scalar) => tf.Scalar,
  ): void {
    const c = this.config;
    const n = x.shape[0];
    const zE = tf.randomNormal([n, c.zDim], 0, 1, 'float32', seed) as tf.Tensor2D;
    const xE = tf.tidy(() => this.G.apply(zE, yGen));
    this.optE.minimize(
      () => {
        let loss: tf.Scalar = keep('E_z', tf.mean(tf.squaredDifference(this.E.apply(xE), zE)));
        if (c.encoderRealWeight > 0) {
          const rec = this.G.apply(this.E.apply(x), yReal);
          const pix = keep('E_pix', tf.mean(tf.abs(tf.sub(rec, x))));
          loss = tf.add(loss, tf.mul(pix, c.encoderRealWeight));
        }
        return loss;
      },
      false,
      this.E.params.variables(),
    );
    tf.dispose([zE, xE]);
  }

  async sampleGrid(batch: FaceBatch): Promise<SampleGrid> {
    const c = this.config;
    const rows = Math.min(4, batch.images.shape[0]);
    const tiles = tf.tidy(() => {
      const x = tf.slice(batch.images, 0, rows) as tf.Tensor4D;
      const z0 = this.E.apply(x);
      const ySrc = this.conditions(Array.from(batch.ages.subarray(0, rows)));
      const rec = this.G.apply(z0, ySrc);
      const cols: tf.Tensor4D[] = [x, rec];
      const aged = SAMPLE_AGES.map((age) => this.G.apply(z0, this.conditions(new Array<number>(rows).fill(age))));
      cols.push(...aged);
      if (this.teacher) for (const a of aged) cols.push(tf.clipByValue(tf.add(x, tf.sub(a, rec)), -1, 1) as tf.Tensor4D);
      // [cols, rows, R, R, 3]
      return tf.stack(cols) as tf.Tensor5D;
    });
    try {
      return renderGrid(await tiles.data(), rows, this.visualNames.length, c.resolution, [...this.visualNames]);
    } finally {
      tiles.dispose();
    }
  }

  checkpointParts(): TrainerParts {
    return { networks: [this.G.params, this.D.params, this.E.params], optimizers: { G: this.optG, D: this.optD, E: this.optE } };
  }

  async save(dir: string, extra: { metrics?: Record<string, number>; totalSteps?: number; completed?: boolean } = {}): Promise<void> {
    await writeCheckpoint(dir, this, {
      createdAt: this.createdAt,
      losses: this.lastLosses,
      metrics: extra.metrics ?? {},
      totalSteps: extra.totalSteps ?? this.stepCount,
      completed: extra.completed ?? false,
    });
  }

  /** Used by loadAgeCganTrainer only. */
  restoreState(step: number, createdAt: string, losses: Record<string, number>): void {
    this.stepCount = step;
    this.createdAt = createdAt;
    this.lastLosses = { ...losses };
  }

  dispose(): void {
    this.G.dispose();
    this.D.dispose();
    this.E.dispose();
    this.optG.dispose();
    this.optD.dispose();
    this.optE.dispose();
  }
}

/**
 * A fresh trainer at step 0; missing config fields take defaultAgeCganConfig(config.resolution ?? 64).
 * opts.initFrom: a checkpoint folder whose G, D and E weights start this run (fine-tuning a base
 * model on personal photos); its optimizer state and step are not carried over.
 */
export async function createAgeCganTrainer(
  config: AgeCganConfigInput = {},
  opts: AgeCganTrainerOptions & { initFrom?: string } = {},
): Promise<AgeCganTrainer> {
  const trainer = new AgeCganTrainer(resolveAgeCganConfig(config), opts);
  if (opts.initFrom) {
    try {
      await loadWeights(opts.initFrom, [trainer.G.params, trainer.D.params, trainer.E.params]);
    } catch (e) {
      trainer.dispose();
      throw e;
    }
  }
  return trainer;
}

/**
 * Resumes from a checkpoint written by save(): weights, Adam state, step, losses. A teacher-mode
 * checkpoint needs the same opts.teacher again (it is an option, not saved).
 */
export async function loadAgeCganTrainer(dir: string, opts: AgeCganTrainerOptions = {}): Promise<AgeCganTrainer> {
  const trainer = new AgeCganTrainer(resolveAgeCganConfig((await readCheckpoint(dir)).config), opts);
  try {
    const meta = await readCheckpoint(dir, trainer.checkpointParts());
    trainer.restoreState(meta.step, meta.createdAt, meta.losses);
  } catch (e) {
    trainer.dispose();
    throw e;
  }
  return trainer;
}
