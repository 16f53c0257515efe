/**
 * The one IPC contract. Every request channel (request schema -> response schema) and every event
 * channel (payload schema) is declared here once; main validates payloads against these schemas,
 * preload/api.ts turns the maps into the `window.studio` domain API, and the renderer derives its
 * types from that API. Channel names are `<domain>:<method>`; the API exposes them as
 * `studio.<domain>.<method>(request)` and events as `studio.<domain>.on<Event>(listener)`.
 *
 * Rules: add channels freely, never rename or remove one; every request resolves to a
 * `Result` ({ ok: true, value } | { ok: false, error: { code, message } }), never throws.
 */
import type { z } from 'zod';
import * as agingS from './schemas/aging';
import { EmptySchema } from './schemas/common';
import * as dialogS from './schemas/dialogs';
import * as exportS from './schemas/export';
import * as libS from './schemas/library';
import * as modelS from './schemas/models';
import * as sysS from './schemas/system';
import * as trainS from './schemas/training';

export * from './schemas/common';

interface ChannelDef {
  request: z.ZodType;
  response: z.ZodType;
}

function channel<Req extends z.ZodType, Res extends z.ZodType>(request: Req, response: Res) {
  return { request, response } satisfies ChannelDef;
}

export const requestChannels = {
  // system
  'system:status': channel(EmptySchema, sysS.EngineStatusSchema),
  'system:ping': channel(sysS.PingRequestSchema, sysS.PingResponseSchema),
  'settings:get': channel(EmptySchema, sysS.SettingsSchema),
  'settings:set': channel(sysS.SettingsPatchSchema, sysS.SettingsSetResponseSchema),
  /** Opens a native folder dialog in main (Electron only) and moves the library there. */
  'settings:chooseLibraryLocation': channel(EmptySchema, sysS.ChooseLibraryResponseSchema),

  // projects
  'projects:list': channel(EmptySchema, libS.ProjectListResponseSchema),
  'projects:create': channel(libS.ProjectCreateSchema, libS.ProjectSchema),
  'projects:rename': channel(libS.ProjectRenameSchema, libS.ProjectSchema),
  'projects:delete': channel(libS.ProjectDeleteSchema, libS.DeletedSchema),

  // photos
  'photos:import': channel(libS.PhotoImportSchema, libS.PhotoImportResponseSchema),
  'photos:list': channel(libS.PhotoListSchema, libS.PhotoPageSchema),
  'photos:get': channel(libS.PhotoIdSchema, libS.PhotoSchema),
  'photos:image': channel(libS.PhotoImageRequestSchema, libS.FaceCropResponseSchema),
  'photos:delete': channel(libS.PhotoDeleteSchema, libS.PhotoDeleteResponseSchema),
  'photos:undoDelete': channel(libS.PhotoUndoDeleteSchema, libS.PhotoUndoDeleteResponseSchema),
  'photos:tag': channel(libS.PhotoTagSchema, libS.PhotoTagResponseSchema),
  'photos:tags': channel(EmptySchema, libS.TagListResponseSchema),

  // faces
  'faces:list': channel(libS.PhotoIdSchema, libS.FaceListResponseSchema),
  'faces:detect': channel(libS.FaceDetectSchema, libS.FaceListResponseSchema),
  'faces:crop': channel(libS.FaceCropSchema, libS.FaceCropResponseSchema),

  // models
  'models:list': channel(EmptySchema, modelS.ModelListResponseSchema),
  'models:get': channel(modelS.ModelIdSchema, modelS.ModelDetailSchema),
  /** Only trained and fine-tuned versions; shipped models answer 'forbidden'. */
  'models:delete': channel(modelS.ModelIdSchema, libS.DeletedSchema),

  // aging
  'aging:preview': channel(agingS.PreviewRequestSchema, agingS.PreviewResponseSchema),
  'aging:cancel': channel(agingS.CancelRequestSchema, agingS.CancelResponseSchema),
  'aging:estimate': channel(agingS.EstimateRequestSchema, agingS.EstimateResponseSchema),
  'aging:strip': channel(agingS.AgeStripRequestSchema, agingS.AgeStripResponseSchema),

  // export
  'export:start': channel(exportS.ExportStartSchema, exportS.ExportStartResponseSchema),
  'export:cancel': channel(exportS.ExportIdSchema, agingS.CancelResponseSchema),
  'export:list': channel(EmptySchema, exportS.ExportListResponseSchema),
  'export:result': channel(exportS.ExportIdSchema, exportS.ExportResultResponseSchema),

  // training
  'training:start': channel(trainS.TrainingStartSchema, trainS.RunStartResponseSchema),
  'training:pause': channel(trainS.RunIdSchema, trainS.RunStateResponseSchema),
  'training:resume': channel(trainS.RunIdSchema, trainS.RunStateResponseSchema),
  'training:cancel': channel(trainS.RunCancelSchema, trainS.RunStateResponseSchema),
  // Un-pausing is training:resume; this continues an interrupted run from its last checkpoint.
  'training:resumeInterrupted': channel(trainS.RunIdSchema, trainS.RunStateResponseSchema),
  'training:list': channel(EmptySchema, trainS.RunListResponseSchema),
  'training:get': channel(trainS.RunIdSchema, trainS.RunDetailSchema),
  'training:sampleGrid': channel(trainS.SampleGridRequestSchema, trainS.SampleGridResponseSchema),

  // fine-tune (runs appear in training:list with kind 'fine-tune')
  'finetune:start': channel(trainS.FinetuneStartSchema, trainS.RunStartResponseSchema),
  'finetune:identityCheck': channel(trainS.IdentityCheckRequestSchema, trainS.IdentityCheckSchema),
  /** Before a fine-tune: which picked photos look like someone else (identity descriptors). */
  'finetune:checkPhotos': channel(trainS.CheckPhotosRequestSchema, trainS.CheckPhotosResponseSchema),

  // dialogs (Electron only; the browser host answers 'unsupported')
  'dialogs:openFiles': channel(dialogS.OpenFilesSchema, dialogS.OpenFilesResponseSchema),
  'dialogs:openFolder': channel(dialogS.OpenFolderSchema, dialogS.OpenFolderResponseSchema),
  'dialogs:chooseExportDestination': channel(
    dialogS.ChooseExportDestinationSchema,
    dialogS.ChooseExportDestinationResponseSchema,
  ),
} as const;

