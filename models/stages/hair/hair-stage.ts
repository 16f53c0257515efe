/**
 * The hair stage: scalp hair, eyebrows and beard grey with the target age (and grey hair darkens
 * when made young); a beard fades for child targets. It edits only pixels that are hair:
 *
 *   where   scalp: the person (a segmentation mask, when given) above and beside the face outline;
 *           brows: a band along the brow landmarks; beard: the jaw area below the nose, outside
 *           the lips;
 *   what    pixels darker or much less colourful than the person's skin (measured on the cheeks),
 *           so skin inside those regions stays;
 *   how     toward a silver grey that keeps each pixel's own light and dark strands (its luminance
 *           around the hair's mean), by how much greyer the target age is than the source:
 *           grey(a) = smoothstep((a - onset) / span), per region.
 *
 * Works on [-1, 1] RGB crops in place, [S, S, 3], with the shape the face has in that crop.
 */
import { gaussianBlur } from '../../recipes/prototype/filters';
import { insidePolygon, LANDMARK_COUNT } from '../shape/face-points';

export interface HairOptions {
  /** 0 turns the stage off; 1 greys fully at old age. */
  strength: number;
  /** Age at which greying starts and the years until it is complete (scalp; brows and beard follow). */
  onset: number;
  span: number;
  /** Target age under which a beard is gone (fading from 4 years above it). */
  beardlessUnder: number;
}

export const DEFAULT_HAIR: HairOptions = { strength: 0.85, onset: 38, span: 40, beardlessUnder: 13 };

const smooth = (t: number) => {
  const x = Math.min(1, Math.max(0, t));
  return x * x * (3 - 2 * x);
};

/** Weight of the hair change by distance from the crop's edge: 0 in the outer 2%, full from 10%. */
export function hairEdgeFade(u: number, v: number): number {
  return smooth((Math.min(u, v, 1 - u, 1 - v) - 0.02) / 0.08);
}

/** How grey hair is at `age` (0 to 1). */
export function greyAt(age: number, o: HairOptions, delay = 0): number {
  return smooth((age - o.onset - delay) / o.span);
}

interface Skin {
  y: number;
  cb: number;
  cr: number;
}

/** Luminance of pixel p of an RGB array. */
const luma = (img: Float32Array, p: number) => 0.299 * img[3 * p] + 0.587 * img[3 * p + 1] + 0.114 * img[3 * p + 2];

const ycc = (r: number, g: number, b: number) => {
  const y = 0.299 * r + 0.587 * g + 0.114 * b;
  return [y, b - y, r - y] as const;
};

/**
 * The skin's colour, from the cheeks (points a third of the way from the jaw toward the nose, and
 * under the eyes): the median of each channel (robust to a shadow or a highlight among them).
 */
function skinOf(img: Float32Array, S: number, shape: ArrayLike<number>): Skin {
  const samples: Array<readonly [number, number, number]> = [];
  const pt = (i: number) => [shape[2 * i], shape[2 * i + 1]];
  for (const [a, b] of [[2, 31], [3, 31], [14, 35], [13, 35], [41, 2], [46, 14]]) {
    const [ax, ay] = pt(a);
    const [bx, by] = pt(b);
    for (const t of [0.3, 0.45, 0.6]) {
      const x = Math.round((ax + (bx - ax) * t) * S);
      const y = Math.round((ay + (by - ay) * t) * S);
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const xx = Math.min(S - 1, Math.max(0, x + dx));
          const yy = Math.min(S - 1, Math.max(0, y + dy));
          const o = (yy * S + xx) * 3;
          samples.push(ycc(img[o], img[o + 1], img[o + 2]));
        }
      }
    }
  }
  const median = (xs: number[]) => {
    const s = [...xs].sort((p, q) => p - q);
    return s[Math.floor(s.length / 2)];
  };
  const m = [0, 1, 2].map((k) => median(samples.map((v) => v[k])));
  return { y: m[0], cb: m[1], cr: m[2] };
}

