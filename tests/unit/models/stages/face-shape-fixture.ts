import { SHAPE_LENGTH } from '../../../../models/stages/shape/face-points';

/** A plausible face shape: an oval of 68 points with eyes, nose and mouth where the template puts them. */
export function faceShape(chinY = 0.88, eyeScale = 1): Float32Array {
  const s = new Float32Array(SHAPE_LENGTH);
  const set = (i: number, x: number, y: number) => {
    s[2 * i] = x;
    s[2 * i + 1] = y;
  };
  for (let i = 0; i <= 16; i++) {
    const a = Math.PI * (i / 16);
    set(i, 0.5 - 0.33 * Math.cos(a), 0.4 + (chinY - 0.4) * Math.sin(a));
  }
  for (let i = 0; i < 5; i++) {
    set(17 + i, 0.25 + 0.05 * i, 0.3 - 0.01 * Math.sin((Math.PI * i) / 4));
    set(22 + i, 0.55 + 0.05 * i, 0.3 - 0.01 * Math.sin((Math.PI * (4 - i)) / 4));
  }
  for (let i = 0; i < 4; i++) set(27 + i, 0.5, 0.4 + 0.06 * i);
  for (let i = 0; i < 5; i++) set(31 + i, 0.44 + 0.03 * i, 0.62);
  const eye = (from: number, cx: number) => {
    for (let i = 0; i < 6; i++) {
      const a = (2 * Math.PI * i) / 6;
      set(from + i, cx - 0.05 * eyeScale * Math.cos(a), 0.38 - 0.02 * eyeScale * Math.sin(a));
    }
  };
  eye(36, 0.34);
  eye(42, 0.66);
  for (let i = 0; i < 12; i++) {
    const a = (2 * Math.PI * i) / 12;
    set(48 + i, 0.5 - 0.13 * Math.cos(a), 0.72 - 0.03 * Math.sin(a));
  }
  for (let i = 0; i < 8; i++) {
    const a = (2 * Math.PI * i) / 8;
    set(60 + i, 0.5 - 0.1 * Math.cos(a), 0.72 - 0.01 * Math.sin(a));
  }
  return s;
}

