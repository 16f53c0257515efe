/** Training and fine-tuning channels: runs with pause/resume/cancel and live progress events. */
import { z } from 'zod';
import { EncodedImageSchema, IdSchema, TimestampSchema } from './common';
import { TagSchema } from './library';
import { TrainableKindSchema } from './models';

export const RunKindSchema = z.enum(['age-cgan', 'cyclegan', 'fine-tune']);
/** interrupted: its training process or the studio died mid-run; training:resumeInterrupted continues it from its last checkpoint. */
export const RunStateSchema = z.enum(['queued', 'running', 'paused', 'completed', 'failed', 'cancelled', 'interrupted']);
export type RunState = z.infer<typeof RunStateSchema>;

/** Which library photos to train on. */
export const PhotoSelectionSchema = z.discriminatedUnion('by', [
  z.strictObject({ by: z.literal('project'), projectId: IdSchema }),
  z.strictObject({ by: z.literal('tag'), tag: TagSchema }),
  z.strictObject({ by: z.literal('photos'), photoIds: z.array(IdSchema).min(1).max(5000) }),
]);

export const TrainingStartSchema = z.strictObject({
  kind: TrainableKindSchema,
  /** Start from this model's weights; null trains from scratch. */
  baseModelId: IdSchema.nullable(),
  selection: PhotoSelectionSchema,
  steps: z.number().int().min(1).max(1_000_000),
  resolution: z.union([z.literal(64), z.literal(128), z.literal(256)]).default(128),
  /** Omitted: the run's own default (a fine-tune trains batch 1, as models/training/finetune.ts FINETUNE_DEFAULTS). */
  batchSize: z.number().int().min(1).max(64).optional(),
  /** Name of the model version the run produces. */
  name: z.string().trim().min(1).max(120).optional(),
  /** Emit a sample grid every N steps. Omitted: the run's own default (a fine-tune: every fifth of its steps). */
  sampleEvery: z.number().int().min(1).max(100_000).optional(),
});
export type TrainingStartRequest = z.input<typeof TrainingStartSchema>;

export const LossesSchema = z.record(z.string(), z.number());

export const RunSchema = z.object({
  runId: IdSchema,
  kind: RunKindSchema,
  state: RunStateSchema,
  name: z.string(),
  baseModelId: IdSchema.nullable(),
  /** Model version written by the run (set when it completes). */
  outputModelId: IdSchema.nullable(),
  step: z.number().int().min(0),
  steps: z.number().int().min(0),
  startedAt: TimestampSchema.nullable(),
  finishedAt: TimestampSchema.nullable(),
  lastLosses: LossesSchema,
  error: z.string().nullable(),
});
export type Run = z.infer<typeof RunSchema>;

export const RunDetailSchema = RunSchema.extend({
  /** Loss history: one point per logged step. */
  history: z.array(z.object({ step: z.number().int(), losses: LossesSchema, stepsPerSec: z.number() })),
  /** Steps that have a sample grid (fetch with training:sampleGrid). */
  sampleSteps: z.array(z.number().int()),
  config: z.record(z.string(), z.unknown()),
});

export const RunIdSchema = z.strictObject({ runId: IdSchema });
/**
 * Stop a run after its current step. keep (default): its latest checkpoint becomes a new model
 * version, named as stopped at its step; false discards what it has learnt.
 */
export const RunCancelSchema = z.strictObject({ runId: IdSchema, keep: z.boolean().default(true) });
export type RunCancelRequest = z.input<typeof RunCancelSchema>;
export const RunStartResponseSchema = z.object({ runId: IdSchema });
export const RunStateResponseSchema = z.object({ runId: IdSchema, state: RunStateSchema });
export const RunListResponseSchema = z.object({ runs: z.array(RunSchema) });
export const SampleGridRequestSchema = z.strictObject({
  runId: IdSchema,
  /** Omitted = latest grid. */
  step: z.number().int().min(0).optional(),
});
export const SampleGridResponseSchema = z.object({ runId: IdSchema, step: z.number().int(), image: EncodedImageSchema });

/** Event: a training or fine-tuning step was logged. */
export const TrainingProgressEventSchema = z.object({
  runId: IdSchema,
  kind: RunKindSchema,
  state: RunStateSchema,
  step: z.number().int().min(0),
  steps: z.number().int().min(0),
  losses: LossesSchema,
  stepsPerSec: z.number().min(0),
  /** Seconds left at the current speed; null before the speed is known. */
  etaSec: z.number().min(0).nullable(),
});
export type TrainingProgressEvent = z.infer<typeof TrainingProgressEventSchema>;

/** Event: a new sample grid exists for a run. */
export const SampleGridReadyEventSchema = z.object({ runId: IdSchema, step: z.number().int() });

/** Event: a run changed state (started, paused, resumed, completed, failed, cancelled). */
export const RunStateEventSchema = RunSchema;

export { FINETUNE_DEFAULT_STEPS } from '../../shared/training-defaults';

export const FinetuneStartSchema = z.strictObject({
  baseModelId: IdSchema,
  /** The person's own photos (one face each is used: the largest). */
  photoIds: z.array(IdSchema).min(1).max(500),
  /** Absent: FINETUNE_DEFAULT_STEPS of the base's kind. */
  steps: z.number().int().min(1).max(100_000).optional(),
  name: z.string().trim().min(1).max(120).optional(),
  /** Weight of the identity-preservation loss. */
  identityWeight: z.number().min(0).max(100).default(1),
});
export type FinetuneStartRequest = z.input<typeof FinetuneStartSchema>;

/**
 * Before a fine-tune: are the picked photos one person? Each photo's largest face's identity
 * descriptor (face-api, stored at import) against the element-wise median of all of them.
 */
export const CheckPhotosRequestSchema = z.strictObject({ photoIds: z.array(IdSchema).min(1).max(500) });
export const CheckPhotosResponseSchema = z.object({
  /** Distances above this are flagged as someone else. */
  threshold: z.number(),
  faces: z.array(z.object({ photoId: IdSchema, faceIndex: z.number().int().min(0), distance: z.number(), flagged: z.boolean() })),
  skipped: z.array(z.object({ photoId: IdSchema, reason: z.string() })),
});
export type CheckPhotosResponse = z.infer<typeof CheckPhotosResponseSchema>;

/** Identity check: descriptor distance between each input face and its aged outputs. */
export const IdentityCheckSchema = z.object({
  modelId: IdSchema,
  baseModelId: IdSchema,
  /** Distances at or below this are "same person" for the face-api descriptor. */
  threshold: z.number(),
  photos: z.array(
    z.object({
      photoId: IdSchema,
      targetAge: z.number(),
      distanceBase: z.number(),
      distanceFineTuned: z.number(),
      passed: z.boolean(),
    }),
  ),
  meanDistanceBase: z.number(),
  meanDistanceFineTuned: z.number(),
});
export type IdentityCheck = z.infer<typeof IdentityCheckSchema>;
export const IdentityCheckRequestSchema = z.strictObject({ modelId: IdSchema });
export const IdentityCheckEventSchema = IdentityCheckSchema.extend({ runId: IdSchema });

