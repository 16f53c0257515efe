/**
 * Numbers both the studio (main, its dialogs through preload) and the model code need. shared/
 * imports nothing of this project: main, preload and models all build on it.
 */

/**
 * Fine-tune steps a run takes when the person does not choose (per base kind): measured as the
 * best identity / age-error trade-off for the 15-minute budget on 2 CPU cores (64 px Age-cGAN,
 * 128 px in the finetune bench). The one source: the studio's core and dialogs, and the recipes'
 * own defaults (models/recipes/*\/finetune.ts) read it.
 */
export const FINETUNE_DEFAULT_STEPS = { 'age-cgan': 600, cyclegan: 300 } as const;
