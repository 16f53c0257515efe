// Plain, JSON-able row and DTO types of the project library. The IPC contract re-exports or
// mirrors these; file bytes travel as Buffers. Times are Unix milliseconds.

export type LibraryErrorCode =
  | 'not-an-image'
  | 'truncated'
  | 'too-large'
  | 'unsupported-format'
  | 'no-face'
  | 'face-too-small'
  | 'animated'
  | 'read-failed'
  | 'duplicate'
  | 'not-found'
  | 'invalid-input'
  | 'invalid-transition'
  | 'base-model-immutable'
  | 'disk-full'
  | 'read-only'
  | 'locked'
  | 'io';

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Point {
  x: number;
  y: number;
}

/** One detected face, in the photo's oriented pixel coordinates (EXIF orientation applied). */
export interface Face {
  box: Box;
  score: number;
  /** 68 landmark points (face-api order); may be empty when only detection ran. */
  landmarks: Point[];
  /** Estimated age in years, or null when not estimated. */
  age: number | null;
  /** Identity descriptor (128 floats from face-api), or null. */
  descriptor: number[] | null;
}

/** What the injected analyzer (the engine's face pipeline) reports for one image. */
export interface AnalyzeResult {
  /** Width and height after EXIF orientation is applied. */
  width: number;
  height: number;
  /** EXIF orientation tag of the original file (1..8, 1 when absent). */
  orientation: number;
  format: string;
  faces: Face[];
}

export type Analyzer = (bytes: Buffer) => Promise<AnalyzeResult>;

export interface ImportFile {
  name: string;
  bytes?: Buffer;
  /** A Buffer for names that are not valid UTF-8 (they do not survive a string round trip). */
  path?: string | Buffer;
}

export type ImportOutcome =
  | { name: string; status: 'imported'; photoId: number }
  | { name: string; status: 'duplicate'; photoId: number }
  | { name: string; status: 'error'; code: LibraryErrorCode; message: string };

export interface ImportProgress {
  done: number;
  total: number;
  last: ImportOutcome;
}

export interface Project {
  id: number;
  name: string;
  description: string;
  createdAt: number;
  updatedAt: number;
}

export interface ProjectSummary extends Project {
  photoCount: number;
  /** Id of the most recently imported photo, usable as a cover thumbnail. */
  coverPhotoId: number | null;
}

export interface Photo {
  id: number;
  projectId: number;
  name: string;
  sha256: string;
  format: string;
  byteSize: number;
  /** Oriented dimensions (EXIF orientation applied). */
  width: number;
  height: number;
  orientation: number;
  importedAt: number;
  faceCount: number;
  /** Centre of the largest face's box in photo pixels (thumbnails are cropped around it), or null. */
  faceCentre: { x: number; y: number } | null;
  /** Estimated age of the largest face, or null. */
  estimatedAge: number | null;
  /** Age the user typed for this photo (used for fine-tuning), or null. */
  labelAge: number | null;
  /** True when startup recovery found the original file gone. */
  missing: boolean;
  tags: string[];
}

export interface PhotoDetail extends Photo {
  faces: Face[];
}

export type PhotoSort = 'imported-desc' | 'imported-asc' | 'name-asc' | 'age-asc' | 'age-desc';

export interface PhotoQuery {
  projectId: number;
  /** Case-insensitive substring of the photo name. */
  search?: string;
  /** Inclusive range on the photo's age: the label age when set, else the largest face's estimate. */
  minAge?: number;
  maxAge?: number;
  tag?: string;
  sort?: PhotoSort;
  limit?: number;
  offset?: number;
}

export interface Page<T> {
  items: T[];
  total: number;
  offset: number;
  limit: number;
}

export interface TagCount {
  name: string;
  count: number;
}

/** 'prototype': the training-free mean-face method (models/prototype), a shipped baseline. */
export type ModelKind = 'age-cgan' | 'cyclegan' | 'prototype';
/** Kinds a training run can produce (the runs table's CHECK). */
export type TrainableKind = Exclude<ModelKind, 'prototype'>;

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export interface Model {
  id: number;
  kind: ModelKind;
  name: string;
  isBase: boolean;
  parentId: number | null;
  projectId: number | null;
  config: JsonObject;
  metrics: JsonObject;
  createdAt: number;
  missing: boolean;
}

export interface ModelWithLineage extends Model {
  /** Ancestors from the direct parent up to the root base model. */
  lineage: { id: number; name: string; isBase: boolean }[];
}

export interface RegisterModelInput {
  kind: ModelKind;
  name: string;
  isBase: boolean;
  parentId?: number | null;
  projectId?: number | null;
  /** Folder holding the weights (model.json + shards, model card). */
  weightsDir: string;
  /** Move the folder into the store (rename when on the same disk) instead of copying it. */
  move?: boolean;
  config: JsonObject;
  metrics?: JsonObject;
}

export type RunStatus =
  | 'queued'
  | 'running'
  | 'paused'
  | 'completed'
  | 'failed'
  | 'cancelled'
  | 'interrupted';

export interface Run {
  id: number;
  projectId: number | null;
  kind: TrainableKind;
  parentModelId: number | null;
  outputModelId: number | null;
  config: JsonObject;
  status: RunStatus;
  step: number;
  totalSteps: number;
  error: string | null;
  createdAt: number;
  startedAt: number | null;
  updatedAt: number;
  finishedAt: number | null;
}

export interface CreateRunInput {
  projectId?: number | null;
  kind: TrainableKind;
  parentModelId?: number | null;
  config: JsonObject;
  totalSteps: number;
}

/** One logged step: loss and metric values by name, e.g. {G: 1.2, D: 0.7, cycle: 3.1}. */
export interface MetricPoint {
  step: number;
  values: Record<string, number>;
}

export interface MetricSeries {
  name: string;
  steps: number[];
  values: number[];
}

export interface RunSample {
  id: number;
  runId: number;
  step: number;
  format: string;
  createdAt: number;
}

export interface ExportRecord {
  id: number;
  photoId: number;
  projectId: number;
  modelId: number | null;
  targetAge: number;
  format: string;
  width: number;
  height: number;
  byteSize: number;
  /** Where the user saved a copy, if anywhere (not managed by the library). */
  externalPath: string | null;
  settings: JsonObject;
  createdAt: number;
}

export interface RecordExportInput {
  photoId: number;
  modelId?: number | null;
  targetAge: number;
  bytes: Buffer;
  externalPath?: string | null;
  settings?: JsonObject;
}

export interface RecoveryReport {
  tempFilesRemoved: number;
  orphanFilesRemoved: number;
  photosMarkedMissing: number;
  thumbnailsRebuilt: number;
  modelsMarkedMissing: number;
  samplesDropped: number;
  exportsDropped: number;
  runsInterrupted: number;
}
