/**
 * Engine-side entry to `face-age train` (models/training/train-command.ts) and the fine-tune
 * defaults. The CLI is its own process and trains in-process as its own engine, so it reaches
 * models/ through ops/ like the engine worker does (as ops/eval.ts does for `face-age eval`).
 */
export { TRAIN_ARG_OPTIONS, parseTrainOptions, runTrainCommand } from '../../../models/training/train-command';
export { TrainingController } from '../../../models/training/training-control';
export { defaultFinetuneSteps } from '../../../models/training/finetune';
export { FINETUNE_DEFAULTS } from '../../../models/recipes/cyclegan/finetune';
