/**
 * Native dialogs (Electron only). Main keeps the chosen paths and hands the renderer opaque
 * grant ids, so the renderer never names a path itself. The browser host answers 'unsupported';
 * the renderer then uses <input type=file> and downloads instead.
 */
import { z } from 'zod';
import { IdSchema } from './common';

export const OpenFilesSchema = z.strictObject({
  title: z.string().max(200).optional(),
  multiple: z.boolean().default(true),
});
export const GrantSchema = z.object({
  grantId: IdSchema,
  /** Base name for display only. */
  name: z.string(),
});
export const OpenFilesResponseSchema = z.object({ grants: z.array(GrantSchema) });

export const OpenFolderSchema = z.strictObject({ title: z.string().max(200).optional() });
export const OpenFolderResponseSchema = z.object({ grant: GrantSchema.nullable() });

export const ChooseExportDestinationSchema = z.strictObject({
  title: z.string().max(200).optional(),
});
export const ChooseExportDestinationResponseSchema = z.object({ grant: GrantSchema.nullable() });
