/**
 * The Trainer of an Age-cGAN fine-tune on one person's faces (issue 10; run by
 * finetune-age-cgan.ts through runTraining). It trains the base's G and E only: the shipped export
 * has no discriminator, so there is no adversarial term; what keeps G a face generator that ages is
 * the base's own teacher term. Per step, for faces x [n, R, R, 3] (flipped / shifted by the
 * dataset, colour-jittered here), their ages s and target ages t drawn uniformly in 5-80:
 *
 *   z0 = E(x);  [rec; aged] = G([z0; z0], [y(s); y(t)])          (one batched G forward, [2n, R, R, 3])
 *   change = aged - rec;  shown = clip(x + changeScale * change)  (what the studio shows)
 *   loss = rw * mean|rec - x|                                     reconstruction (G_rec)
 *        + tw * mean|change - T(s, t)|                            the base's teacher term (G_teacher)
 *        + dw * mean(1 - cos(desc(face(shown)), desc(face(x))))   identity descriptor (G_id)
 *        + aw * mean|G([E(a); E(a); p], [y(s'); y(t'); y(u)]) - G0([E0(a); E0(a); p], ...)|   anchor (G_anchor)
 *
 * The anchor keeps the network's behaviour on faces other than the person's: a are the
 * prototype's mean faces (and their mirror images) at their own ages s' with drawn targets t',
 * p latents drawn from G's prior N(0, I) at drawn ages u, G0 and E0 the frozen base. Without it the descriptor term shrinks the age change for everyone
 * (measured: the person's distance 0.268 -> 0.209, but the age error on general faces +18%).
 *
 * T is the prototype's change (teacherChanges), the same signal the base was distilled from, so
 * the age change cannot collapse to nothing while the descriptor term pulls it toward what keeps
 * this person recognisable. Every random draw is a pure function of (seed, step): resume is exact.
 */
import * as tf from '@tensorflow/tfjs-core';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { FaceBatch, SampleGrid, Trainer, TrainerParts } from '../../core/trainer';
import { readLossScalars } from '../../core/loss-scalars';
import { mixSeed, mulberry32 } from '../../core/rng';
import type { AgeCganConfig } from './config';
import { conditionsFor, N_AGE_GROUPS } from './condition';
import { assertGradientsRegistered, Encoder, Generator } from './networks';
import { readCheckpoint, writeModelExport } from './checkpoint';
import { resolveAgeCganConfig } from './config';
import { renderGrid, SAMPLE_AGES } from './sample-grid';
import { drawTargetAges, teacherChanges, type AgeTeacher } from './teacher';
import type { FaceRecognizer } from '../../face/identity-net';
import { loadParts, saveParts } from '../../core/checkpoint';
import { FINETUNE_DEFAULT_STEPS } from '../../../shared/training-defaults';
import type { PrototypeOptions } from '../prototype/model';
import { cosineRows, faceSquare } from '../../face/identity-loss';

/**
 * The prototype options the shipped Age-cGAN was distilled with (its MODEL_CARD: strength 3.5,
 * 2.6 for gaps of 40+, the prototype's own tone 'keep'), so the fine-tune asks for the same change.
 */
export const AGE_CGAN_TEACHER_OPTIONS: Partial<PrototypeOptions> = { strength: 3.5, strengthFar: 2.6 };

/** Defaults a person never has to tune (measured by finetune-identity-bench.ts, finetune-bench.ts). */
export const AGE_CGAN_FINETUNE_DEFAULTS = {
  /**
   * 600 steps of one face (~0.5 s each at 64 px on one wasm thread): measured better than 300 on
   * both identity and the general age error (finetune-identity-bench.ts, models/training/README.md).
   */
  steps: FINETUNE_DEFAULT_STEPS['age-cgan'],
  /** A fifth of the base's 5e-4: a few photos must not undo what 20k faces taught. */
  lr: 1e-4,
  reconstructionWeight: 1,
  descriptorWeight: 4,
  colourJitter: 0.08,
  freezeEncoder: false,
  anchorWeight: 10,
  anchorFaces: 4,
  anchorPrior: 4,
} as const;

