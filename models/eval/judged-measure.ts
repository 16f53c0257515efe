/**
 * One crop, every judge: the R x R crop (uint8 RGB) is upsampled once to MEASURE_SIZE (measure.ts)
 * and handed to each judge; optionally face-api's landmark net gives its 68 points (unit crop
 * coordinates, x,y interleaved) for the shape metric.
 */
import { detectLandmarks } from '../face/landmarks';
import { CANONICAL_FACE_RECT } from '../face/template';
import { resizeImage } from '../image/image-io';
import type { Judge, JudgeMeasurement } from './judges/judge';
import { MEASURE_SIZE } from './measure';

export interface JudgedCrop {
  /** The crop at MEASURE_SIZE that every judge saw. */
  measured: Uint8Array;
  byJudge: Record<string, JudgeMeasurement>;
  /** 136 numbers when landmarks were asked for. */
  landmarks: Float64Array | null;
}

/** 68 landmarks of a canonical crop in unit coordinates (two passes, from the face's usual square). */
export async function cropLandmarks(data: Uint8Array, size: number): Promise<Float64Array> {
  const r = CANONICAL_FACE_RECT;
  const pts = await detectLandmarks({ width: size, height: size, data }, { x: r.x * size, y: r.y * size, width: r.width * size, height: r.height * size });
  const out = new Float64Array(136);
  pts.forEach((p, i) => {
    out[2 * i] = p.x / size;
    out[2 * i + 1] = p.y / size;
  });
  return out;
}

export async function measureWithJudges(bytes: Uint8Array, size: number, judges: readonly Judge[], opts: { landmarks?: boolean } = {}): Promise<JudgedCrop> {
  const measured = size === MEASURE_SIZE ? bytes : (await resizeImage({ width: size, height: size, data: bytes }, MEASURE_SIZE, MEASURE_SIZE)).data;
  const crop = { size: MEASURE_SIZE, data: measured };
  const byJudge: Record<string, JudgeMeasurement> = {};
  for (const j of judges) byJudge[j.name] = await j.measure(crop);
  return { measured, byJudge, landmarks: opts.landmarks ? await cropLandmarks(measured, MEASURE_SIZE) : null };
}