function distToSegment(u: number, v: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax, dy = by - ay;
  const t = Math.max(0, Math.min(1, ((u - ax) * dx + (v - ay) * dy) / (dx * dx + dy * dy || 1)));
  const ex = u - ax - t * dx;
  const ey = v - ay - t * dy;
  return Math.sqrt(ex * ex + ey * ey);
}

/**
 * Region weights per pixel: [scalp, brows, beard] in [0, 1], from the shape (and the person mask
 * for the scalp, when given; without it the scalp region is left alone, since a wall behind the head
 * cannot be told from hair by colour alone).
 */
export function hairRegions(S: number, shape: ArrayLike<number>, person: Float32Array | null): Float32Array {
  const pt = (i: number): [number, number] => [shape[2 * i], shape[2 * i + 1]];
  const jaw: Array<[number, number]> = [];
  for (let i = 0; i <= 16; i++) jaw.push(pt(i));
  const browY = Math.min(...[17, 18, 19, 20, 21, 22, 23, 24, 25, 26].map((i) => shape[2 * i + 1]));
  const chinY = shape[2 * 8 + 1];
  // Above this the scalp region starts (hair-ness keeps forehead skin there unchanged).
  const faceTop = browY - 0.35 * (chinY - browY);
  const outline: Array<[number, number]> = [...jaw, [pt(16)[0], faceTop], [pt(0)[0], faceTop]];
  const mouth: Array<[number, number]> = [];
  for (let i = 48; i <= 59; i++) mouth.push(pt(i));
  const mouthC = mouth.reduce((s, p) => [s[0] + p[0] / 12, s[1] + p[1] / 12], [0, 0]);
  const mouthBig = mouth.map(([x, y]) => [mouthC[0] + (x - mouthC[0]) * 1.3, mouthC[1] + (y - mouthC[1]) * 1.8] as [number, number]);
  const noseY = shape[2 * 33 + 1];
  const eyeD = Math.hypot(shape[2 * 45] - shape[2 * 36], shape[2 * 45 + 1] - shape[2 * 36 + 1]);
  const underJaw: Array<[number, number]> = [];
  for (let i = 3; i <= 13; i++) underJaw.push(pt(i));
  for (let i = 13; i >= 3; i--) underJaw.push([pt(i)[0], pt(i)[1] + 0.4 * eyeD * Math.sin((Math.PI * (i - 3)) / 10)]);
  const chinArea: Array<[number, number]> = [...jaw, [pt(16)[0], noseY], [pt(0)[0], noseY]];
  const out = new Float32Array(S * S * 3);
  for (let y = 0; y < S; y++) {
    const v = (y + 0.5) / S;
    for (let x = 0; x < S; x++) {
      const u = (x + 0.5) / S;
      const p = y * S + x;
      const inFace = insidePolygon(u, v, outline);
      // Scalp: the person, outside the face outline, near it (the hairline and temples: the crop
      // holds only part of the hair, and greying a band of long hair beside the face drew grey
      // stripes), fading out below the eyes.
      if (person && !inFace) {
        let d = Infinity;
        for (let i = 0; i < outline.length; i++) d = Math.min(d, distToSegment(u, v, ...outline[i], ...outline[(i + 1) % outline.length]));
        out[3 * p] = person[p] * smooth(1 - (d - 0.15 * eyeD) / (0.5 * eyeD)) * smooth((noseY - v) / (0.4 * eyeD));
      }
      // Brows: the landmarks trace the brows' upper edge, so the band lies along a line 0.07 eye
      // distances below it, 0.08 to each side at full weight.
      let d = Infinity;
      const drop = 0.07 * eyeD;
      for (let i = 17; i < 26; i++) if (i !== 21) d = Math.min(d, distToSegment(u, v - drop, ...pt(i), ...pt(i + 1)));
      out[3 * p + 1] = smooth(1 - (d - 0.08 * eyeD) / (0.06 * eyeD));
      // Beard: inside the jaw below the nose, and a band under the jaw line; not the lips.
      if (v > noseY && !insidePolygon(u, v, mouthBig) && (insidePolygon(u, v, chinArea) || insidePolygon(u, v, underJaw))) out[3 * p + 2] = 1;
    }
  }
  // Soft region edges: a hard polygon edge across a beard or a hairline would show as a seam.
  return gaussianBlur(out, S, Math.max(1, S / 50), 3);
}

