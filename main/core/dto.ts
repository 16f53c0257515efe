/** Conversions from library rows (integer ids, Unix ms) to contract DTOs (string ids, ISO times). */
import type { Face, Photo, Project } from '../../preload/schemas/library';
import type { ModelSummary } from '../../preload/schemas/models';
import type { Run } from '../../preload/schemas/training';
import type * as L from '../library/types';

const iso = (ms: number) => new Date(ms).toISOString();
const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));

export function mimeOf(format: string): string {
  const f = format.toLowerCase();
  return f === 'jpg' ? 'image/jpeg' : `image/${f}`;
}

export function projectDto(p: L.ProjectSummary): Project {
  return { id: String(p.id), name: p.name, createdAt: iso(p.createdAt), photoCount: p.photoCount };
}

export function photoDto(p: L.Photo): Photo {
  return {
    id: String(p.id),
    projectId: String(p.projectId),
    name: p.name,
    mime: mimeOf(p.format),
    width: p.width,
    height: p.height,
    sizeBytes: p.byteSize,
    contentHash: p.sha256,
    importedAt: iso(p.importedAt),
    faceCount: p.faceCount,
    faceFocus:
      p.faceCentre && p.width > 0 && p.height > 0
        ? { x: Math.min(1, Math.max(0, p.faceCentre.x / p.width)), y: Math.min(1, Math.max(0, p.faceCentre.y / p.height)) }
        : null,
    estimatedAge: p.estimatedAge,
    tags: p.tags,
  };
}

export function faceDto(f: L.Face, index: number): Face {
  return {
    index,
    box: f.box,
    score: Math.min(1, Math.max(0, f.score)),
    landmarks: f.landmarks.map((pt) => [pt.x, pt.y] as [number, number]),
    estimatedAge: f.age,
  };
}

function num(v: L.JsonValue | undefined, fallback: number): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : fallback;
}

export function modelDto(m: L.ModelWithLineage): ModelSummary {
  const range = m.config.ageRange;
  const ageRange: [number, number] =
    Array.isArray(range) && typeof range[0] === 'number' && typeof range[1] === 'number' ? [range[0], range[1]] : [0, 100];
  const metrics: Record<string, number> = {};
  for (const [k, v] of Object.entries(m.metrics)) if (typeof v === 'number' && Number.isFinite(v)) metrics[k] = v;
  const origin = m.isBase ? 'shipped' : m.config.origin === 'trained' || m.parentId === null ? 'trained' : 'fine-tuned';
  return {
    id: String(m.id),
    name: m.name,
    kind: m.kind,
    origin,
    parentId: m.parentId === null ? null : String(m.parentId),
    // The library lists ancestors parent-first; the contract wants root-first.
    lineage: [...m.lineage].reverse().map((a) => ({ id: String(a.id), name: a.name })),
    createdAt: iso(m.createdAt),
    ageRange,
    resolution: Math.max(1, Math.round(num(m.config.resolution, 128))),
    trainingSteps: Math.max(0, Math.round(num(m.config.steps, 0))),
    metrics,
  };
}

export function runDto(r: L.Run, lastLosses: Record<string, number> = {}): Run {
  const name = typeof r.config.name === 'string' ? r.config.name : `${r.kind} run ${r.id}`;
  const kind = r.config.fineTune === true ? 'fine-tune' : r.kind;
  return {
    runId: String(r.id),
    kind,
    // 'interrupted' (its training process or the studio died mid-run) can be resumed.
    state: r.status,
    name,
    baseModelId: r.parentModelId === null ? null : String(r.parentModelId),
    outputModelId: r.outputModelId === null ? null : String(r.outputModelId),
    step: r.step,
    steps: r.totalSteps,
    startedAt: isoOrNull(r.startedAt),
    finishedAt: r.status === 'completed' || r.status === 'failed' || r.status === 'cancelled' ? iso(r.updatedAt) : null,
    lastLosses,
    error: r.status === 'interrupted' ? (r.error ?? 'interrupted when the studio closed; resume continues from the last checkpoint') : r.error,
  };
}