/** The recipe's numbers; saved beside every checkpoint (finetune.json) for the record. */
export interface AgeCganFinetuneSettings {
  /** Weight of the anchor term (0: off) and anchor faces per step. */
  anchorWeight: number;
  anchorFaces: number;
  /** Prior latents per step in the anchor (0: mean faces only). */
  anchorPrior: number;
  /** Adam learning rate of G and E. */
  lr: number;
  reconstructionWeight: number;
  teacherWeight: number;
  descriptorWeight: number;
  /** Train G only (E frozen). */
  freezeEncoder: boolean;
  /** Largest brightness shift and contrast change of the colour jitter (0: none). */
  colourJitter: number;
  seed: number;
}

export interface AgeCganFinetuneParts {
  teacher: AgeTeacher | null;
  recognizer: FaceRecognizer | null;
  /** The frozen base and the faces its behaviour is kept on (faces [k, R, R, 3], ages [k]). */
  anchor?: { G: Generator; E: Encoder; faces: tf.Tensor4D; ages: Float32Array } | null;
}

export const FINETUNE_SETTINGS_FILE = 'finetune.json';

export class AgeCganFinetuner implements Trainer<AgeCganConfig> {
  readonly kind = 'age-cgan' as const;
  readonly lossNames: readonly string[];
  readonly visualNames: readonly string[];
  readonly G: Generator;
  readonly E: Encoder;
  readonly optG: tf.AdamOptimizer;
  readonly optE: tf.AdamOptimizer;
  private stepCount = 0;
  private lastLosses: Record<string, number> = {};
  private readonly createdAt = new Date().toISOString();

  constructor(
    readonly config: AgeCganConfig,
    readonly settings: AgeCganFinetuneSettings,
    private readonly parts: AgeCganFinetuneParts,
  ) {
    assertGradientsRegistered();
    this.lossNames = [
      'G_rec',
      ...(parts.teacher && settings.teacherWeight > 0 ? ['G_teacher'] : []),
      ...(parts.recognizer && settings.descriptorWeight > 0 ? ['G_id'] : []),
      ...(parts.anchor && settings.anchorWeight > 0 ? ['G_anchor'] : []),
    ];
    this.visualNames = ['input', 'reconstruction', ...SAMPLE_AGES.map((a) => `shown ${a}`)];
    this.G = new Generator(config);
    this.E = new Encoder(config);
    // The base's beta1 (0.5) as in its training; lr is the fine-tune's own.
    this.optG = tf.train.adam(settings.lr, config.beta1, config.beta2);
    this.optE = tf.train.adam(settings.lr, config.beta1, config.beta2);
  }

  get step(): number {
    return this.stepCount;
  }

  get resolution(): number {
    return this.config.resolution;
  }

  private conditions(ages: ArrayLike<number>): tf.Tensor2D {
    return tf.tensor2d(conditionsFor(ages, true, this.config.groupCentres), [ages.length, N_AGE_GROUPS]);
  }

  /** Per-face brightness and contrast jitter: x * c + b, clipped; [n, R, R, 3] -> same. */
  private jitter(x: tf.Tensor4D, rand: () => number): tf.Tensor4D {
    const j = this.settings.colourJitter;
    const n = x.shape[0];
    if (j <= 0) return x.clone();
    const c = Float32Array.from({ length: n }, () => 1 + (rand() * 2 - 1) * j);
    const b = Float32Array.from({ length: n }, () => (rand() * 2 - 1) * j);
    return tf.tidy(() => tf.clipByValue(tf.add(tf.mul(x, tf.tensor4d(c, [n, 1, 1, 1])), tf.tensor4d(b, [n, 1, 1, 1])), -1, 1) as tf.Tensor4D);
  }