/**
 * Whether the person's hair falls beside the face below the nose (long hair): most of the person
 * there, beside the jaw and down to the chin, is hair (darker than the skin).
 */
function longHair(px: Float32Array, S: number, shape: ArrayLike<number>, person: Float32Array, skin: Skin): boolean {
  const noseY = shape[2 * 33 + 1];
  const chinY = shape[2 * 8 + 1];
  const left = shape[2 * 2];
  const right = shape[2 * 14];
  const eyeD = Math.abs(shape[2 * 45] - shape[2 * 36]);
  let personW = 0;
  let hairW = 0;
  for (let y = Math.max(0, Math.floor(noseY * S)); y < Math.min(S, chinY * S); y++) {
    for (let x = 0; x < S; x++) {
      const u = (x + 0.5) / S;
      const d = u < left ? left - u : u > right ? u - right : -1;
      if (d < 0.1 * eyeD || d > 0.6 * eyeD) continue;
      const p = y * S + x;
      personW += person[p];
      hairW += person[p] * smooth((skin.y - luma(px, p) - 25) / 35);
    }
  }
  return personW > 0 && hairW / personW > 0.45;
}

/** Side at which smooth maps (regions, the skin field) are computed before being enlarged. */
const COARSE = 96;

/**
 * Resamples an image of `from` x `from` pixels to `to` x `to`: box-averaged when shrinking,
 * bilinear (pixel centres) when enlarging.
 */
export function resize(src: Float32Array, from: number, to: number, channels: number): Float32Array {
  if (from === to) return src;
  const out = new Float32Array(to * to * channels);
  const f = from / to;
  if (to < from) {
    for (let y = 0; y < to; y++) {
      const y0 = Math.floor(y * f), y1 = Math.max(y0 + 1, Math.floor((y + 1) * f));
      for (let x = 0; x < to; x++) {
        const x0 = Math.floor(x * f), x1 = Math.max(x0 + 1, Math.floor((x + 1) * f));
        const o = (y * to + x) * channels;
        for (let yy = y0; yy < y1; yy++) for (let xx = x0; xx < x1; xx++) for (let k = 0; k < channels; k++) out[o + k] += src[(yy * from + xx) * channels + k];
        const area = (y1 - y0) * (x1 - x0);
        for (let k = 0; k < channels; k++) out[o + k] /= area;
      }
    }
    return out;
  }
  for (let y = 0; y < to; y++) {
    const sy = Math.min(from - 1, Math.max(0, (y + 0.5) * f - 0.5));
    const y0 = Math.floor(sy), y1 = Math.min(from - 1, y0 + 1), ty = sy - y0;
    for (let x = 0; x < to; x++) {
      const sx = Math.min(from - 1, Math.max(0, (x + 0.5) * f - 0.5));
      const x0 = Math.floor(sx), x1 = Math.min(from - 1, x0 + 1), tx = sx - x0;
      const o = (y * to + x) * channels;
      for (let k = 0; k < channels; k++) {
        const a = src[(y0 * from + x0) * channels + k] * (1 - tx) + src[(y0 * from + x1) * channels + k] * tx;
        const b = src[(y1 * from + x0) * channels + k] * (1 - tx) + src[(y1 * from + x1) * channels + k] * tx;
        out[o + k] = a * (1 - ty) + b * ty;
      }
    }
  }
  return out;
}

/**
 * hairRegions at a coarse size, enlarged: the regions are soft (blurred by S / 50), and drawing
 * them at a 512 px crop's full size cost most of a slider step.
 */
