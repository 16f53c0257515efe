/**
 * SIMD bodies of the Winograd F(2x2, rxr) transforms used by winograd.ts (r = 3 and 4), emitted
 * from the transform matrices, which come from Toom-Cook with interpolation points
 * 0, 1, -1, (2,) infinity (n = r + 1 points, input tiles n x n, output tiles 2 x 2):
 *   correlation y_i = sum_j d_{i+j} g_j (i < 2, j < r) is the transpose of the linear convolution
 *   s = conv(g, h) = V_n^-1 [(V_r g) . (V_2 h)], so y = V_2^T [(V_r g) . (V_n^-T d)]:
 *   A^T = V_2^T (2 x n), G = V_r (n x r), B^T = V_n^-T (n x n), V_k[p] = [1, p, .., p^(k-1)]
 *   (the infinity row is [0, .., 0, 1]). In 2-D: Y = A^T [ (G g G^T) . (B^T d B) ] A.
 * The weight gradient dW[kh, kw, c, k] = sum_p x[p + (kh, kw), c] dy[p, k] is the same trilinear
 * form with the roles of filter and output swapped: dW = G^T [ sum_tiles (B^T d B) . (A h A^T) ] G.
 * Every function works on 4 channels at a time (k steps 16 bytes); the n*n transformed planes
 * live in separate tensors whose byte addresses are read from an int32 table in memory:
 *   winoIn<r>(x, rowBytes, cb, tilesY, tilesX, table)    V_xi[tile, c] = (B^T d B)[xi], d the patch at x + 2ty*rowBytes + 2tx*cb
 *   winoOut<r>(table, kb, tilesY, tilesX, bias, y, rowBytes)  y[2ty+i, 2tx+j, k] = (A^T M A)[i, j] + bias[k]
 *   winoFilter<r>(g, C, kb, table)                       U_xi[c, k] = (G g[:, :, c, k] G^T)[xi], g [r, r, C, K]
 *   winoDy<r>(dy, rowBytes, kb, tilesY, tilesX, table)   H_xi[tile, k] = (A h A^T)[xi], h the 2x2 dy tile
 *   winoGradOut<r>(table, C, kb, dw)                     dw[kh, kw, c, k] = (G^T M G)[kh, kw], M_xi [C, K]
 */
import { ADD, doWhile, F32_CONST, FADD, FMUL, FNEG, FSUB, get, I32, i32c, LOAD_I32, MUL, set, SHL, SPLAT, V128, vec, VZERO, vload, vstore } from './simd-asm';

export interface WasmFunc {
  name: string;
  params: number[];
  code: number[];
}

type Mat = number[][];

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const transpose = (m: Mat): Mat => m[0].map((_, j) => m.map((row) => row[j]));

function invert(m: Mat): Mat {
  const n = m.length;
  const a = m.map((row, i) => [...row, ...range(n).map((j) => (i === j ? 1 : 0))]);
  for (let col = 0; col < n; col++) {
    const piv = range(n - col).map((i) => i + col).reduce((b, i) => (Math.abs(a[i][col]) > Math.abs(a[b][col]) ? i : b), col);
    [a[col], a[piv]] = [a[piv], a[col]];
    const p = a[col][col];
    a[col] = a[col].map((v) => v / p);
    for (let i = 0; i < n; i++) {
      if (i === col) continue;
      const f = a[i][col];
      a[i] = a[i].map((v, j) => v - f * a[col][j]);
    }
  }
  return a.map((row) => row.slice(n));
}

/** Transform matrices of F(2, r). */
export function winogradMatrices(r: number): { n: number; AT: Mat; G: Mat; BT: Mat } {
  const n = r + 1;
  const points = [0, 1, -1, 2, -2, 0.5].slice(0, n - 1);
  const vander = (k: number): Mat => [...points.map((p) => range(k).map((e) => p ** e)), range(k).map((e) => (e === k - 1 ? 1 : 0))];
  return { n, AT: transpose(vander(2)), G: vander(r), BT: transpose(invert(vander(n))) };
}

/** sum_j row[j] * src[j] over v128 locals (constants folded: 0 skipped, +-1 as add/sub). */
function lincomb(row: number[], src: number[]): number[] {
  const out: number[] = [];
  let first = true;
  row.forEach((c0, j) => {
    const c = Math.fround(c0);
    if (Math.abs(c) < 1e-12) return;
    const term = c === 1 || c === -1 ? get(src[j]) : [...get(src[j]), ...F32_CONST(c), ...SPLAT, ...FMUL];
    if (first) out.push(...term, ...(c === -1 ? FNEG : []));
    else out.push(...term, ...(c === -1 ? FSUB : FADD));
    first = false;
  });
  return first ? VZERO : out;
}

