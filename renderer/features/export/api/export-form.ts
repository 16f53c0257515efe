/** The export form as plain data, its validation, and the contract request it turns into. */
import type { ExportStartRequest } from '../../../../preload/contract';

export type ExportFormat = 'png' | 'jpeg' | 'webp';
export type ExportLayout = 'files' | 'contact-sheet' | 'animated-timeline';

export interface ExportForm {
  photoIds: string[];
  ages: number[];
  modelId: string | null;
  allFaces: boolean;
  format: ExportFormat;
  quality: number;
  layout: ExportLayout;
  frameMs: number;
  /** Copy GPS/location metadata into the outputs (off unless asked). */
  keepLocation: boolean;
}

export const PRESET_AGES = [5, 10, 20, 30, 40, 50, 60, 70, 80, 90] as const;

export const DEFAULT_FORM: ExportForm = {
  photoIds: [],
  ages: [30, 60],
  modelId: null,
  allFaces: true,
  format: 'jpeg',
  quality: 92,
  layout: 'files',
  frameMs: 400,
  keepLocation: false,
};

/**
 * The age chips the form shows: the presets, the Age slider's age, and any other chosen age, so
 * every age that is counted is on screen (and can be switched off).
 */
export function ageChoices(ages: readonly number[], sliderAge: number | null): number[] {
  const all = new Set<number>([...PRESET_AGES, ...ages, ...(sliderAge === null ? [] : [sliderAge])]);
  return [...all].sort((a, b) => a - b);
}

export function toggleAge(ages: readonly number[], age: number): number[] {
  return ages.includes(age) ? ages.filter((a) => a !== age) : [...ages, age].sort((a, b) => a - b);
}

/** Formats that make sense per layout: an animated timeline needs an animated format. */
export function formatsFor(layout: ExportLayout): ExportFormat[] {
  return layout === 'animated-timeline' ? ['webp'] : ['jpeg', 'png', 'webp'];
}

/** Problems that block starting, in words; empty when the form is ready. */
export function validateExport(f: ExportForm): string[] {
  const out: string[] = [];
  if (f.photoIds.length === 0) out.push('Pick at least one photo.');
  if (f.ages.length === 0) out.push('Pick at least one target age.');
  if (f.ages.length > 32) out.push('At most 32 ages per export.');
  if (!f.modelId) out.push('Pick a model.');
  if (f.layout === 'animated-timeline' && f.ages.length < 2) out.push('An animated timeline needs two or more ages.');
  if (!formatsFor(f.layout).includes(f.format)) out.push(`${f.format.toUpperCase()} cannot hold this layout.`);
  return out;
}

/** How many images the export writes (a timeline per face: counted per photo until faces are known). */
export function outputCount(f: ExportForm): number {
  if (f.layout === 'files') return f.photoIds.length * f.ages.length;
  if (f.layout === 'contact-sheet') return f.photoIds.length > 0 ? 1 : 0;
  return f.photoIds.length;
}

export function toRequest(f: ExportForm, destination: ExportStartRequest['destination']): ExportStartRequest {
  if (!f.modelId) throw new Error('no model');
  return {
    photoIds: f.photoIds,
    ages: [...f.ages].sort((a, b) => a - b),
    modelId: f.modelId,
    faces: f.allFaces ? 'all' : 0,
    format: f.format,
    quality: Math.round(Math.min(100, Math.max(1, f.quality))),
    layout: f.layout,
    frameMs: f.frameMs,
    keepLocation: f.layout === 'files' && f.keepLocation,
    destination,
  };
}