function smoothRegions(S: number, shape: ArrayLike<number>, person: Float32Array | null): Float32Array {
  const R = Math.min(S, COARSE);
  if (R === S) return hairRegions(S, shape, person);
  return resize(hairRegions(R, shape, person ? resize(person, S, R, 1) : null), R, S, 3);
}

/**
 * Greys (or darkens) hair in `img` ([-1, 1] RGB, S x S) in place; `person` is the segmentation's
 * person probability per pixel (null: scalp hair is left alone).
 */
export function hairChange(
  img: Float32Array,
  S: number,
  shape: ArrayLike<number>,
  sourceAge: number,
  targetAge: number,
  greyscale: boolean,
  o: HairOptions,
  person: Float32Array | null = null,
): void {
  if (o.strength <= 0 || shape.length < LANDMARK_COUNT * 2) return;
  const scalp = o.strength * (greyAt(targetAge, o) - greyAt(sourceAge, o));
  const brows = o.strength * (greyAt(targetAge, o, 12) - greyAt(sourceAge, o, 12));
  const beard = o.strength * (greyAt(targetAge, o, -3) - greyAt(sourceAge, o, -3));
  const fade = targetAge < sourceAge ? smooth((o.beardlessUnder + 4 - targetAge) / 4) : 0;
  if (Math.abs(scalp) < 0.01 && Math.abs(brows) < 0.01 && Math.abs(beard) < 0.01 && fade === 0) return;
  // Work in grey levels.
  const g = (v: number) => (v + 1) * 127.5;
  const px = new Float32Array(img.length);
  for (let i = 0; i < img.length; i++) px[i] = g(img[i]);
  const skin = skinOf(px, S, shape);
  const regions = smoothRegions(S, shape, person);
  if (person && longHair(px, S, shape, person, skin)) {
    // Hair that falls beside the face past the crop cannot be greyed as a whole here: greying the
    // part inside drew grey stripes down dark hair, and a hairline band alone grey spots at the
    // temples. Long hair keeps its colour; brows and beard still change.
    for (let p = 0; p < S * S; p++) regions[3 * p] = 0;
  }
  // Hair-ness: darker than the skin, or much less colourful than it (dark, grey and white hair all
  // are; skin has a distinct warm chroma whatever its tone).
  const hairness = new Float32Array(S * S);
  const paleness = new Float32Array(S * S);
  const hairY = [0, 0, 0];
  const hairW = [0, 0, 0];
  const skinChroma = Math.max(6, Math.hypot(skin.cb, skin.cr));
  for (let p = 0; p < S * S; p++) {
    // Outside every region nothing changes (unless a beard is shaved, which reaches under the jaw).
    if (fade === 0 && regions[3 * p] + regions[3 * p + 1] + regions[3 * p + 2] < 1e-3) continue;
    const y = luma(px, p);
    const cb = px[3 * p + 2] - y;
    const cr = px[3 * p] - y;
    // Hair to grey is darker than the skin (a shadow or a highlight on skin is not); hair that is
    // already grey (pale: light and colourless) is what a younger target darkens.
    const dark = smooth((skin.y - y - 25) / 35);
    const pale = smooth((0.45 - Math.sqrt(cb * cb + cr * cr) / skinChroma) / 0.25) * smooth((y - skin.y + 10) / 30);
    hairness[p] = dark;
    paleness[p] = pale;
    for (let k = 0; k < 3; k++) {
      const w = hairness[p] * regions[3 * p + k];
      hairY[k] += w * y;
      hairW[k] += w;
    }
  }
  const meanOf = hairY.map((v, k) => (hairW[k] > 0 ? v / hairW[k] : skin.y));
  // Is there a beard at all? Shadows of a smile or a stubble line cover a small part of the chin
  // area; a beard or moustache covers much of it.
  let chin = 0;
  let chinHair = 0;
  for (let p = 0; p < S * S; p++) {
    chin += regions[3 * p + 2];
    chinHair += regions[3 * p + 2] * hairness[p];
  }
  const bearded = chin > 0 ? smooth((chinHair / chin - 0.3) / 0.25) : 0;
  // Darkening grey hair (a younger target) only for a head that is clearly grey: a forehead's
  // highlight is also light and colourless, and must not turn brown.
  let scalpPx = 0;
  let scalpPale = 0;
  for (let p = 0; p < S * S; p++) {
    scalpPx += regions[3 * p];
    scalpPale += regions[3 * p] * paleness[p];
  }
  const greyHead = scalpPx > 0 ? smooth((scalpPale / scalpPx - 0.25) / 0.2) : 0;
  if (fade > 0 && bearded > 0) shaveBeard(img, px, S, shape, regions, hairness, skin, bearded * fade);
  for (let p = 0; p < S * S; p++) {
    // Toward the crop's edge the change fades out, so hair that continues beyond the crop meets
    // its unchanged part gradually, not at a line.
    if (hairness[p] === 0 && paleness[p] === 0) continue;
    const edge = hairEdgeFade(((p % S) + 0.5) / S, (Math.floor(p / S) + 0.5) / S);
    if (edge === 0) continue;
    // A beard is darker than the skin (or grey): a white collar under the jaw is not one.
    const beardW = bearded * regions[3 * p + 2] * (luma(px, p) < skin.y + 15 ? 1 : 0);
    const greying = edge * Math.max(0, regions[3 * p] * scalp + regions[3 * p + 1] * brows + beardW * beard) * hairness[p];
    const darkening = edge * greyHead * Math.max(0, -(regions[3 * p] * scalp + regions[3 * p + 1] * brows)) * paleness[p];
    if (greying <= 0 && darkening <= 0) continue;
    const r = px[3 * p], gg = px[3 * p + 1], b = px[3 * p + 2];
    const y = 0.299 * r + 0.587 * gg + 0.114 * b;
    const rw = regions[3 * p] + regions[3 * p + 1] + regions[3 * p + 2];
    const meanY = rw > 0 ? (regions[3 * p] * meanOf[0] + regions[3 * p + 1] * meanOf[1] + regions[3 * p + 2] * meanOf[2]) / rw : skin.y;
    let nr = r, ng = gg, nb = b;
    if (greying > 0) {
      // Silver: the hair's mean lifted toward light grey, each strand keeping its contrast.
      const silver = Math.min(235, 175 + 0.9 * (y - meanY));
      const t = Math.min(1, greying);
      nr = r + (silver - r) * t;
      ng = gg + (silver - gg) * t;
      nb = b + (silver + 4 - b) * t;
    } else if (darkening > 0) {
      // Younger: grey hair darkens toward a dark brown, keeping its strands.
      const t = Math.min(1, darkening);
      const dark = 60 + 0.5 * (y - 170);
      nr = r + (dark + 10 - r) * t;
      ng = gg + (dark - gg) * t;
      nb = b + (dark - 8 - b) * t;
    }
    if (greyscale) {
      const yy = 0.299 * nr + 0.587 * ng + 0.114 * nb;
      nr = ng = nb = yy;
    }
    img[3 * p] = nr / 127.5 - 1;
    img[3 * p + 1] = ng / 127.5 - 1;
    img[3 * p + 2] = nb / 127.5 - 1;
  }
}

