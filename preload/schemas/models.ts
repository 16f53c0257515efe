/** Model channels: shipped, trained and fine-tuned model versions with their lineage. */
import { z } from 'zod';
import { IdSchema, TimestampSchema } from './common';

/** Kinds a run can train. */
export const TrainableKindSchema = z.enum(['age-cgan', 'cyclegan']);
/** Every kind of model in the library: the trainable ones plus the training-free prototype method. */
export const ModelKindSchema = z.enum(['age-cgan', 'cyclegan', 'prototype']);
export type ModelKind = z.infer<typeof ModelKindSchema>;
/**
 * The shipped model a new studio session and the CLI start on when it is installed: the engineered
 * stages (assets/models/engineered). Measured (models/eval/BASELINES.md, session 8, run D): on the
 * independent judge it achieves 50% of the requested change against the Age-cGAN's 39% at the same
 * same-person rate beyond 40 years, moves the face's shape toward the target's at both ends, and
 * greys hair and beard; no GAN beats it yet (issue "The GANs and fine-tuning earn their place").
 */
export const SHIPPED_DEFAULT_NAME = 'engineered';

/**
 * Other shipped models by preference, best first, when the default is not installed. Measured order
 * (BASELINES, session 5): the Age-cGAN ages closest to the target while meeting both identity
 * goals; the CycleGAN keeps more faces the same person but ages less; the prototype needs no network.
 */
export const SHIPPED_MODEL_RANK: readonly ModelKind[] = ['age-cgan', 'cyclegan', 'prototype'];
export const ModelOriginSchema = z.enum(['shipped', 'trained', 'fine-tuned']);

export const ModelSummarySchema = z.object({
  id: IdSchema,
  name: z.string(),
  kind: ModelKindSchema,
  origin: ModelOriginSchema,
  /** Model this one was trained or fine-tuned from; null for shipped and from-scratch models. */
  parentId: IdSchema.nullable(),
  /** Ancestors from the root down to the parent, so the UI can draw the chain without more calls. */
  lineage: z.array(z.object({ id: IdSchema, name: z.string() })),
  createdAt: TimestampSchema,
  /** Age range the model can target. */
  ageRange: z.tuple([z.number(), z.number()]),
  resolution: z.number().int().positive(),
  trainingSteps: z.number().int().min(0),
  /** Headline evaluation numbers, e.g. { ageMae: 6.1, identityDistance: 0.42 }. */
  metrics: z.record(z.string(), z.number()),
});
export type ModelSummary = z.infer<typeof ModelSummarySchema>;

export const ModelDetailSchema = ModelSummarySchema.extend({
  /** The model card (markdown): data, steps, metrics, licence. */
  card: z.string().nullable(),
  /** The config saved next to the checkpoint (reproducibility). */
  config: z.record(z.string(), z.unknown()),
  trainingRunId: IdSchema.nullable(),
});
export type ModelDetail = z.infer<typeof ModelDetailSchema>;

export const ModelListResponseSchema = z.object({ models: z.array(ModelSummarySchema) });
export const ModelIdSchema = z.strictObject({ modelId: IdSchema });