export const eventChannels = {
  'system:engineStatus': sysS.EngineStatusEventSchema,
  'system:log': sysS.LogEventSchema,
  'library:changed': libS.LibraryChangedEventSchema,
  'photos:importProgress': libS.PhotoImportProgressEventSchema,
  'aging:stripFrame': agingS.AgeStripFrameEventSchema,
  'export:progress': exportS.ExportProgressEventSchema,
  'training:progress': trainS.TrainingProgressEventSchema,
  'training:sampleGrid': trainS.SampleGridReadyEventSchema,
  'training:runState': trainS.RunStateEventSchema,
  'finetune:identityCheck': trainS.IdentityCheckEventSchema,
} as const;

export type RequestChannels = typeof requestChannels;
export type EventChannels = typeof eventChannels;
export type RequestChannel = keyof RequestChannels;
export type EventChannel = keyof EventChannels;

/** What the caller sends (defaults not yet applied). */
export type RequestOf<C extends RequestChannel> = z.input<RequestChannels[C]['request']>;
/** What a handler receives after validation (defaults applied). */
export type ParsedRequestOf<C extends RequestChannel> = z.output<RequestChannels[C]['request']>;
export type ResponseOf<C extends RequestChannel> = z.output<RequestChannels[C]['response']>;
export type EventOf<E extends EventChannel> = z.output<EventChannels[E]>;

export const REQUEST_CHANNELS = Object.keys(requestChannels) as RequestChannel[];
export const EVENT_CHANNELS = Object.keys(eventChannels) as EventChannel[];

export function isRequestChannel(name: unknown): name is RequestChannel {
  return typeof name === 'string' && Object.hasOwn(requestChannels, name);
}

/**
 * Electron IPC channel names. Requests and events live in separate namespaces so an event can
 * share its `<domain>:<name>` with a request (e.g. finetune:identityCheck).
 */
export const ipcRequestName = (c: RequestChannel): string => `studio:req:${c}`;
export const ipcEventName = (e: EventChannel): string => `studio:evt:${e}`;

export type { EngineStatus, PingResponse, Settings, ThemeMode, BackendName, EngineState } from './schemas/system';
export type { Project, Photo, Face, PhotoListRequest } from './schemas/library';
export { MIN_EYE_DISTANCE_PX } from './schemas/library';
export type { ModelSummary, ModelDetail, ModelKind } from './schemas/models';
export type { PreviewRequest, PreviewResponse } from './schemas/aging';
export type { ExportJob, ExportStartRequest } from './schemas/export';
export type { Run, RunState, TrainingStartRequest, TrainingProgressEvent, FinetuneStartRequest, IdentityCheck, CheckPhotosResponse } from './schemas/training';
export { FINETUNE_DEFAULT_STEPS } from './schemas/training';
export { SHIPPED_DEFAULT_NAME, SHIPPED_MODEL_RANK } from './schemas/models';