/**
 * A child's chin: the beard is replaced by the skin around it. The skin colour at each pixel is a
 * normalised convolution of the face's non-hair pixels (their blur over the blur of their weight),
 * so cheeks, upper lip and chin shading carry smoothly into where the beard was; the beard's mask is
 * blurred and widened, so its ragged edge and the stubble around it go too. Edits `img` ([-1, 1])
 * in place; `px` is the same image in grey levels, before any change.
 */
function shaveBeard(
  img: Float32Array,
  px: Float32Array,
  S: number,
  shape: ArrayLike<number>,
  regions: Float32Array,
  hairness: Float32Array,
  skin: Skin,
  amount: number,
): void {
  const n = S * S;
  const beard = new Float32Array(n);
  const weight = new Float32Array(n);
  const jaw: Array<[number, number]> = [];
  for (let i = 0; i <= 16; i++) jaw.push([shape[2 * i], shape[2 * i + 1]]);
  const below = new Float32Array(n);
  const skinChroma = Math.max(6, Math.hypot(skin.cb, skin.cr));
  // A full beard hangs further below the jaw than the greying region reaches (a collar there must
  // not grey); where a child's neck will be, all of it goes.
  const eyeD = Math.hypot(shape[2 * 45] - shape[2 * 36], shape[2 * 45 + 1] - shape[2 * 36 + 1]);
  const deep: Array<[number, number]> = [];
  for (let i = 3; i <= 13; i++) deep.push([shape[2 * i], shape[2 * i + 1]]);
  for (let i = 13; i >= 3; i--) deep.push([shape[2 * i], shape[2 * i + 1] + 1.3 * eyeD * Math.sin((Math.PI * (i - 3)) / 10)]);
  for (let p = 0; p < n; p++) {
    const u = ((p % S) + 0.5) / S;
    const v = (Math.floor(p / S) + 0.5) / S;
    below[p] = insidePolygon(u, v, jaw) ? 0 : 1;
    beard[p] = Math.max(regions[3 * p + 2], below[p] && insidePolygon(u, v, deep) ? 1 : 0) * hairness[p];
    // Skin: not hair, not much darker than the cheeks (nostrils, lips' shadow), of the cheeks'
    // colour (not a blue or white background beside the face), inside the jaw.
    const y = luma(px, p);
    const dcb = px[3 * p + 2] - y - skin.cb;
    const dcr = px[3 * p] - y - skin.cr;
    const chromaOff = Math.sqrt(dcb * dcb + dcr * dcr) / skinChroma;
    weight[p] = (1 - hairness[p]) * smooth((y - skin.y + 30) / 20) * smooth((0.8 - chromaOff) / 0.4) * (1 - below[p]);
  }
  // Under the jaw a child's chin casts its shadow on the neck: the skin there is darker.
  const shade = gaussianBlur(below, S, Math.max(1, S / 40), 1);
  const mask = gaussianBlur(beard, S, Math.max(1, S / 60), 1);
  // The field is smooth (a blur of S / 14): computed at a coarse size and enlarged.
  const R = Math.min(S, COARSE);
  const wide = R / 14;
  const weighted = new Float32Array(n * 4);
  for (let p = 0; p < n; p++) {
    for (let k = 0; k < 3; k++) weighted[4 * p + k] = px[3 * p + k] * weight[p];
    weighted[4 * p + 3] = weight[p];
  }
  const blurred = resize(gaussianBlur(resize(weighted, S, R, 4), R, wide, 4), R, S, 4);
  const wsum = new Float32Array(n);
  const field = new Float32Array(n * 3);
  for (let p = 0; p < n; p++) {
    wsum[p] = blurred[4 * p + 3];
    for (let k = 0; k < 3; k++) field[3 * p + k] = blurred[4 * p + k];
  }
  for (let p = 0; p < n; p++) {
    const m = Math.min(1, 1.8 * mask[p]) * amount * hairEdgeFade(((p % S) + 0.5) / S, (Math.floor(p / S) + 0.5) / S);
    if (m <= 0.002) continue;
    const w = wsum[p];
    for (let k = 0; k < 3; k++) {
      // Where no skin is near (a beard filling the whole lower crop), the cheeks' median colour.
      const skinK = k === 0 ? skin.y + skin.cr : k === 2 ? skin.y + skin.cb : (skin.y - 0.299 * (skin.y + skin.cr) - 0.114 * (skin.y + skin.cb)) / 0.587;
      const local = w > 0.05 ? field[3 * p + k] / w : skinK;
      const lit = w > 0.05 && w < 0.2 ? local + (skinK - local) * (0.2 - w) / 0.15 : local;
      const target = lit * (1 - 0.3 * shade[p]);
      const v = px[3 * p + k] + (target - px[3 * p + k]) * m;
      img[3 * p + k] = v / 127.5 - 1;
    }
  }
}
