/**
 * A judge looks at an aligned face and says how old it looks and who it is. The evaluation asks
 * several judges the same questions, so a model cannot pass by fooling one network:
 *   face-api     the studio's own estimators (face-api-judge.ts); the GANs train against its nets
 *   independent  faceres-deep's age bins + an identity vote of faceres-deep's descriptor and
 *                mobileface's embedding (independent-judge.ts); no training loss uses these nets
 * Every judge measures the same thing: the 256 px canonical crop (template.ts) as 8-bit RGB; each
 * cuts and resizes its own nets' inputs from it.
 */
import type { SquareCrop } from '../../face/estimate';

export type { SquareCrop };

/** One identity network of a judge and its same-person rule (distance <= threshold). */
export interface IdentityNetInfo {
  name: string;
  /** 'euclidean' or 'cosine' (1 - cos) between the net's vectors. */
  metric: 'euclidean' | 'cosine';
  threshold: number;
}

/** What a judge says of one face. */
export interface JudgeMeasurement {
  /** Estimated age in years. */
  age: number;
  /** One vector per identity net, keyed by IdentityNetInfo.name. */
  vectors: Record<string, Float32Array>;
}

/** Distances between two faces, one per identity net, and the judge's verdict. */
export interface IdentityVerdict {
  distances: Record<string, number>;
  /** The judge's own score (the single net's distance, or the vote's fused score); same <= threshold. */
  score: number;
  same: boolean;
}

export interface Judge {
  readonly name: string;
  /** Identifies the judge's nets, crops and reading in cache keys (a change invalidates caches). */
  readonly key: string;
  readonly identityNets: readonly IdentityNetInfo[];
  /** Threshold on IdentityVerdict.score. */
  readonly scoreThreshold: number;
  /** `crop` is a canonical crop (any size; the judges are calibrated on 256 px). */
  measure(crop: SquareCrop): Promise<JudgeMeasurement>;
  compare(a: JudgeMeasurement, b: JudgeMeasurement): IdentityVerdict;
}

export function euclidean(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new Error('vectors of different lengths');
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return Math.sqrt(s);
}

/** 1 - cosine similarity (0 for the same direction, 2 for opposite ones). */
export function cosineDistance(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new Error('vectors of different lengths');
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return aa === 0 || bb === 0 ? 1 : 1 - ab / Math.sqrt(aa * bb);
}

export function netDistance(net: IdentityNetInfo, a: Float32Array, b: Float32Array): number {
  return net.metric === 'cosine' ? cosineDistance(a, b) : euclidean(a, b);
}

/**
 * The vote of several identity nets: each distance is divided by its net's threshold and the
 * ratios are averaged, so 1 means "on the threshold" for every net (a fused score; a net that is
 * far on the wrong side outweighs one barely on the right side).
 */
export function fusedScore(nets: readonly IdentityNetInfo[], distances: Record<string, number>): number {
  let s = 0;
  for (const n of nets) s += distances[n.name] / n.threshold;
  return s / nets.length;
}
