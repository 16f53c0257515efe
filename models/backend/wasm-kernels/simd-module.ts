/**
 * A small hand-assembled WebAssembly SIMD module that works directly on tfjs-wasm's heap (it
 * imports the backend's own Memory), for the per-channel loops of our fused kernels. The same
 * loops in JS over HEAPF32 ran at 2.5-10 ns per value (instance norm 5 ms, its gradient 11 ms per
 * million values, single-threaded even with a 2-thread pool); here they run 4 lanes at a time.
 *
 * Layout of every "channel" kernel: a per-pixel tensor [npix, C] (C % 4 == 0, cb = C * 4 bytes)
 * and per-channel vectors [C] (float32, or float64 for the sums: "out64"); all pointers and sizes
 * are in bytes. Kernels:
 *   colsum(x, npix, cb, out64)                  out64[k] += sum_p x[p, k]
 *   colsqdev(x, npix, cb, mean, out64)          out64[k] += sum_p (x[p, k] - mean[k])^2
 *   affine(x, npix, cb, scale, shift, y)        y[p, k] = x[p, k] * scale[k] + shift[k]
 *   colsum2(g, y, npix, cb, o1_64, o2_64)       o1[k] += sum_p g[p, k];  o2[k] += sum_p g[p, k] * y[p, k]
 *   ingrad(g, y, npix, cb, a, b, c, dx)         dx[p, k] = (g[p, k] - b[k] - y[p, k] * c[k]) * a[k]
 *   lrelugrad(g, x, nb, alpha, dx)              dx[i] = x[i] > 0 ? g[i] : alpha * g[i]  (nb % 16 == 0)
 *   winoIn3/4, winoOut3/4, winoFilter3/4, winoDy3/4, winoGradOut3/4: Winograd F(2x2, 3x3 / 4x4) (simd-winograd.ts)
 * Sums accumulate in float64 (each float32 lane pair promoted), like the JS loops they replace:
 * with float32 accumulators the exactly-zero gradient of a bias before an instance norm came out
 * as rounding noise several times larger than the cpu backend's.
 */

import { uleb, str, vec, section, I32, F32, V128, get, set, tee, i32c, ADD, MUL, LT_U, LOOP, END, BR_IF0, VLOAD, VSTORE, FADD, FSUB, FMUL, FGT, SPLAT, BITSELECT, VZERO, VLOAD_HI, VSTORE_HI, DADD, PROMOTE_LO, SWAP_HALVES, SHL } from './simd-asm';
import { winogradFunctions } from './simd-winograd';

export interface SimdKernels {
  colsum(x: number, npix: number, cb: number, out: number): void;
  colsqdev(x: number, npix: number, cb: number, mean: number, out: number): void;
  affine(x: number, npix: number, cb: number, scale: number, shift: number, y: number): void;
  colsum2(g: number, y: number, npix: number, cb: number, o1: number, o2: number): void;
  ingrad(g: number, y: number, npix: number, cb: number, a: number, b: number, c: number, dx: number): void;
  lrelugrad(g: number, x: number, nb: number, alpha: number, dx: number): void;
}

/** The Winograd F(2x2, rxr) transforms for r = 3 or 4 (simd-winograd.ts; exported as winoIn3 etc.). */
export interface WinogradKernels {
  winoIn(x: number, rowBytes: number, cb: number, tilesY: number, tilesX: number, table: number): void;
  winoOut(table: number, kb: number, tilesY: number, tilesX: number, bias: number, y: number, rowBytes: number): void;
  winoFilter(g: number, c: number, kb: number, table: number): void;
  winoDy(dy: number, rowBytes: number, kb: number, tilesY: number, tilesX: number, table: number): void;
  winoGradOut(table: number, c: number, kb: number, dw: number): void;
}

export const WINOGRAD_SIZES = [3, 4] as const;