  /**
   * This step's anchor: faces x [k, R, R, 3] (drawn from parts.anchor), prior latents zp [kp, zDim],
   * conditions y [2k + kp, 6] (the faces' ages, drawn targets, the latents' drawn ages) and the
   * frozen base's outputs want [2k + kp, R, R, 3]; null when off.
   */
  private anchorBatch(rand: () => number): { x: tf.Tensor4D; zp: tf.Tensor2D; y: tf.Tensor2D; want: tf.Tensor4D } | null {
    const a = this.parts.anchor;
    const k = Math.min(this.settings.anchorFaces, a?.ages.length ?? 0);
    if (!a || this.settings.anchorWeight <= 0 || k === 0) return null;
    const kp = this.settings.anchorPrior;
    const idx = Array.from({ length: k }, () => Math.floor(rand() * a.ages.length));
    const ages = [...idx.map((i) => a.ages[i]), ...drawTargetAges(k, rand), ...drawTargetAges(kp, rand)];
    const x = tf.gather(a.faces, idx);
    const zp = tf.randomNormal([kp, this.config.zDim], 0, 1, 'float32', mixSeed(this.settings.seed, this.stepCount, 0xa11c)) as tf.Tensor2D;
    const y = this.conditions(ages);
    const want = tf.tidy(() => {
      const z = a.E.apply(x);
      return a.G.apply(tf.concat([z, z, zp]), y);
    });
    return { x, zp, y, want };
  }

  async trainStep(batch: FaceBatch, readLosses: boolean): Promise<Record<string, number>> {
    const s = this.settings;
    const n = batch.images.shape[0];
    if (batch.images.shape[1] !== this.config.resolution) throw new Error(`Age-cGAN fine-tune at ${this.config.resolution} px got ${batch.images.shape.join('x')}`);
    const rand = mulberry32(mixSeed(s.seed, this.stepCount, 0xf17e));
    const targets = drawTargetAges(n, rand);
    const x = this.jitter(batch.images, rand);
    const yS = this.conditions(batch.ages);
    const yT = this.conditions(targets);
    const useTeacher = this.parts.teacher !== null && s.teacherWeight > 0;
    const recognizer = s.descriptorWeight > 0 ? this.parts.recognizer : null;
    const teacherT = useTeacher ? teacherChanges(this.parts.teacher as AgeTeacher, x, batch.ages, targets) : null;
    // The input's descriptor is data: computed once, outside the gradient tape.
    const want = recognizer ? tf.tidy(() => recognizer.describe(faceSquare(x))) : null;
    const scale = this.config.changeScale ?? 1;
    const anchor = this.anchorBatch(rand);
    const kept: Record<string, tf.Scalar> = {};
    const keep = (name: string, v: tf.Scalar): tf.Scalar => {
      kept[name] = tf.keep(tf.clone(v));
      return v;
    };
    const gVars = this.G.params.variables();
    const eVars = s.freezeEncoder ? [] : this.E.params.variables();
    try {
      const { value, grads } = tf.variableGrads(() => {
        const z0 = this.E.apply(x);
        const out = this.G.apply(tf.concat([z0, z0]), tf.concat([yS, yT]));
        const rec = tf.slice(out, 0, n);
        const change = tf.sub(tf.slice(out, n, n), rec);
        let loss = tf.mul(keep('G_rec', tf.mean(tf.abs(tf.sub(rec, x)))), s.reconstructionWeight) as tf.Scalar;
        if (teacherT) loss = tf.add(loss, tf.mul(keep('G_teacher', tf.mean(tf.abs(tf.sub(change, teacherT)))), s.teacherWeight));
        if (recognizer && want) {
          const shown = tf.clipByValue(tf.add(x, tf.mul(change, scale)), -1, 1) as tf.Tensor4D;
          const got = recognizer.describe(faceSquare(shown));
          loss = tf.add(loss, tf.mul(keep('G_id', tf.sub(1, tf.mean(cosineRows(got, want)))), s.descriptorWeight));
        }
        if (anchor) {
          const za = this.E.apply(anchor.x);
          const outA = this.G.apply(tf.concat([za, za, anchor.zp]), anchor.y);
          loss = tf.add(loss, tf.mul(keep('G_anchor', tf.mean(tf.abs(tf.sub(outA, anchor.want)))), s.anchorWeight));
        }
        return loss;
      }, [...gVars, ...eVars]);
      // Arrays in params order: Adam keeps its slots by position (nn/adam-state.ts).
      this.optG.applyGradients(gVars.map((v) => ({ name: v.name, tensor: grads[v.name] })));
      if (eVars.length) this.optE.applyGradients(eVars.map((v) => ({ name: v.name, tensor: grads[v.name] })));
      tf.dispose([value, ...Object.values(grads)]);
    } finally {
      tf.dispose([x, yS, yT]);
      if (anchor) tf.dispose([anchor.x, anchor.zp, anchor.y, anchor.want]);
      teacherT?.dispose();
      want?.dispose();
    }
    this.stepCount++;
    const out = await readLossScalars(kept, readLosses);
    if (!readLosses) return out;
    this.lastLosses = { ...this.lastLosses, ...out };
    return out;
  }

