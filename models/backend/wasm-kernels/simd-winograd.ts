/**
 * SIMD bodies of the Winograd F(2x2, 3x3) transforms (Lavin & Gray 2015) used by winograd.ts:
 *   Y = A^T [ (G g G^T) . (B^T d B) ] A   per 2x2 output tile, d the 4x4 input patch,
 *   B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1], G = [1 0 0; .5 .5 .5; .5 -.5 .5; 0 0 1],
 *   A^T = [1 1 1 0; 0 1 -1 -1].
 * Each works on 4 channels at a time (k steps 16 bytes). The 16 transformed planes live in 16
 * separate tensors whose byte addresses are read from a table of 16 int32 in memory.
 *   winoIn(x, rowBytes, cb, tilesY, tilesX, table):  V_xi[tile, c] = (B^T d B)[xi] for the patch
 *       at x + 2ty*rowBytes + 2tx*cb (x: [rows, cols, C], cb = C*4)
 *   winoOut(table, kb, tilesY, tilesX, bias, y, rowBytes): y[2ty+i, 2tx+j, k] = (A^T M A)[i, j] + bias[k]
 *       with M_xi = table[xi] as [tiles, K] (kb = K*4)
 *   winoFilter(g, C, kb, table): U_xi[c, k] = (G g[:, :, c, k] G^T)[xi] for g [3, 3, C, K]
 * The weight gradient dW[kh, kw, c, k] = sum_p x[p + (kh, kw), c] dy[p, k] is the transposed
 * algorithm F(3x3, 2x2) (same trilinear form, roles of filter and output swapped):
 *   dW = G^T [ sum_tiles (B^T d B) . (A h A^T) ] G,  h the 2x2 dy tile, A = (A^T)^T:
 *   winoDy(dy, rowBytes, kb, tilesY, tilesX, table): H_xi[tile, k] = (A h A^T)[xi]
 *   winoGradOut(table, C, kb, dw): dw[kh, kw, c, k] = (G^T M G)[kh, kw] with M_xi = table[xi] as [C, K]
 */
import { ADD, doWhile, F32_CONST, FADD, FMUL, FNEG, FSUB, get, I32, i32c, LOAD_I32, MUL, set, SHL, SPLAT, V128, vec, vload, vstore } from './simd-asm';

