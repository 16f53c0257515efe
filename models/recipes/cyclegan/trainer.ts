/**
 * The CycleGAN recipe for age translation (cf. cycle_gan_model.py), with one age-conditional
 * generator for every direction. Paper names -> code names:
 *   G_A (G: X -> Y, young -> old)   = gen.translate(x, code(old age))
 *   G_B (F: Y -> X, old -> young)   = gen.translate(y, code(young age))
 *   D_A (D_Y), D_B (D_X)            = disc.apply(image, code(age)), one projection PatchGAN
 *   loss_cycle_A/B (||F(G(x)) - x||) = G_cycle: gen(gen(x, target), source) vs x, weight 10
 *   loss_idt_A/B (||G(y) - y||)     = G_idt: gen(x, source) vs x, weight 0.5 x cycle
 *   fake_B_pool / fake_A_pool       = pool (one ImagePool of 50 fakes with their age codes)
 * Extras for ageing that shows (lessons of issue 8): a frozen age classifier's cross-entropy on
 * fakes (G_age), mask sparsity + smoothness (G_mask), a matching-aware D that calls real faces
 * with a wrong age code fake (D_wrong_age), cycle/identity weights ramping in, progressive size.
 */
import * as tf from '@tensorflow/tfjs-core';
import { readLossScalars } from '../../core/loss-scalars';
import type { FaceBatch, SampleGrid, Trainer, TrainerParts } from '../../core/trainer';
import { mixSeed, mulberry32 } from '../../core/rng';
import { softAgeLabel, type AgeGroups } from '../../data/age-bins';
import { validateCycleGanConfig, type CycleGanConfig } from './config';
import { ageCode, domainOf, sampleDomainAge } from './age-code';
import { AgeGenerator } from './networks';
import { AgeDiscriminator } from './networks';
import { ImagePool, type PoolEntry } from './image-pool';
import { colourCast, l1, lsgan, reconstructionDistance, softCrossEntropy, totalVariation } from '../../nn/losses';
import { learningRateAt, maskRampAt, reconRampAt, resolutionAt } from './schedule';
import { renderSampleGrid } from './sample-grid';
import { saveTrainer, type SaveExtra } from './checkpoint';
import { teacherChanges, teacherDeltas, type AgeTeacher } from '../../nn/teacher';

/** A pretrained age classifier, frozen: its variables are never in our optimisers' lists. */
export interface FrozenAgeClassifier {
  /** x: [N, S, S, 3] aligned faces in [-1, 1] -> logits [N, groups]. */
  logits(x: tf.Tensor4D): tf.Tensor2D;
  groups: AgeGroups;
  /** Input size S the classifier wants; fakes are resized to it when set and different. */
  inputSize?: number;
}

export interface CycleGanTrainerOptions {
  classifier?: FrozenAgeClassifier;
  /**
   * One more generator term, added to G's total and reported as G_extra (fine-tuning adds an
   * identity-descriptor loss here). x: the real faces [n, S, S, 3], fake: their translations,
   * targetCode: [n, domains]. Runs inside the generator's minimize: return a scalar, keep nothing.
   */
  extraGeneratorLoss?: (x: tf.Tensor4D, fake: tf.Tensor4D, targetCode: tf.Tensor2D) => tf.Scalar;
  /**
   * A training-free age change to distil (config.loss.teacher > 0): G_teacher is the L1 distance
   * between G's change and the teacher's for the same source and target ages. Without a dense age
   * signal like this the GAN stayed the identity for thousands of CPU steps (issue 8 runs v3-v6).
   */
  teacher?: AgeTeacher;
}

export type { AgeTeacher } from '../../nn/teacher';

type Adam = tf.AdamOptimizer & { learningRate: number };

/** Per-step host-side draws: which domain each face goes to, and the codes that follow. */
interface StepPlan {
  keep: number[];
  n: number;
  srcCode: Float32Array;
  tgtCode: Float32Array;
  wrongCode: Float32Array;
  clsTarget: Float32Array | null;
  /** Source (label) and drawn target age of each kept face, for the teacher. */
  sourceAges: Float32Array;
  targetAges: Float32Array;
}

export class CycleGanTrainer implements Trainer<CycleGanConfig> {
  readonly kind = 'cyclegan' as const;
  readonly lossNames: readonly string[];
  readonly visualNames: readonly string[];
  readonly gen: AgeGenerator;
  readonly disc: AgeDiscriminator;
  readonly optG: Adam;
  readonly optD: Adam;
  readonly pool: ImagePool;
  private readonly classifier: FrozenAgeClassifier | null;
  private readonly extraLoss: CycleGanTrainerOptions['extraGeneratorLoss'] | null;
  private readonly teacher: AgeTeacher | null;
  private step_ = 0;
  /** Last values read from the device, written into checkpoint meta. */
  lastLosses: Record<string, number> = {};