/**
 * out = L . D . R^T for a p x q grid D of v128 locals (row-major); L: a x p, R: b x q. Temporaries
 * tmp (a*q locals). Returns code leaving nothing on the stack and the a x b output expressions.
 */
function sandwich(L: Mat, d: number[], q: number, R: Mat, tmp: number[]): { code: number[]; out: number[][][] } {
  const p = L[0].length;
  const code: number[] = [];
  L.forEach((lrow, i) => {
    for (let col = 0; col < q; col++) code.push(...lincomb(lrow, range(p).map((j) => d[j * q + col])), ...set(tmp[i * q + col]));
  });
  const out = L.map((_, i) => R.map((rrow) => lincomb(rrow, range(q).map((l) => tmp[i * q + l]))));
  return { code, out };
}

/** Address table[xi] + off1 + off2 (all locals but xi). */
const tableAddr = (table: number, xi: number, off1: number, off2: number) => [...get(table), ...LOAD_I32(4 * xi), ...get(off1), ...ADD, ...get(off2), ...ADD];

/**
 * for ty < tilesY, tx < tilesX: base = origin + 2ty*rowBytes + 2tx*pixBytes,
 * tileOff = (ty*tilesX + tx)*pixBytes; for k < pixBytes step 16: body. (All arguments are locals.)
 */
function tileLoops(l: { ty: number; tx: number; k: number; base: number; tileOff: number; tilesY: number; tilesX: number; origin: number; rowBytes: number; pixBytes: number }, body: number[]): number[] {
  const one = i32c(1);
  return [
    ...i32c(0), ...set(l.ty),
    ...doWhile(l.ty, one, l.tilesY, [
      ...i32c(0), ...set(l.tx),
      ...doWhile(l.tx, one, l.tilesX, [
        ...get(l.origin), ...get(l.ty), ...one, ...SHL, ...get(l.rowBytes), ...MUL, ...ADD,
        ...get(l.tx), ...one, ...SHL, ...get(l.pixBytes), ...MUL, ...ADD, ...set(l.base),
        ...get(l.ty), ...get(l.tilesX), ...MUL, ...get(l.tx), ...ADD, ...get(l.pixBytes), ...MUL, ...set(l.tileOff),
        ...i32c(0), ...set(l.k),
        ...doWhile(l.k, i32c(16), l.pixBytes, body),
      ]),
    ]),
  ];
}

/** for c < cIn: rowOff = c*kb; for k < kb step 16: body. */
function filterLoops(c: number, k: number, rowOff: number, cIn: number, kb: number, body: number[]): number[] {
  return [...i32c(0), ...set(c), ...doWhile(c, i32c(1), cIn, [...get(c), ...get(kb), ...MUL, ...set(rowOff), ...i32c(0), ...set(k), ...doWhile(k, i32c(16), kb, body)])];
}

/** Loads a p x q patch at base + k + i*rowBytes + j*colBytes into locals. */
function loadPatch(p: number, q: number, base: number, k: number, rowBytes: number, colBytes: number, into: number[]): number[] {
  const code: number[] = [];
  for (let i = 0; i < p; i++) {
    for (let j = 0; j < q; j++) {
      code.push(...get(base), ...get(k), ...ADD);
      if (i > 0) code.push(...get(rowBytes), ...i32c(i), ...MUL, ...ADD);
      if (j > 0) code.push(...get(colBytes), ...i32c(j), ...MUL, ...ADD);
      code.push(...vload(0), ...set(into[i * q + j]));
    }
  }
  return code;
}

const locals = (i32: number, v128: number) => vec([[i32, I32], [v128, V128]]);

