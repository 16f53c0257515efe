import type { EvaluableModel } from '../../models/eval/evaluate';

/** Returns its input: a model that does nothing, through the model path of evaluateModel. */
export const identityModel: EvaluableModel = {
  kind: 'identity-fake',
  resolution: 128,
  async age(faces) {
    return { output: faces.clone(), reconstruction: null };
  },
  dispose() {},
};