  constructor(readonly config: CycleGanConfig, opts: CycleGanTrainerOptions = {}) {
    validateCycleGanConfig(config);
    if (!tf.getGradient('Conv2D') || !tf.getGradient('MirrorPad')) {
      // tfjs-core alone registers no gradients; the engine's backend selection imports them.
      throw new Error(
        "tfjs gradients are not registered: import '@tensorflow/tfjs-core/dist/register_all_gradients' (or @tensorflow/tfjs) first",
      );
    }
    this.classifier = opts.classifier ?? null;
    this.extraLoss = opts.extraGeneratorLoss ?? null;
    const wantsTeacher = (config.loss.teacher ?? 0) > 0 || this.hasPrior;
    this.teacher = wantsTeacher ? (opts.teacher ?? null) : null;
    if (wantsTeacher && !this.teacher) {
      throw new Error('config.loss.teacher > 0 or generator.prior needs a teacher (e.g. --teacher assets/models/prototype)');
    }
    this.gen = new AgeGenerator(config);
    this.disc = new AgeDiscriminator(config);
    const { lr, beta1, beta2 } = config.optim;
    this.optG = tf.train.adam(lr, beta1, beta2) as Adam;
    this.optD = tf.train.adam(lr, beta1, beta2) as Adam;
    this.pool = new ImagePool(config.poolSize);
    const l = config.loss;
    this.lossNames = [
      'D',
      'D_real',
      'D_fake',
      ...(l.wrongAge > 0 ? ['D_wrong_age'] : []),
      'G',
      'G_gan',
      'G_cycle',
      'G_idt',
      ...(this.classifier && l.ageClassifier > 0 ? ['G_age'] : []),
      ...(config.generator.output === 'mask-residual' ? ['G_mask'] : []),
      ...(l.changeTv > 0 ? ['G_tv'] : []),
      ...((l.colourShift ?? 0) > 0 ? ['G_colour'] : []),
      ...(this.extraLoss ? ['G_extra'] : []),
      ...(this.teacher && (l.teacher ?? 0) > 0 ? ['G_teacher'] : []),
    ];
    this.visualNames = [
      'input',
      ...config.domains.map((d) => d.name),
      'cycle',
      ...(config.generator.output === 'mask-residual' ? ['mask'] : []),
    ];
  }

  get step(): number {
    return this.step_;
  }

  /** G refines the teacher's change (config.generator.prior 'prototype' or 'engineered'). */
  get hasPrior(): boolean {
    return this.config.generator.prior === 'prototype' || this.config.generator.prior === 'engineered';
  }

  /** The teacher G was trained with (saved as its prior when hasPrior). */
  get teacherModel(): AgeTeacher | null {
    return this.teacher;
  }

  /** Resolution the next step trains at (progressive schedule); batches are resized to it anyway. */
  get resolution(): number {
    return resolutionAt(this.config, this.step_);
  }

  /** Used by loadCycleGanTrainer only. */
  checkpointParts(): TrainerParts {
    return { networks: [this.gen.params, this.disc.params], optimizers: { G: this.optG, D: this.optD } };
  }

  setStep(step: number): void {
    this.step_ = step;
  }

  private plan(ages: Float32Array, rand: () => number): StepPlan | null {
    const domains = this.config.domains;
    const g = domains.length;
    const keep: number[] = [];
    const src: number[] = [];
    for (let i = 0; i < ages.length; i++) {
      const d = domainOf(ages[i], domains);
      if (d >= 0) {
        keep.push(i);
        src.push(d);
      }
    }
    const n = keep.length;
    if (n === 0) return null;
    const srcCode = new Float32Array(n * g);
    const tgtCode = new Float32Array(n * g);
    const wrongCode = new Float32Array(n * g);
    const cls = this.classifier;
    const clsTarget = cls ? new Float32Array(n * cls.groups.edges.length) : null;
    const sourceAges = new Float32Array(n);
    const targetAges = new Float32Array(n);
    const otherThan = (s: number) => {
      const t = Math.min(g - 2, Math.floor(rand() * (g - 1)));
      return t >= s ? t + 1 : t;
    };
    for (let i = 0; i < n; i++) {
      srcCode.set(ageCode(ages[keep[i]], domains), i * g);
      const t = otherThan(src[i]);
      const targetAge = sampleDomainAge(domains[t], this.config.targetSampling === 'uniform', rand);
      tgtCode.set(ageCode(targetAge, domains), i * g);
      sourceAges[i] = ages[keep[i]];
      targetAges[i] = targetAge;
      wrongCode.set(ageCode(sampleDomainAge(domains[otherThan(src[i])], false, rand), domains), i * g);
      if (cls && clsTarget) {
        const label = softAgeLabel(targetAge, this.config.loss.ageClassifierSigma, cls.groups);
        clsTarget.set(label, i * label.length);
      }
    }
    return { keep, n, srcCode, tgtCode, wrongCode, clsTarget, sourceAges, targetAges };
  }

