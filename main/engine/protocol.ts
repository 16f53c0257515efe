/**
 * Messages between main (the supervisor) and the engine process. Both directions are
 * discriminated unions on `type`; requests carry an id that responses, progress events and
 * cancellations refer to. Payloads are structured-clone data (Uint8Array allowed).
 *
 * To add an engine operation: add an entry to EngineOps (request and response shapes) and a
 * handler in main/engine/worker-ops.ts; call it from main with `supervisor.request(op, payload)`.
 */
import type { BackendName } from '../../preload/schemas/system';
import type { Result } from '../../preload/schemas/common';
import type { EngineBenchResult } from '../../models/backend/engine-bench';

export interface EngineInfo {
  backend: BackendName;
  /** Threads in use now: the wasm thread governor can change the count at run time. */
  threads: number | null;
  /** How many times the thread governor switched the count since the engine started. */
  threadSwitches: number;
  device: string;
  /** Backends tried before the one in use, each with why it could not start ("name: reason"). */
  fallbacks?: string[];
  pid: number;
  versions: { tfjs: string | null; node: string };
}

/** One face as the library stores it (photo pixels, EXIF orientation applied). */
export interface FaceWire {
  box: { x: number; y: number; width: number; height: number };
  score: number;
  landmarks: { x: number; y: number }[];
  age: number | null;
  descriptor: number[] | null;
}

/** The library's AnalyzeResult: what the face pipeline found in one photo. */
export interface AnalyzeWire {
  width: number;
  height: number;
  orientation: number;
  format: string;
  faces: FaceWire[];
}

export interface FaceCropWire {
  mime: 'image/png' | 'image/jpeg';
  width: number;
  height: number;
  bytes: Uint8Array<ArrayBuffer>;
}

/** One face of one photo through an aging model at several target ages. */
export interface AgeFacesRequest {
  /** Library-owned photo file (resolved by main, never a renderer-chosen path). */
  path: string;
  landmarks: { x: number; y: number }[];
  /** The face's estimated age: the model's source condition. */
  sourceAge: number;
  ages: number[];
  /** Model folder (a self-describing checkpoint or export). */
  modelDir: string;
  output: 'crop' | 'pasted' | 'both';
  /** Also estimate each aged face's age (face-api's age net on the shown crop), for the preview. */
  estimate?: boolean;
  /** The slider's cheaper pass while dragging: crop side capped at DRAFT_CROP, crop sent as JPEG. */
  draft?: boolean;
  /**
   * How the crop travels: PNG (the default: lossless, for exports and strips) or JPEG at
   * PREVIEW_JPEG_QUALITY (4:4:4), for the slider's previews: a few ms to encode and decode and
   * several times fewer bytes than PNG (~150 KB for a 240 px face), whose encode, copies across
   * two processes and decode are paid at every release.
   */
  cropFormat?: 'png' | 'jpeg';
}

export interface AgedFrameWire {
  age: number;
  /** With AgeFacesRequest.estimate: face-api's age estimate of the aged face as shown. */
  estimatedAge?: number;
  crop: FaceCropWire | null;
  pasted: { image: { mime: 'image/jpeg'; width: number; height: number; bytes: Uint8Array<ArrayBuffer> }; region: { x: number; y: number; width: number; height: number } } | null;
}

export interface AgeFacesResponse {
  frames: AgedFrameWire[];
  resolution: number;
  engineMs: number;
}

/** Export: one photo at one target age, every listed face aged and pasted back at full resolution. */
export interface ExportPhotoRequest {
  path: string;
  faces: { landmarks: { x: number; y: number }[]; sourceAge: number }[];
  age: number;
  modelDir: string;
  format: 'png' | 'jpeg' | 'webp';
  quality: number;
  /** Copy the original's GPS tags into the output (nothing else of its metadata is copied). */
  keepLocation?: boolean;
}

/** Export: a contact sheet (rows x ages of PNG crops) or an animated timeline (rows[0], one frame per age). */
export interface ExportComposeRequest {
  layout: 'contact-sheet' | 'animated-timeline';
  rows: Uint8Array[][];
  ages: number[];
  cellSize: number;
  /** Animated timelines: 'webp' gives animated WebP, png/jpeg give GIF. */
  format: 'png' | 'jpeg' | 'webp';
  quality: number;
  frameMs: number;
}

