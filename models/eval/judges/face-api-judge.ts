/**
 * The face-api judge: exactly what measure.ts has always measured (face-api's age/gender net and
 * 128-d recognition net on CANONICAL_FACE_RECT of the 256 px crop; Euclidean distance, same person
 * below 0.6). Its numbers are unchanged; the GANs' identity loss uses these same nets, so it is
 * one judge among two.
 */
import { estimateAgeAndDescriptor } from '../../face/estimate';
import { SAME_PERSON_DISTANCE as SAME_PERSON_THRESHOLD } from '../../../shared/identity';
import { euclidean, type IdentityNetInfo, type Judge, type JudgeMeasurement } from './judge';

const NET: IdentityNetInfo = { name: 'face-api', metric: 'euclidean', threshold: SAME_PERSON_THRESHOLD };

export const faceApiJudge: Judge = {
  name: 'face-api',
  // The estimator field of the reference tables cached before judges existed (still valid).
  key: 'face-api ageGenderNet',
  identityNets: [NET],
  scoreThreshold: SAME_PERSON_THRESHOLD,
  async measure(crop): Promise<JudgeMeasurement> {
    const e = await estimateAgeAndDescriptor(crop);
    return { age: e.age, vectors: { [NET.name]: e.descriptor } };
  },
  compare(a, b) {
    const d = euclidean(a.vectors[NET.name], b.vectors[NET.name]);
    // face-api's rule is "< 0.6" (metrics.ts); kept strict so the numbers do not move.
    return { distances: { [NET.name]: d }, score: d, same: d < SAME_PERSON_THRESHOLD };
  },
};