export function winogradKernels(k: SimdKernels, r: number): WinogradKernels | null {
  const ex = k as unknown as Record<string, WinogradKernels[keyof WinogradKernels] | undefined>;
  const pick = (name: string) => ex[`${name}${r}`];
  const [winoIn, winoOut, winoFilter, winoDy, winoGradOut] = ['winoIn', 'winoOut', 'winoFilter', 'winoDy', 'winoGradOut'].map(pick);
  if (!winoIn || !winoOut || !winoFilter || !winoDy || !winoGradOut) return null;
  return { winoIn, winoOut, winoFilter, winoDy, winoGradOut } as WinogradKernels;
}

/**
 * out64[k .. k+3] += the f32x4 in local v, as two f64x2 at out + 2k (float64 sums of 4 channels).
 * chan2 gives the address out + 2k.
 */
function accumulate64(out: number[], v: number): number[] {
  return [
    ...out, ...out, ...VLOAD, ...get(v), ...PROMOTE_LO, ...DADD, ...VSTORE,
    ...out, ...out, ...VLOAD_HI, ...get(v), ...get(v), ...SWAP_HALVES, ...PROMOTE_LO, ...DADD, ...VSTORE_HI,
  ];
}

/**
 * A channel kernel: params are i32 (indices 0..nParams-1), then locals poff, end, k (i32) and one
 * v128 scratch. `body` emits the work for the 4 channels at k of the pixel at poff.
 */
function channelKernel(
  nParams: number,
  npix: number,
  cb: number,
  body: (pix: (p: number) => number[], chan: (p: number) => number[], v: number, chan2: (p: number) => number[]) => number[],
) {
  const poff = nParams;
  const end = nParams + 1;
  const k = nParams + 2;
  const v = nParams + 3;
  const pix = (p: number) => [...get(p), ...get(poff), ...ADD, ...get(k), ...ADD];
  const chan = (p: number) => [...get(p), ...get(k), ...ADD];
  const chan2 = (p: number) => [...get(p), ...get(k), ...i32c(1), ...SHL, ...ADD];
  const code = [
    ...i32c(0), ...set(poff),
    ...get(npix), ...get(cb), ...MUL, ...set(end),
    ...LOOP,
    ...i32c(0), ...set(k),
    ...LOOP,
    ...body(pix, chan, v, chan2),
    ...get(k), ...i32c(16), ...ADD, ...tee(k), ...get(cb), ...LT_U, ...BR_IF0,
    ...END,
    ...get(poff), ...get(cb), ...ADD, ...tee(poff), ...get(end), ...LT_U, ...BR_IF0,
    ...END,
    ...END,
  ];
  const locals = vec([[3, I32], [1, V128]]);
  return { params: new Array(nParams).fill(I32), code: [...locals, ...code] };
}

