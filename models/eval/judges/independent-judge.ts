/**
 * The independent judge: networks no training loss in the studio uses (human-nets.ts).
 *   age       faceres-deep's 100 one-year age bins, read as chosen by accuracy (thresholds.json)
 *   identity  faceres-deep's 1024-d descriptor and mobileface's 256-d embedding, cosine distances,
 *             each with a same-person threshold at a 1% false-accept rate on matched impostor
 *             pairs of the val split; the judge's verdict is their vote (fusedScore <= 1)
 * Crops and thresholds: thresholds.json, written by tools/research/judge-calibration.ts.
 * Requires the tfjs backend; call loadIndependentJudge() once (it loads the nets).
 */
import * as tf from '@tensorflow/tfjs-core';
import { JUDGE_CROPS, cutCrop, type JudgeCropName } from './crops';
import { argmaxNeighbourAge, expectedAge, loadHumanNets, runFaceres, runMobileface, type HumanNets } from './human-nets';
import { fusedScore, netDistance, type IdentityNetInfo, type Judge, type JudgeMeasurement } from './judge';
import calibration from './thresholds.json';

export interface IndependentJudgeConfig {
  ageCrop: JudgeCropName;
  /** How faceres' 100 age bins become one age (human-nets.ts): expected value or arg-max reading. */
  ageReading: 'expected' | 'argmax';
  faceresCrop: JudgeCropName;
  mobilefaceCrop: JudgeCropName;
  faceresThreshold: number;
  mobilefaceThreshold: number;
  /** mobileface's input range: 255 (pixel values) or 1; at 0..1 it gives one vector for every face. */
  mobilefaceScale: number;
  /** Threshold on the fused score (1: the mean of distance / threshold). */
  voteThreshold: number;
}

export const INDEPENDENT_JUDGE_CONFIG: IndependentJudgeConfig = {
  ageCrop: calibration.age.crop as JudgeCropName,
  ageReading: calibration.age.reading as 'expected' | 'argmax',
  faceresCrop: calibration.nets.faceres.crop as JudgeCropName,
  mobilefaceCrop: calibration.nets.mobileface.crop as JudgeCropName,
  faceresThreshold: calibration.nets.faceres.threshold,
  mobilefaceThreshold: calibration.nets.mobileface.threshold,
  mobilefaceScale: calibration.nets.mobileface.inputScale,
  voteThreshold: calibration.vote.threshold,
};

export function createIndependentJudge(nets: HumanNets, config: IndependentJudgeConfig = INDEPENDENT_JUDGE_CONFIG): Judge {
  const identityNets: IdentityNetInfo[] = [
    { name: 'faceres', metric: 'cosine', threshold: config.faceresThreshold },
    { name: 'mobileface', metric: 'cosine', threshold: config.mobilefaceThreshold },
  ];
  return {
    name: 'independent',
    // Cached reference tables hold ages only: thresholds may change without invalidating them.
    key: `independent faceres-deep age ${config.ageCrop} ${config.ageReading}`,
    identityNets,
    scoreThreshold: config.voteThreshold,
    async measure(crop): Promise<JudgeMeasurement> {
      const idIn = cutCrop(crop, JUDGE_CROPS[config.faceresCrop], 224, 255);
      const ageIn = config.ageCrop === config.faceresCrop ? null : cutCrop(crop, JUDGE_CROPS[config.ageCrop], 224, 255);
      const mIn = cutCrop(crop, JUDGE_CROPS[config.mobilefaceCrop], 112, config.mobilefaceScale);
      try {
        const id = await runFaceres(nets, idIn);
        const read = config.ageReading === 'argmax' ? argmaxNeighbourAge : expectedAge;
        const age = read(ageIn ? (await runFaceres(nets, ageIn)).ageBins : id.ageBins);
        return { age, vectors: { faceres: id.descriptor, mobileface: await runMobileface(nets, mIn) } };
      } finally {
        tf.dispose([idIn, mIn]);
        ageIn?.dispose();
      }
    },
    compare(a, b) {
      const distances: Record<string, number> = {};
      for (const n of identityNets) distances[n.name] = netDistance(n, a.vectors[n.name], b.vectors[n.name]);
      const score = fusedScore(identityNets, distances);
      return { distances, score, same: score <= config.voteThreshold };
    },
  };
}

/** Loads the nets (once per process) and returns the judge. */
export async function loadIndependentJudge(config?: IndependentJudgeConfig): Promise<Judge> {
  return createIndependentJudge(await loadHumanNets(), config);
}