  async sampleGrid(batch: FaceBatch): Promise<SampleGrid> {
    const rows = Math.min(4, batch.images.shape[0]);
    const scale = this.config.changeScale ?? 1;
    const tiles = tf.tidy(() => {
      const x = tf.slice(batch.images, 0, rows) as tf.Tensor4D;
      const z0 = this.E.apply(x);
      const rec = this.G.apply(z0, this.conditions(Array.from(batch.ages.subarray(0, rows))));
      const shown = SAMPLE_AGES.map((a) => {
        const aged = this.G.apply(z0, this.conditions(new Array<number>(rows).fill(a)));
        return tf.clipByValue(tf.add(x, tf.mul(tf.sub(aged, rec), scale)), -1, 1) as tf.Tensor4D;
      });
      // [cols, rows, R, R, 3]
      return tf.stack([x, rec, ...shown]) as tf.Tensor5D;
    });
    try {
      return renderGrid(await tiles.data(), rows, this.visualNames.length, this.config.resolution, [...this.visualNames]);
    } finally {
      tiles.dispose();
    }
  }

  checkpointParts(): TrainerParts {
    return { networks: [this.G.params, this.E.params], optimizers: { G: this.optG, E: this.optE } };
  }

  /** A checkpoint: G and E float32 + meta (an Age-cGAN model folder), Adam states, settings. */
  async save(dir: string, extra: { metrics?: Record<string, number>; totalSteps?: number; completed?: boolean } = {}): Promise<void> {
    await writeModelExport(
      dir,
      this.config,
      this.stepCount,
      { G: this.G.params, E: this.E.params },
      { createdAt: this.createdAt, losses: this.lastLosses, metrics: extra.metrics ?? {}, totalSteps: extra.totalSteps ?? this.stepCount, completed: extra.completed ?? false },
      'float32',
    );
    await saveParts(dir, { networks: [], optimizers: this.checkpointParts().optimizers });
    await fs.writeFile(path.join(dir, FINETUNE_SETTINGS_FILE), JSON.stringify(this.settings, null, 1));
  }

  /** Starts from a base model folder (export or checkpoint): its G and E, fresh optimizers, step 0. */
  static fromBase(baseDir: string, settings: AgeCganFinetuneSettings, parts: AgeCganFinetuneParts): Promise<AgeCganFinetuner> {
    return AgeCganFinetuner.open(baseDir, settings, parts, false);
  }

  /** Resumes a checkpoint written by save(): weights, Adam states and step. */
  static fromCheckpoint(dir: string, settings: AgeCganFinetuneSettings, parts: AgeCganFinetuneParts): Promise<AgeCganFinetuner> {
    return AgeCganFinetuner.open(dir, settings, parts, true);
  }

  private static async open(dir: string, settings: AgeCganFinetuneSettings, parts: AgeCganFinetuneParts, resume: boolean): Promise<AgeCganFinetuner> {
    const meta = await readCheckpoint(dir);
    const t = new AgeCganFinetuner(resolveAgeCganConfig(meta.config), settings, parts);
    try {
      // A frozen encoder's Adam never stepped: its saved state is not restored.
      const optimizers: Record<string, tf.Optimizer> = resume ? (settings.freezeEncoder ? { G: t.optG } : { G: t.optG, E: t.optE }) : {};
      await loadParts(dir, { networks: [t.G.params, t.E.params], optimizers });
      if (resume) {
        t.stepCount = meta.step;
        t.lastLosses = { ...meta.losses };
      }
    } catch (e) {
      t.dispose();
      throw e;
    }
    return t;
  }

  dispose(): void {
    this.G.dispose();
    this.E.dispose();
    this.optG.dispose();
    this.optE.dispose();
  }
}