export interface WasmFunc {
  name: string;
  params: number[];
  code: number[];
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
/** Address table[xi] + off1 + off2 (all locals but xi). */
const tableAddr = (table: number, xi: number, off1: number, off2: number) => [...get(table), ...LOAD_I32(4 * xi), ...get(off1), ...ADD, ...get(off2), ...ADD];
const binop = (a: number, b: number, op: number[]) => [...get(a), ...get(b), ...op];

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

/** half = 0.5 (splat); for c < cIn: rowOff = c*kb; for k < kb step 16: body. */
function filterLoops(c: number, k: number, rowOff: number, cIn: number, kb: number, half: number, body: number[]): number[] {
  return [
    ...F32_CONST(0.5), ...SPLAT, ...set(half),
    ...i32c(0), ...set(c),
    ...doWhile(c, i32c(1), cIn, [...get(c), ...get(kb), ...MUL, ...set(rowOff), ...i32c(0), ...set(k), ...doWhile(k, i32c(16), kb, body)]),
    0x0b,
  ];
}

export function winoIn(): WasmFunc {
  const [x, rowBytes, cb, tilesY, tilesX, table] = range(6);
  const [ty, tx, k, base, tileOff] = [6, 7, 8, 9, 10];
  const d = range(16).map((i) => 11 + i);
  const t = range(16).map((i) => 27 + i);
  const body: number[] = [];
  for (let i = 0; i < 4; i++) {
    for (let j = 0; j < 4; j++) {
      body.push(...get(base), ...get(k), ...ADD);
      if (i > 0) body.push(...get(rowBytes), ...i32c(i), ...MUL, ...ADD);
      if (j > 0) body.push(...get(cb), ...i32c(j), ...MUL, ...ADD);
      body.push(...vload(0), ...set(d[i * 4 + j]));
    }
  }
  // t = B^T d (rows), then V = t B (columns)
  for (let j = 0; j < 4; j++) {
    body.push(...binop(d[j], d[8 + j], FSUB), ...set(t[j]));
    body.push(...binop(d[4 + j], d[8 + j], FADD), ...set(t[4 + j]));
    body.push(...binop(d[8 + j], d[4 + j], FSUB), ...set(t[8 + j]));
    body.push(...binop(d[4 + j], d[12 + j], FSUB), ...set(t[12 + j]));
  }
  for (let i = 0; i < 4; i++) {
    const r = (j: number) => t[i * 4 + j];
    const out: Array<[number, number, number[]]> = [
      [r(0), r(2), FSUB],
      [r(1), r(2), FADD],
      [r(2), r(1), FSUB],
      [r(1), r(3), FSUB],
    ];
    out.forEach(([a, b, op], j) => body.push(...tableAddr(table, i * 4 + j, tileOff, k), ...binop(a, b, op), ...vstore(0)));
  }
  const code = [...tileLoops({ ty, tx, k, base, tileOff, tilesY, tilesX, origin: x, rowBytes, pixBytes: cb }, body), 0x0b];
  return { name: 'winoIn', params: [I32, I32, I32, I32, I32, I32], code: [...vec([[5, I32], [32, V128]]), ...code] };
}

export function winoOut(): WasmFunc {
  const [table, kb, tilesY, tilesX, bias, y, rowBytes] = range(7);
  const [ty, tx, k, tileOff, base] = [7, 8, 9, 10, 11];
  const m = range(16).map((i) => 12 + i);
  const s = range(8).map((i) => 28 + i);
  const bv = 36;
  const body: number[] = [...get(bias), ...get(k), ...ADD, ...vload(0), ...set(bv)];
  for (let xi = 0; xi < 16; xi++) body.push(...tableAddr(table, xi, tileOff, k), ...vload(0), ...set(m[xi]));
  for (let j = 0; j < 4; j++) {
    body.push(...binop(m[j], m[4 + j], FADD), ...get(m[8 + j]), ...FADD, ...set(s[j]));
    body.push(...binop(m[4 + j], m[8 + j], FSUB), ...get(m[12 + j]), ...FSUB, ...set(s[4 + j]));
  }
  for (let i = 0; i < 2; i++) {
    const r = (j: number) => s[i * 4 + j];
    const vals = [
      [...binop(r(0), r(1), FADD), ...get(r(2)), ...FADD],
      [...binop(r(1), r(2), FSUB), ...get(r(3)), ...FSUB],
    ];
    vals.forEach((v, j) => {
      body.push(...get(base), ...get(k), ...ADD);
      if (i > 0) body.push(...get(rowBytes), ...ADD);
      if (j > 0) body.push(...get(kb), ...ADD);
      body.push(...v, ...get(bv), ...FADD, ...vstore(0));
    });
  }
  const code = [...tileLoops({ ty, tx, k, base, tileOff, tilesY, tilesX, origin: y, rowBytes, pixBytes: kb }, body), 0x0b];
  return { name: 'winoOut', params: [I32, I32, I32, I32, I32, I32, I32], code: [...vec([[5, I32], [25, V128]]), ...code] };
}

export function winoFilter(): WasmFunc {
  const [g, cIn, kb, table] = range(4);
  const [c, k, rowOff] = [4, 5, 6];
  const w = range(9).map((i) => 7 + i);
  const r = range(12).map((i) => 16 + i); // G g: 4 rows x 3 columns
  const half = 28;
  const body: number[] = [];
  for (let tap = 0; tap < 9; tap++) {
    body.push(...get(g), ...i32c(tap), ...get(cIn), ...MUL, ...get(kb), ...MUL, ...ADD, ...get(rowOff), ...ADD, ...get(k), ...ADD, ...vload(0), ...set(w[tap]));
  }
  for (let col = 0; col < 3; col++) {
    const [a, b, e] = [w[col], w[3 + col], w[6 + col]];
    body.push(...get(a), ...set(r[col]));
    body.push(...binop(a, b, FADD), ...get(e), ...FADD, ...get(half), ...FMUL, ...set(r[3 + col]));
    body.push(...binop(a, b, FSUB), ...get(e), ...FADD, ...get(half), ...FMUL, ...set(r[6 + col]));
    body.push(...get(e), ...set(r[9 + col]));
  }
  for (let row = 0; row < 4; row++) {
    const [a, b, e] = [r[row * 3], r[row * 3 + 1], r[row * 3 + 2]];
    const vals = [
      get(a),
      [...binop(a, b, FADD), ...get(e), ...FADD, ...get(half), ...FMUL],
      [...binop(a, b, FSUB), ...get(e), ...FADD, ...get(half), ...FMUL],
      get(e),
    ];
    vals.forEach((v, col) => body.push(...tableAddr(table, row * 4 + col, rowOff, k), ...v, ...vstore(0)));
  }
  const code = filterLoops(c, k, rowOff, cIn, kb, half, body);
  return { name: 'winoFilter', params: [I32, I32, I32, I32], code: [...vec([[3, I32], [22, V128]]), ...code] };
}

export function winoDy(): WasmFunc {
  const [dy, rowBytes, kb, tilesY, tilesX, table] = range(6);
  const [ty, tx, k, base, tileOff] = [6, 7, 8, 9, 10];
  const h = range(4).map((i) => 11 + i); // h[i*2 + j]
  const a = range(8).map((i) => 15 + i); // A h: 4 rows x 2 columns
  const body: number[] = [];
  for (let i = 0; i < 2; i++) {
    for (let j = 0; j < 2; j++) {
      body.push(...get(base), ...get(k), ...ADD);
      if (i > 0) body.push(...get(rowBytes), ...ADD);
      if (j > 0) body.push(...get(kb), ...ADD);
      body.push(...vload(0), ...set(h[i * 2 + j]));
    }
  }
  for (let j = 0; j < 2; j++) {
    body.push(...get(h[j]), ...set(a[j]));
    body.push(...binop(h[j], h[2 + j], FADD), ...set(a[2 + j]));
    body.push(...binop(h[j], h[2 + j], FSUB), ...set(a[4 + j]));
    body.push(...get(h[2 + j]), ...FNEG, ...set(a[6 + j]));
  }
  for (let i = 0; i < 4; i++) {
    const [p, q] = [a[i * 2], a[i * 2 + 1]];
    const vals = [get(p), binop(p, q, FADD), binop(p, q, FSUB), [...get(q), ...FNEG]];
    vals.forEach((v, j) => body.push(...tableAddr(table, i * 4 + j, tileOff, k), ...v, ...vstore(0)));
  }
  const code = [...tileLoops({ ty, tx, k, base, tileOff, tilesY, tilesX, origin: dy, rowBytes, pixBytes: kb }, body), 0x0b];
  return { name: 'winoDy', params: [I32, I32, I32, I32, I32, I32], code: [...vec([[5, I32], [12, V128]]), ...code] };
}

export function winoGradOut(): WasmFunc {
  const [table, cIn, kb, dw] = range(4);
  const [c, k, rowOff] = [4, 5, 6];
  const m = range(16).map((i) => 7 + i);
  const r = range(12).map((i) => 23 + i); // G^T M: 3 rows x 4 columns
  const half = 35;
  // G^T applied to (a, b, e, f): [a + (b + e)/2, (b - e)/2, (b + e)/2 + f]
  const gt = (a: number, b: number, e: number, f: number) => [
    [...binop(b, e, FADD), ...get(half), ...FMUL, ...get(a), ...FADD],
    [...binop(b, e, FSUB), ...get(half), ...FMUL],
    [...binop(b, e, FADD), ...get(half), ...FMUL, ...get(f), ...FADD],
  ];
  const body: number[] = [];
  for (let xi = 0; xi < 16; xi++) body.push(...tableAddr(table, xi, rowOff, k), ...vload(0), ...set(m[xi]));
  for (let j = 0; j < 4; j++) gt(m[j], m[4 + j], m[8 + j], m[12 + j]).forEach((v, i) => body.push(...v, ...set(r[i * 4 + j])));
  for (let i = 0; i < 3; i++) {
    gt(r[i * 4], r[i * 4 + 1], r[i * 4 + 2], r[i * 4 + 3]).forEach((v, j) => {
      body.push(...get(dw), ...i32c(i * 3 + j), ...get(cIn), ...MUL, ...get(kb), ...MUL, ...ADD, ...get(rowOff), ...ADD, ...get(k), ...ADD, ...v, ...vstore(0));
    });
  }
  const code = filterLoops(c, k, rowOff, cIn, kb, half, body);
  return { name: 'winoGradOut', params: [I32, I32, I32, I32], code: [...vec([[3, I32], [29, V128]]), ...code] };
}
