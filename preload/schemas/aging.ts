/** Aging channels: interactive preview (cancellable by request id) and the age strip. */
import { z } from 'zod';
import { AgeSchema, EncodedImageSchema, IdSchema, RectSchema } from './common';

/**
 * A preview request carries a renderer-chosen requestId; a newer preview for the same photo
 * supersedes older ones (main cancels them, they answer 'cancelled').
 */
export const PreviewRequestSchema = z.strictObject({
  requestId: IdSchema,
  photoId: IdSchema,
  faceIndex: z.number().int().min(0).default(0),
  modelId: IdSchema,
  targetAge: AgeSchema,
  /** 'crop' = aligned face crop only (fast); 'pasted' = region of the photo with the face pasted back. */
  output: z.enum(['crop', 'pasted', 'both']).default('crop'),
  /**
   * 'draft' = the cheaper pass shown while the slider is dragged or an arrow key held: the face
   * aligned at no more than DRAFT_CROP px and sent as JPEG; 'full' = the face at its own size.
   */
  quality: z.enum(['full', 'draft']).default('full'),
});
export type PreviewRequest = z.input<typeof PreviewRequestSchema>;

export const PreviewResponseSchema = z.object({
  requestId: IdSchema,
  targetAge: z.number(),
  crop: EncodedImageSchema.nullable(),
  pasted: z.object({ image: EncodedImageSchema, region: RectSchema }).nullable(),
  /** Age the estimator sees in the output (null when not computed). */
  estimatedAge: z.number().nullable(),
  engineMs: z.number().min(0),
});
export type PreviewResponse = z.infer<typeof PreviewResponseSchema>;

/**
 * The estimator's age of the aged face as a preview shows it. Asked separately, once a preview has
 * settled (it costs about as much as the preview), so the slider stays fast; a newer estimate for
 * the same photo supersedes older ones.
 */
export const EstimateRequestSchema = PreviewRequestSchema.omit({ output: true, quality: true });
export type EstimateRequest = z.input<typeof EstimateRequestSchema>;
export const EstimateResponseSchema = z.object({ requestId: IdSchema, targetAge: z.number(), estimatedAge: z.number() });

export const CancelRequestSchema = z.strictObject({ requestId: IdSchema });
export const CancelResponseSchema = z.object({ cancelled: z.boolean() });

export const AgeStripRequestSchema = z.strictObject({
  requestId: IdSchema,
  photoId: IdSchema,
  faceIndex: z.number().int().min(0).default(0),
  modelId: IdSchema,
  ages: z.array(AgeSchema).min(1).max(16),
});

export const AgeStripFrameSchema = z.object({ age: z.number(), image: EncodedImageSchema });
export const AgeStripResponseSchema = z.object({
  requestId: IdSchema,
  frames: z.array(AgeStripFrameSchema),
});
/** Event: one frame of an age strip is ready (frames stream in before the response). */
export const AgeStripFrameEventSchema = AgeStripFrameSchema.extend({ requestId: IdSchema, index: z.number().int() });