export interface ExportImageWire {
  mime: 'image/png' | 'image/jpeg' | 'image/webp' | 'image/gif';
  width: number;
  height: number;
  bytes: Uint8Array<ArrayBuffer>;
}

/** finetune:identityCheck: one face aged by each model at each age, distance of input vs output descriptors. */
export interface IdentityDistancesRequest {
  path: string;
  landmarks: { x: number; y: number }[];
  sourceAge: number;
  ages: number[];
  modelDirs: string[];
}

export interface IdentityDistancesResponse {
  /** [model][age]: Euclidean face-api descriptor distance (same person below ~0.6). */
  distances: number[][];
}

export interface EngineOps {
  /** Round trip through the engine; delayMs is a test hook (honoured only with testHooks). */
  ping: {
    request: { echo?: string; delayMs?: number };
    response: { echo: string | null; backend: BackendName; pid: number };
  };
  /** Backend, threads and device as the engine sees them now. */
  info: { request: Record<string, never>; response: EngineInfo };
  /** models/backend/engine-bench.ts: generator inference and one GAN training step, timed. */
  bench: { request: { runs?: number; profileKernels?: boolean }; response: EngineBenchResult };
  /**
   * Decode and analyse a photo (faces, landmarks, ages, descriptors). Photos without a usable
   * face answer with no faces; unreadable ones fail with details.photoCode (e.g. 'not-an-image').
   */
  analyze: { request: { bytes?: Uint8Array; path?: string }; response: AnalyzeWire };
  /** The canonical aligned crop (size x size PNG) of the face with these 68 landmarks. */
  faceCrop: { request: { path: string; landmarks: { x: number; y: number }[]; size: number }; response: FaceCropWire };
  /** Ages one face at each of `ages`; the aligned crop and/or the pasted-back photo region. */
  ageFaces: { request: AgeFacesRequest; response: AgeFacesResponse };
  /** The full-resolution photo with its faces aged at one age and pasted back, encoded. */
  exportPhoto: { request: ExportPhotoRequest; response: ExportImageWire };
  /** Contact sheet or animated timeline from aged crops. */
  exportCompose: { request: ExportComposeRequest; response: ExportImageWire };
  /** ops/identity.ts: descriptor distances between a face and its aged outputs, per model and age. */
  identityDistances: { request: IdentityDistancesRequest; response: IdentityDistancesResponse };
}

export type EngineOp = keyof EngineOps;
export type EngineRequestOf<K extends EngineOp> = EngineOps[K]['request'];
export type EngineResponseOf<K extends EngineOp> = EngineOps[K]['response'];

export interface EngineInitOptions {
  backend: 'auto' | BackendName;
  threads: number | null;
  /** Enables test-only behaviour such as ping delays. */
  testHooks: boolean;
}

export type MainToEngine =
  | { type: 'init'; options: EngineInitOptions }
  | { type: 'request'; id: number; op: EngineOp; payload: unknown }
  | { type: 'cancel'; id: number }
  | { type: 'shutdown' };

export type EngineToMain =
  | { type: 'ready'; info: EngineInfo }
  /** The info changed since 'ready' (the thread governor switched the thread count). */
  | { type: 'info'; info: EngineInfo }
  | { type: 'init-failed'; message: string }
  | { type: 'response'; id: number; result: Result<unknown> }
  | { type: 'progress'; id: number; data: unknown }
  | { type: 'log'; level: 'debug' | 'info' | 'warn' | 'error'; message: string };

const MAIN_TO_ENGINE_TYPES = new Set(['init', 'request', 'cancel', 'shutdown']);
const ENGINE_TO_MAIN_TYPES = new Set(['ready', 'info', 'init-failed', 'response', 'progress', 'log']);

function hasType(m: unknown, allowed: Set<string>): boolean {
  return typeof m === 'object' && m !== null && allowed.has((m as { type?: unknown }).type as string);
}

export function isMainToEngine(m: unknown): m is MainToEngine {
  return hasType(m, MAIN_TO_ENGINE_TYPES);
}

export function isEngineToMain(m: unknown): m is EngineToMain {
  return hasType(m, ENGINE_TO_MAIN_TYPES);
}
