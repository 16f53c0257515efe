/**
 * A minimal WebAssembly binary encoder for the hand-written SIMD kernels (simd-module.ts,
 * simd-winograd.ts): LEB128, sections, and the handful of instructions they use.
 */

export function uleb(v: number): number[] {
  const out: number[] = [];
  do {
    let b = v & 0x7f;
    v >>>= 7;
    if (v !== 0) b |= 0x80;
    out.push(b);
  } while (v !== 0);
  return out;
}

export function sleb(v: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

export const str = (s: string) => [...uleb(s.length), ...Buffer.from(s, 'utf8')];
export const vec = (items: number[][]) => [...uleb(items.length), ...items.flat()];
export const section = (id: number, body: number[]) => [id, ...uleb(body.length), ...body];

export const I32 = 0x7f;
export const F32 = 0x7d;
export const V128 = 0x7b;

export const get = (i: number) => [0x20, ...uleb(i)];
export const set = (i: number) => [0x21, ...uleb(i)];
export const tee = (i: number) => [0x22, ...uleb(i)];
export const i32c = (v: number) => [0x41, ...sleb(v)];
export const ADD = [0x6a];
export const MUL = [0x6c];
export const LT_U = [0x49];
export const LOOP = [0x03, 0x40];
export const END = [0x0b];
export const BR_IF0 = [0x0d, 0x00];
export const simd = (op: number) => [0xfd, ...uleb(op)];
export const VLOAD = [...simd(0x00), 2, 0]; // align hint 4 bytes (tensors are 4-byte aligned), offset 0
export const VSTORE = [...simd(0x0b), 2, 0];
export const FADD = simd(0xe4);
export const FSUB = simd(0xe5);
export const FMUL = simd(0xe6);
export const FNEG = simd(0xe1);
export const FGT = simd(0x44);
export const SPLAT = simd(0x13);
export const BITSELECT = simd(0x52);
export const VZERO = [...simd(0x0c), ...new Array(16).fill(0)];
export const VLOAD_HI = [...simd(0x00), 2, 16]; // offset 16: the second f64x2 of a 4-channel group
export const VSTORE_HI = [...simd(0x0b), 2, 16];
export const DADD = simd(0xf0);
export const PROMOTE_LO = simd(0x5f); // f64x2.promote_low_f32x4
export const SWAP_HALVES = [...simd(0x0d), 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7]; // i8x16.shuffle
export const SHL = [0x74];

export const LOAD_I32 = (offset: number) => [0x28, 2, ...uleb(offset)];
export const vload = (offset: number) => [...simd(0x00), 2, ...uleb(offset)];
export const vstore = (offset: number) => [...simd(0x0b), 2, ...uleb(offset)];
export const F32_CONST = (v: number) => [0x43, ...new Uint8Array(new Float32Array([v]).buffer)];

/** Emits a do-while loop: body, then `counter += step; br_if counter < limit` (counter/limit: locals). */
export function doWhile(counter: number, step: number[], limit: number, body: number[]): number[] {
  return [...LOOP, ...body, ...get(counter), ...step, ...ADD, ...tee(counter), ...get(limit), ...LT_U, ...BR_IF0, ...END];
}