function buildModule(shared: boolean): Uint8Array<ArrayBuffer> {
  const fns: Array<{ name: string; params: number[]; code: number[] }> = [];
  // colsum(x, npix, cb, out)
  fns.push({ name: 'colsum', ...channelKernel(4, 1, 2, (pix, _chan, v, chan2) => [...pix(0), ...VLOAD, ...set(v), ...accumulate64(chan2(3), v)]) });
  // colsqdev(x, npix, cb, mean, out)
  fns.push({
    name: 'colsqdev',
    ...channelKernel(5, 1, 2, (pix, chan, v, chan2) => [
      ...pix(0), ...VLOAD, ...chan(3), ...VLOAD, ...FSUB, ...tee(v), ...get(v), ...FMUL, ...set(v),
      ...accumulate64(chan2(4), v),
    ]),
  });
  // affine(x, npix, cb, scale, shift, y)
  fns.push({
    name: 'affine',
    ...channelKernel(6, 1, 2, (pix, chan) => [...pix(5), ...pix(0), ...VLOAD, ...chan(3), ...VLOAD, ...FMUL, ...chan(4), ...VLOAD, ...FADD, ...VSTORE]),
  });
  // colsum2(g, y, npix, cb, o1, o2)
  fns.push({
    name: 'colsum2',
    ...channelKernel(6, 2, 3, (pix, _chan, v, chan2) => [
      ...pix(0), ...VLOAD, ...set(v), ...accumulate64(chan2(4), v),
      ...pix(0), ...VLOAD, ...pix(1), ...VLOAD, ...FMUL, ...set(v), ...accumulate64(chan2(5), v),
    ]),
  });
  // ingrad(g, y, npix, cb, a, b, c, dx)
  fns.push({
    name: 'ingrad',
    ...channelKernel(8, 2, 3, (pix, chan) => [
      ...pix(7),
      ...pix(0), ...VLOAD, ...chan(5), ...VLOAD, ...FSUB,
      ...pix(1), ...VLOAD, ...chan(6), ...VLOAD, ...FMUL, ...FSUB,
      ...chan(4), ...VLOAD, ...FMUL,
      ...VSTORE,
    ]),
  });
  // lrelugrad(g, x, nb, alpha: f32, dx); locals i (5), av (6)
  {
    const [g, x, nb, alpha, dx, i, av] = [0, 1, 2, 3, 4, 5, 6];
    const at = (p: number) => [...get(p), ...get(i), ...ADD];
    const code = [
      ...get(alpha), ...SPLAT, ...set(av),
      ...i32c(0), ...set(i),
      ...LOOP,
      ...at(dx),
      ...at(g), ...VLOAD,
      ...at(g), ...VLOAD, ...get(av), ...FMUL,
      ...at(x), ...VLOAD, ...VZERO, ...FGT,
      ...BITSELECT,
      ...VSTORE,
      ...get(i), ...i32c(16), ...ADD, ...tee(i), ...get(nb), ...LT_U, ...BR_IF0,
      ...END,
      ...END,
    ];
    fns.push({ name: 'lrelugrad', params: [I32, I32, I32, F32, I32], code: [...vec([[1, I32], [1, V128]]), ...code] });
  }

  for (const r of WINOGRAD_SIZES) fns.push(...winogradFunctions(r));

  const types = fns.map((f) => [0x60, ...vec(f.params.map((p) => [p])), 0x00]);
  const limits = shared ? [0x03, ...uleb(1), ...uleb(65536)] : [0x00, ...uleb(1)];
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec(types)),
    ...section(2, vec([[...str('env'), ...str('memory'), 0x02, ...limits]])),
    ...section(3, vec(fns.map((_, i) => uleb(i)))),
    ...section(7, vec(fns.map((f, i) => [...str(f.name), 0x00, ...uleb(i)]))),
    ...section(10, vec(fns.map((f) => [...uleb(f.code.length), ...f.code]))),
  ];
  return new Uint8Array(bytes);
}

const cache = new WeakMap<WebAssembly.Memory, SimdKernels | null>();

/** The backend's Memory: exposed as wasmMemory by the threaded glue, as asm.memory otherwise. */
export function backendMemory(wasmModule: unknown): WebAssembly.Memory | null {
  const m = wasmModule as { wasmMemory?: WebAssembly.Memory; asm?: Record<string, unknown> };
  if (m.wasmMemory instanceof WebAssembly.Memory) return m.wasmMemory;
  const fromAsm = m.asm && Object.values(m.asm).find((v) => v instanceof WebAssembly.Memory);
  return (fromAsm as WebAssembly.Memory | undefined) ?? null;
}

/** The SIMD kernels bound to this backend's memory, or null when they cannot be instantiated. */
export function simdKernels(wasmModule: unknown): SimdKernels | null {
  const memory = backendMemory(wasmModule);
  if (!memory) return null;
  if (cache.has(memory)) return cache.get(memory)!;
  let k: SimdKernels | null;
  try {
    const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
    const inst = new WebAssembly.Instance(new WebAssembly.Module(buildModule(shared)), { env: { memory } });
    k = inst.exports as unknown as SimdKernels;
  } catch {
    k = null; // no SIMD in this runtime, or an unexpected memory type: callers keep their JS loops
  }
  cache.set(memory, k);
  return k;
}
