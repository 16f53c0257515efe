/**
 * Age-balanced, augmented, deterministic batches of aligned faces for the trainers.
 *
 * Balance: UTKFace has ~7,100 faces in their twenties and ~1,300 in their sixties, so uniform
 * sampling teaches the GANs that old faces barely exist. Each draw first picks an age group with
 * probability proportional to count^(1 - balance) (balance 1: every group equally often), then a
 * face uniformly inside the group.
 *
 * Determinism: the faces and warps of batch `step` depend only on (seed, step), so a run resumed
 * from step k draws exactly what the uninterrupted run drew at step k.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { FaceBatch } from '../core/trainer';
import { SPLIT_TRAIN, SPLIT_VAL, type FaceSource } from './face-source';
import { DEFAULT_AGE_GROUPS, ageGroupOf, type AgeGroups } from './age-bins';
import { mixSeed, mulberry32, randInt } from '../core/rng';
import { DEFAULT_JITTER, IDENTITY_WARP, randomWarp, warpResize, type JitterOptions, type Warp } from './augment';

export type SplitName = 'train' | 'val' | 'all';

export interface FaceDatasetOptions {
  split: SplitName;
  /** Side of the batches' faces (64, 96 or 128); the source is resampled to it. */
  resolution: number;
  seed?: number;
  groups?: AgeGroups;
  /** 1: age groups drawn equally often; 0: as often as they occur in the data. Default 1. */
  balance?: number;
  /** Augmentation for training batches; null for none. Default DEFAULT_JITTER. */
  jitter?: JitterOptions | null;
  /** Keeps only faces whose age passes (e.g. a CycleGAN's domains, which leave gaps). */
  ageFilter?: (age: number) => boolean;
}

export class FaceDataset {
  readonly resolution: number;
  readonly seed: number;
  readonly groups: AgeGroups;
  /** Indices into the source of the faces in this split. */
  readonly indices: Int32Array;
  /** Members (source indices) of each age group, within the split. */
  readonly byGroup: Int32Array[];
  /** Cumulative probability of drawing each group. */
  private readonly groupCdf: Float64Array;
  private readonly jitter: JitterOptions | null;
  private readonly scratch: Uint8Array;

  constructor(readonly source: FaceSource, opts: FaceDatasetOptions) {
    this.resolution = opts.resolution;
    this.seed = opts.seed ?? 1;
    this.groups = opts.groups ?? DEFAULT_AGE_GROUPS;
    this.jitter = opts.jitter === undefined ? DEFAULT_JITTER : opts.jitter;
    const want = opts.split === 'train' ? SPLIT_TRAIN : opts.split === 'val' ? SPLIT_VAL : -1;
    const idx: number[] = [];
    const keep = opts.ageFilter ?? (() => true);
    for (let i = 0; i < source.count; i++) if ((want < 0 || source.splits[i] === want) && keep(source.ages[i])) idx.push(i);
    if (idx.length === 0) throw new Error(`the dataset has no faces in split "${opts.split}"${opts.ageFilter ? ' within the age filter' : ''}`);
    this.indices = Int32Array.from(idx);
    const members: number[][] = this.groups.edges.map(() => []);
    for (const i of idx) members[ageGroupOf(source.ages[i], this.groups)].push(i);
    this.byGroup = members.map((m) => Int32Array.from(m));
    const balance = opts.balance ?? 1;
    const weights = members.map((m) => (m.length === 0 ? 0 : Math.pow(m.length, 1 - balance)));
    const total = weights.reduce((a, b) => a + b, 0);
    this.groupCdf = new Float64Array(weights.length);
    let acc = 0;
    weights.forEach((w, g) => (this.groupCdf[g] = acc += w / total));
    this.scratch = new Uint8Array(source.size * source.size * 3);
  }

  get size(): number {
    return this.indices.length;
  }

  /** Faces of each age group in this split. */
  groupCounts(): number[] {
    return this.byGroup.map((m) => m.length);
  }

  /** The source indices of training batch `step` (pure function of seed and step). */
  sampleIndices(step: number, batchSize: number): number[] {
    const rand = mulberry32(mixSeed(this.seed, step, 0x5a17));
    const out: number[] = [];
    for (let i = 0; i < batchSize; i++) {
      const u = rand();
      let g = 0;
      while (g < this.groupCdf.length - 1 && (u >= this.groupCdf[g] || this.byGroup[g].length === 0)) g++;
      const m = this.byGroup[g];
      out.push(m[randInt(rand, m.length)]);
    }
    return out;
  }

  /**
   * Training batch `step`: balanced draw, augmented, at `resolution` (default the dataset's; a
   * trainer with a progressive schedule asks for its current one). Caller disposes batch.images.
   */
  async batch(step: number, batchSize: number, resolution = this.resolution): Promise<FaceBatch> {
    const picks = this.sampleIndices(step, batchSize);
    const rand = mulberry32(mixSeed(this.seed, step, 0xa06));
    const warps = picks.map(() => (this.jitter ? randomWarp(rand, this.source.size, this.jitter) : IDENTITY_WARP));
    return this.assemble(picks, warps, resolution);
  }

  /**
   * A fixed, unaugmented batch spread over the age groups (for sample grids): face j comes from
   * group j mod groups, always the same faces for a given seed.
   */
  async fixedBatch(n: number, resolution = this.resolution): Promise<FaceBatch> {
    const rand = mulberry32(mixSeed(this.seed, 0xf1ced));
    const nonEmpty = this.byGroup.filter((m) => m.length > 0);
    const picks: number[] = [];
    for (let j = 0; j < n; j++) {
      const m = nonEmpty[j % nonEmpty.length];
      picks.push(m[randInt(rand, m.length)]);
    }
    return this.assemble(picks, picks.map(() => IDENTITY_WARP), resolution);
  }

  /** Every face of the split once, in order, unaugmented (for validation). */
  async *sequential(batchSize: number): AsyncGenerator<FaceBatch> {
    for (let s = 0; s < this.indices.length; s += batchSize) {
      const picks = Array.from(this.indices.subarray(s, Math.min(s + batchSize, this.indices.length)));
      yield await this.assemble(picks, picks.map(() => IDENTITY_WARP), this.resolution);
    }
  }

  private async assemble(picks: number[], warps: Warp[], R: number): Promise<FaceBatch> {
    const S = this.source.size;
    const data = new Float32Array(picks.length * R * R * 3);
    const ages = new Float32Array(picks.length);
    for (let j = 0; j < picks.length; j++) {
      const px = await this.source.read(picks[j], this.scratch);
      warpResize(px, S, data, j * R * R * 3, R, warps[j]);
      ages[j] = this.source.ages[picks[j]];
    }
    return { images: tf.tensor4d(data, [picks.length, R, R, 3]), ages };
  }
}