export function winogradFunctions(r: number): WasmFunc[] {
  const { n, AT, G, BT } = winogradMatrices(r);
  const A = transpose(AT);
  const GT = transpose(G);
  const nn = n * n;
  const funcs: WasmFunc[] = [];
  const seq = (from: number, count: number) => range(count).map((i) => from + i);

  { // winoIn(x, rowBytes, cb, tilesY, tilesX, table)
    const [x, rowBytes, cb, tilesY, tilesX, table, ty, tx, k, base, tileOff] = range(11);
    const d = seq(11, nn);
    const t = seq(11 + nn, nn);
    const { code: pre, out } = sandwich(BT, d, n, BT, t);
    const body = [...loadPatch(n, n, base, k, rowBytes, cb, d), ...pre];
    out.forEach((row, i) => row.forEach((e, j) => body.push(...tableAddr(table, i * n + j, tileOff, k), ...e, ...vstore(0))));
    const code = [...tileLoops({ ty, tx, k, base, tileOff, tilesY, tilesX, origin: x, rowBytes, pixBytes: cb }, body), 0x0b];
    funcs.push({ name: `winoIn${r}`, params: new Array(6).fill(I32), code: [...locals(5, 2 * nn), ...code] });
  }
  { // winoOut(table, kb, tilesY, tilesX, bias, y, rowBytes)
    const [table, kb, tilesY, tilesX, bias, y, rowBytes, ty, tx, k, tileOff, base] = range(12);
    const m = seq(12, nn);
    const s = seq(12 + nn, 2 * n);
    const bv = 12 + nn + 2 * n;
    const body = [...get(bias), ...get(k), ...ADD, ...vload(0), ...set(bv)];
    for (let xi = 0; xi < nn; xi++) body.push(...tableAddr(table, xi, tileOff, k), ...vload(0), ...set(m[xi]));
    const { code: pre, out } = sandwich(AT, m, n, AT, s);
    body.push(...pre);
    out.forEach((row, i) =>
      row.forEach((e, j) => {
        body.push(...get(base), ...get(k), ...ADD);
        if (i > 0) body.push(...get(rowBytes), ...ADD);
        if (j > 0) body.push(...get(kb), ...ADD);
        body.push(...e, ...get(bv), ...FADD, ...vstore(0));
      }),
    );
    const code = [...tileLoops({ ty, tx, k, base, tileOff, tilesY, tilesX, origin: y, rowBytes, pixBytes: kb }, body), 0x0b];
    funcs.push({ name: `winoOut${r}`, params: new Array(7).fill(I32), code: [...locals(5, nn + 2 * n + 1), ...code] });
  }
  { // winoFilter(g, C, kb, table)
    const [g, cIn, kb, table, c, k, rowOff] = range(7);
    const w = seq(7, r * r);
    const t = seq(7 + r * r, n * r);
    const body: number[] = [];
    for (let tap = 0; tap < r * r; tap++) {
      body.push(...get(g), ...i32c(tap), ...get(cIn), ...MUL, ...get(kb), ...MUL, ...ADD, ...get(rowOff), ...ADD, ...get(k), ...ADD, ...vload(0), ...set(w[tap]));
    }
    const { code: pre, out } = sandwich(G, w, r, G, t);
    body.push(...pre);
    out.forEach((row, i) => row.forEach((e, j) => body.push(...tableAddr(table, i * n + j, rowOff, k), ...e, ...vstore(0))));
    funcs.push({ name: `winoFilter${r}`, params: new Array(4).fill(I32), code: [...locals(3, r * r + n * r), ...filterLoops(c, k, rowOff, cIn, kb, body), 0x0b] });
  }
  { // winoDy(dy, rowBytes, kb, tilesY, tilesX, table)
    const [dy, rowBytes, kb, tilesY, tilesX, table, ty, tx, k, base, tileOff] = range(11);
    const h = seq(11, 4);
    const t = seq(15, n * 2);
    const { code: pre, out } = sandwich(A, h, 2, A, t);
    const body = [...loadPatch(2, 2, base, k, rowBytes, kb, h), ...pre];
    out.forEach((row, i) => row.forEach((e, j) => body.push(...tableAddr(table, i * n + j, tileOff, k), ...e, ...vstore(0))));
    const code = [...tileLoops({ ty, tx, k, base, tileOff, tilesY, tilesX, origin: dy, rowBytes, pixBytes: kb }, body), 0x0b];
    funcs.push({ name: `winoDy${r}`, params: new Array(6).fill(I32), code: [...locals(5, 4 + 2 * n), ...code] });
  }
  { // winoGradOut(table, C, kb, dw)
    const [table, cIn, kb, dw, c, k, rowOff] = range(7);
    const m = seq(7, nn);
    const t = seq(7 + nn, r * n);
    const body: number[] = [];
    for (let xi = 0; xi < nn; xi++) body.push(...tableAddr(table, xi, rowOff, k), ...vload(0), ...set(m[xi]));
    const { code: pre, out } = sandwich(GT, m, n, GT, t);
    body.push(...pre);
    out.forEach((row, i) =>
      row.forEach((e, j) => {
        body.push(...get(dw), ...i32c(i * r + j), ...get(cIn), ...MUL, ...get(kb), ...MUL, ...ADD, ...get(rowOff), ...ADD, ...get(k), ...ADD, ...e, ...vstore(0));
      }),
    );
    funcs.push({ name: `winoGradOut${r}`, params: new Array(4).fill(I32), code: [...locals(3, nn + r * n), ...filterLoops(c, k, rowOff, cIn, kb, body), 0x0b] });
  }
  return funcs;
}
