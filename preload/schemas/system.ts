/** System channels: engine status, ping through the engine, settings. */
import { z } from 'zod';
import { IdSchema } from './common';

/** Backends in the order the engine tries them (see models/backend). */
export const BACKEND_NAMES = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const;
export const BackendNameSchema = z.enum(BACKEND_NAMES);
export type BackendName = z.infer<typeof BackendNameSchema>;

export const EngineStateSchema = z.enum(['starting', 'ready', 'restarting', 'stopped', 'failed']);
export type EngineState = z.infer<typeof EngineStateSchema>;

export const VersionsSchema = z.object({
  app: z.string(),
  node: z.string(),
  electron: z.string().nullable(),
  chrome: z.string().nullable(),
  tfjs: z.string().nullable(),
});

export const EngineStatusSchema = z.object({
  state: EngineStateSchema,
  /** Backend actually in use (tfjs `getBackend()` mapped to our names), null before init. */
  backend: BackendNameSchema.nullable(),
  /** Worker threads the backend uses (wasm threads / intra-op threads); null when unknown. */
  threads: z.number().int().min(0).nullable(),
  /** Times the wasm thread governor changed the thread count since the engine started (it drops to 1 under load). */
  threadSwitches: z.number().int().min(0),
  /** Human-readable device, e.g. "CPU (wasm SIMD)" or "CUDA GPU 0". */
  device: z.string().nullable(),
  /** Backends tried before the one in use, each "name: why it could not start" (e.g. the chosen one). */
  fallbacks: z.array(z.string()).default([]),
  /** Which host serves the studio: the browser host has no native dialogs (no library move). */
  host: z.enum(['electron', 'web', 'cli', 'test']).default('test'),
  /** Engine OS process id (diagnostics; end-to-end tests use it to kill the engine). */
  pid: z.number().int().nullable(),
  /** How many times the supervisor restarted the engine since launch. */
  restarts: z.number().int().min(0),
  /** Last crash or init failure, if any. */
  lastError: z.string().nullable(),
  versions: VersionsSchema,
});
export type EngineStatus = z.infer<typeof EngineStatusSchema>;

export const PingRequestSchema = z.strictObject({
  /** Free text echoed back by the engine. */
  echo: z.string().max(200).optional(),
  /** Test hook: engine waits this long before answering. Only honoured when the host runs with test hooks. */
  delayMs: z.number().int().min(0).max(60_000).optional(),
});

export const PingResponseSchema = z.object({
  echo: z.string().nullable(),
  backend: BackendNameSchema,
  enginePid: z.number().int(),
  /** Wall time main measured from sending to the engine to receiving its answer. */
  roundTripMs: z.number().min(0),
});
export type PingResponse = z.infer<typeof PingResponseSchema>;

export const ThemeModeSchema = z.enum(['system', 'light', 'dark']);
export type ThemeMode = z.infer<typeof ThemeModeSchema>;

export const SettingsSchema = z.object({
  /** 'auto' tries tensorflow-gpu, tensorflow, wasm, cpu in turn. Applies on engine restart. */
  backendOverride: z.union([z.literal('auto'), BackendNameSchema]),
  /** Backend threads; null = let the backend decide. Applies on engine restart. */
  threads: z.number().int().min(1).max(256).nullable(),
  theme: ThemeModeSchema,
  /** Where the library lives. Read-only here: change it with settings:chooseLibraryLocation. */
  libraryDir: z.string(),
});
export type Settings = z.infer<typeof SettingsSchema>;

export const SettingsPatchSchema = z.strictObject({
  backendOverride: SettingsSchema.shape.backendOverride.optional(),
  threads: SettingsSchema.shape.threads.optional(),
  theme: ThemeModeSchema.optional(),
});

export const SettingsSetResponseSchema = z.object({
  settings: SettingsSchema,
  /** True when a changed value only takes effect after the engine restarts (done automatically). */
  engineRestarted: z.boolean(),
});

export const ChooseLibraryResponseSchema = z.object({
  settings: SettingsSchema,
  /** The library is reopened at the new location immediately. */
  reopened: z.boolean(),
});

/** Event: engine status changed (started, crashed, restarted). */
export const EngineStatusEventSchema = EngineStatusSchema;

export const LogEventSchema = z.object({
  level: z.enum(['debug', 'info', 'warn', 'error']),
  source: z.enum(['main', 'engine']),
  message: z.string(),
  at: z.string(),
  runId: IdSchema.optional(),
});
