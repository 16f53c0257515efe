/**
 * Public API of Age-cGAN (documented in README.md). Other parts import from here only.
 */
export { defaultAgeCganConfig, resolveAgeCganConfig } from './config';
export type { AgeCganConfig, AgeCganConfigInput, IpConfig } from './config';
export {
  ageToCondition,
  ageToGroup,
  ageToOneHot,
  AGE_GROUP_LABELS,
  AGE_GROUP_LOWER_BOUNDS,
  DEFAULT_GROUP_CENTRES,
} from './condition';
export { AgeCganTrainer, AGE_CGAN_LOSS_NAMES, createAgeCganTrainer, loadAgeCganTrainer } from './trainer';
export type { AgeCganTrainerOptions } from './trainer';
export { drawTargetAges, teacherChanges } from './teacher';
export type { AgeTeacher } from './teacher';
export { AgeCganAgingModel, loadAgeCganModel } from './model';
export type { AgeCganModelOptions, AgeOptions } from './model';
export { exportAgeCganModel } from './export';
export type { IpProgress, IpResult } from './ip-optimise';
export { FaceRecognizer, descriptorDistance } from '../../face/identity-net';
export type { AgeCganMeta } from './checkpoint';