  async trainStep(batch: FaceBatch, readLosses: boolean): Promise<Record<string, number>> {
    const c = this.config;
    // Every draw of a step is a pure function of (seed, step): a resumed run repeats it exactly.
    const rand = mulberry32(mixSeed(c.seed, this.step_));
    const plan = this.plan(batch.ages, rand);
    if (!plan) return {};
    const res = resolutionAt(c, this.step_);
    const g = c.domains.length;
    const lr = learningRateAt(c, this.step_);
    this.optG.learningRate = lr;
    this.optD.learningRate = lr;
    const ramp = reconRampAt(c, this.step_);
    const maskRamp = maskRampAt(c, this.step_);
    const l = c.loss;
    const recon = reconstructionDistance(l.reconstruction, l.reconstructionScale);

    // x: [n, res, res, 3] (a subset of the batch when some ages lie outside every domain).
    const x = tf.tidy(() => {
      let t: tf.Tensor4D =
        plan.n === batch.images.shape[0] ? batch.images.clone() : tf.gather(batch.images, plan.keep);
      if (t.shape[1] !== res || t.shape[2] !== res) t = tf.image.resizeBilinear(t, [res, res], true);
      return t;
    });
    const srcCode = tf.tensor2d(plan.srcCode, [plan.n, g]);
    const tgtCode = tf.tensor2d(plan.tgtCode, [plan.n, g]);
    const wrongCode = tf.tensor2d(plan.wrongCode, [plan.n, g]);
    const clsTarget =
      this.classifier && plan.clsTarget
        ? tf.tensor2d(plan.clsTarget, [plan.n, this.classifier.groups.edges.length])
        : null;
    const teacherChange = this.teacher ? this.teacherChange(x, plan.sourceAges, plan.targetAges) : null;
    // With a prior, the way back starts from the fake plus the teacher's change back to the source age.
    const backDelta = this.hasPrior ? teacherDeltas(this.teacher!, plan.targetAges, plan.sourceAges, res) : null;
    const parts: Record<string, tf.Scalar> = {};
    const keepPart = (name: string, v: tf.Scalar) => {
      parts[name] = tf.keep(v.clone());
    };
    let fake: tf.Tensor4D | null = null;

    // --- generator step (backward_G) ---
    this.optG.minimize(
      () => {
        const t = this.gen.translate(teacherChange && this.hasPrior ? (tf.add(x, teacherChange) as tf.Tensor4D) : x, tgtCode);
        const back = backDelta ? (tf.clipByValue(tf.add(t.image, backDelta), -1, 1) as tf.Tensor4D) : t.image;
        const rec = this.gen.translate(back, srcCode).image;
        const gan = tf.mul(lsgan(this.disc.apply(t.image, tgtCode), 1), l.gan) as tf.Scalar;
        const cycle = tf.mul(recon(rec, x), l.cycle * ramp) as tf.Scalar;
        let total = tf.add(gan, cycle) as tf.Scalar;
        keepPart('G_gan', gan);
        keepPart('G_cycle', cycle);
        if (l.identity > 0) {
          const idt = tf.mul(recon(this.gen.translate(x, srcCode).image, x), l.cycle * l.identity * ramp) as tf.Scalar;
          total = tf.add(total, idt);
          keepPart('G_idt', idt);
        } else {
          keepPart('G_idt', tf.scalar(0));
        }
        if (this.classifier && clsTarget && l.ageClassifier > 0) {
          const size = this.classifier.inputSize;
          const f = l.ageClassifierPool;
          let input = f > 1 ? tf.avgPool(t.image, f, f, 'valid') : t.image;
          if (size && size !== input.shape[1]) input = tf.image.resizeBilinear(input, [size, size], true);
          const age = tf.mul(softCrossEntropy(this.classifier.logits(input), clsTarget), l.ageClassifier) as tf.Scalar;
          total = tf.add(total, age);
          keepPart('G_age', age);
        }
        if (l.changeTv > 0) {
          const tv = tf.mul(totalVariation(tf.sub(t.image, x)), l.changeTv) as tf.Scalar;
          total = tf.add(total, tv);
          keepPart('G_tv', tv);
        }
        if ((l.colourShift ?? 0) > 0) {
          const cast = tf.mul(colourCast(tf.sub(t.image, x)), l.colourShift ?? 0) as tf.Scalar;
          total = tf.add(total, cast);
          keepPart('G_colour', cast);
        }
        if (this.extraLoss) {
          const extra = this.extraLoss(x, t.image, tgtCode);
          total = tf.add(total, extra);
          keepPart('G_extra', extra);
        }
        if (teacherChange && (l.teacher ?? 0) > 0) {
          const tch = tf.mul(l1(tf.sub(t.image, x), teacherChange), l.teacher ?? 0) as tf.Scalar;
          total = tf.add(total, tch);
          keepPart('G_teacher', tch);
        }
        if (t.mask) {
          const m = tf.mul(
            tf.add(tf.mul(tf.mean(t.mask), l.maskL1), tf.mul(totalVariation(t.mask), l.maskTv)),
            maskRamp,
          ) as tf.Scalar;
          total = tf.add(total, m);
          keepPart('G_mask', m);
        }
        keepPart('G', total);
        fake = tf.keep(t.image.clone());
        return total;
      },
      false,
      this.gen.params.variables(),
    );

    // --- image pool (host side: one read of the fakes per step) ---
    const fakeImg = fake as unknown as tf.Tensor4D;
    const fakeData = (await fakeImg.data()) as Float32Array;
    fakeImg.dispose();
    const per = res * res * 3;
    const fresh: PoolEntry[] = [];
    for (let i = 0; i < plan.n; i++) {
      fresh.push({
        image: fakeData.slice(i * per, (i + 1) * per),
        code: plan.tgtCode.slice(i * g, (i + 1) * g),
      });
    }
    const shown = this.pool.query(fresh, rand);
    const poolImages = new Float32Array(plan.n * per);
    const poolCodes = new Float32Array(plan.n * g);
    shown.forEach((e, i) => {
      poolImages.set(e.image, i * per);
      poolCodes.set(e.code, i * g);
    });
    const poolFake = tf.tensor4d(poolImages, [plan.n, res, res, 3]);
    const poolCode = tf.tensor2d(poolCodes, [plan.n, g]);

    // --- discriminator step (backward_D) ---
    this.optD.minimize(
      () => {
        // Projection: features of the real faces do not depend on the code, so one pass
        // serves both the real (own age) and the wrong-age scores.
        const shared = this.disc.conditioning === 'projection' ? this.disc.features(x, srcCode) : null;
        const real = lsgan(shared ? this.disc.score(shared, srcCode) : this.disc.apply(x, srcCode), 1);
        const fk = lsgan(this.disc.apply(poolFake, poolCode), 0);
        let total = tf.mul(tf.add(real, fk), 0.5) as tf.Scalar;
        keepPart('D_real', real);
        keepPart('D_fake', fk);
        if (l.wrongAge > 0) {
          const scores = shared ? this.disc.score(shared, wrongCode) : this.disc.apply(x, wrongCode);
          const wrong = tf.mul(lsgan(scores, 0), 0.5 * l.wrongAge) as tf.Scalar;
          total = tf.add(total, wrong);
          keepPart('D_wrong_age', wrong);
        }
        keepPart('D', total);
        return total;
      },
      false,
      this.disc.params.variables(),
    );

    tf.dispose([x, srcCode, tgtCode, wrongCode, poolFake, poolCode]);
    if (clsTarget) clsTarget.dispose();
    if (teacherChange) teacherChange.dispose();
    if (backDelta) backDelta.dispose();
    this.step_++;

    const out = await readLossScalars(parts, readLosses);
    if (!readLosses) return out;
    this.lastLosses = out;
    return out;
  }

  /** The teacher's change for each face, [n, R, R, 3] (teacherChanges). */
  teacherChange(x: tf.Tensor4D, from: ArrayLike<number>, to: ArrayLike<number>): tf.Tensor4D {
    return teacherChanges(this.teacher!, x, from, to);
  }

  /**
   * Rows: up to 8 faces of the batch. Columns (visualNames): input, the face at each domain's
   * centre age, the cycle back from the first other domain, and that translation's mask.
   */
  async sampleGrid(batch: FaceBatch): Promise<SampleGrid> {
    const prior = this.hasPrior
      ? (x: tf.Tensor4D, from: number[], to: number[]) => tf.add(x, this.teacherChange(x, from, to)) as tf.Tensor4D
      : undefined;
    return renderSampleGrid(this.gen, this.config, batch, this.visualNames, prior);
  }

  async save(dir: string, extra?: SaveExtra): Promise<void> {
    await saveTrainer(this, dir, extra);
  }

  dispose(): void {
    this.gen.dispose();
    this.disc.dispose();
    this.optG.dispose();
    this.optD.dispose();
  }
}
