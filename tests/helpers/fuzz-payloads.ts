/**
 * Bad-payload generators for the contract fuzz suite (reliability-fuzz.test.ts): for each request
 * channel a valid template, and fast-check arbitraries that break it (wrong types, missing fields,
 * huge strings and arrays, NaN and negative sizes, path traversal, prototype-pollution keys), plus
 * the raw browser-host wire framing an attacker would send.
 */
import fc from 'fast-check';
import type { RequestChannel } from '../../preload/contract';
import { packFrame } from '../../preload/wire-codec';

/** An id the library never issues (its ids are small integers). */
export const NOPE = '999999';

export interface ChannelSpec {
  /** Payloads the schema accepts: the starting points of mutation, never sent as they are. */
  templates: unknown[];
  /**
   * Paths of id fields: with a hostile id there (traversal, absolute path, __proto__, ...) and the
   * rest valid, the handler itself must refuse. Left out where an unknown id is a harmless no-op
   * (aging:cancel and export:cancel answer { cancelled: false }).
   */
  ids?: Path[];
}

export type Path = (string | number)[];

const file = { name: 'a.jpg', bytes: new Uint8Array([0xff, 0xd8, 0xff, 0xe0]) };

export const CHANNELS = {
  'system:status': { templates: [{}] },
  'system:ping': { templates: [{ echo: 'hi', delayMs: 0 }] },
  'settings:get': { templates: [{}] },
  'settings:set': { templates: [{ theme: 'dark', threads: 2, backendOverride: 'auto' }] },
  'settings:chooseLibraryLocation': { templates: [{}] },
  'projects:list': { templates: [{}] },
  'projects:create': { templates: [{ name: 'Fuzz' }] },
  'projects:rename': { templates: [{ projectId: NOPE, name: 'x' }], ids: [['projectId']] },
  'projects:delete': { templates: [{ projectId: NOPE }], ids: [['projectId']] },
  'photos:import': {
    templates: [
      { projectId: NOPE, source: { kind: 'bytes', files: [file] }, tags: ['t'], importId: 'imp' },
      { projectId: null, source: { kind: 'grants', grantIds: [NOPE] } },
    ],
    ids: [['projectId'], ['source', 'grantIds', 0]],
  },
  'photos:list': {
    templates: [{ projectId: NOPE, search: 'a', ageMin: 1, ageMax: 90, tag: 't', sort: 'name', offset: 0, limit: 10 }],
    ids: [['projectId']],
  },
  'photos:get': { templates: [{ photoId: NOPE }], ids: [['photoId']] },
  'photos:image': { templates: [{ photoId: NOPE, maxEdge: 64 }], ids: [['photoId']] },
  'photos:delete': { templates: [{ photoIds: [NOPE] }], ids: [['photoIds', 0]] },
  'photos:undoDelete': { templates: [{ undoToken: NOPE }], ids: [['undoToken']] },
  'photos:tag': { templates: [{ photoIds: [NOPE], add: ['a'], remove: ['b'] }], ids: [['photoIds', 0]] },
  'photos:tags': { templates: [{}] },
  'faces:list': { templates: [{ photoId: NOPE }], ids: [['photoId']] },
  'faces:detect': { templates: [{ photoId: NOPE, force: true }], ids: [['photoId']] },
  'faces:crop': { templates: [{ photoId: NOPE, faceIndex: 0 }], ids: [['photoId']] },
  'models:list': { templates: [{}] },
  'models:get': { templates: [{ modelId: NOPE }], ids: [['modelId']] },
  'models:delete': { templates: [{ modelId: NOPE }], ids: [['modelId']] },
  'aging:preview': {
    templates: [
      { requestId: 'r1', photoId: NOPE, faceIndex: 0, modelId: NOPE, targetAge: 60, output: 'crop' },
      { requestId: 'r2', photoId: NOPE, faceIndex: 0, modelId: NOPE, targetAge: 40, output: 'crop', quality: 'draft' },
    ],
    ids: [['photoId'], ['modelId']],
  },
  'aging:cancel': { templates: [{ requestId: 'r1' }] },
  'aging:estimate': {
    templates: [{ requestId: 'r3', photoId: NOPE, faceIndex: 0, modelId: NOPE, targetAge: 60 }],
    ids: [['photoId'], ['modelId']],
  },
  'aging:strip': {
    templates: [{ requestId: 'r2', photoId: NOPE, faceIndex: 0, modelId: NOPE, ages: [20, 40] }],
    ids: [['photoId'], ['modelId']],
  },
  'export:start': {
    templates: [
      {
        photoIds: [NOPE], ages: [60], modelId: NOPE, faces: 'all', format: 'png', quality: 90,
        layout: 'files', keepLocation: false, frameMs: 400, destination: { kind: 'download' },
      },
      { photoIds: [NOPE], ages: [30, 70], modelId: NOPE, faces: 0, layout: 'animated-timeline', destination: { kind: 'grant', grantId: NOPE } },
    ],
    ids: [['photoIds', 0], ['modelId'], ['destination', 'grantId']],
  },
  'export:cancel': { templates: [{ exportId: NOPE }] },
  'export:list': { templates: [{}] },
  'export:result': { templates: [{ exportId: NOPE }], ids: [['exportId']] },
  'training:start': {
    templates: [
      { kind: 'cyclegan', baseModelId: NOPE, selection: { by: 'project', projectId: NOPE }, steps: 10, resolution: 64, batchSize: 2, name: 'x', sampleEvery: 5 },
      { kind: 'cyclegan', baseModelId: NOPE, selection: { by: 'photos', photoIds: [NOPE] }, steps: 10 },
      { kind: 'age-cgan', baseModelId: null, selection: { by: 'tag', tag: 'family' }, steps: 10 },
    ],
    ids: [['baseModelId'], ['selection', 'projectId'], ['selection', 'photoIds', 0]],
  },
  'training:pause': { templates: [{ runId: NOPE }], ids: [['runId']] },
  'training:resume': { templates: [{ runId: NOPE }], ids: [['runId']] },
  'training:cancel': { templates: [{ runId: NOPE }], ids: [['runId']] },
  'training:resumeInterrupted': { templates: [{ runId: NOPE }], ids: [['runId']] },
  'training:list': { templates: [{}] },
  'training:get': { templates: [{ runId: NOPE }], ids: [['runId']] },
  'training:sampleGrid': { templates: [{ runId: NOPE, step: 0 }], ids: [['runId']] },
  'finetune:start': {
    templates: [{ baseModelId: NOPE, photoIds: [NOPE], steps: 10, name: 'x', identityWeight: 1 }],
    ids: [['baseModelId'], ['photoIds', 0]],
  },
  'finetune:identityCheck': { templates: [{ modelId: NOPE }], ids: [['modelId']] },
  'finetune:checkPhotos': { templates: [{ photoIds: [NOPE] }], ids: [['photoIds', 0]] },
  'dialogs:openFiles': { templates: [{ title: 'x', multiple: true }] },
  'dialogs:openFolder': { templates: [{ title: 'x' }] },
  'dialogs:chooseExportDestination': { templates: [{ title: 'x' }] },
} satisfies Record<RequestChannel, ChannelSpec>;

/** Ids that pass the id schema (1..128 chars) but name nothing the library issued. */
export const HOSTILE_IDS = [
  '../../etc/passwd',
  '..\\..\\Windows\\win.ini',
  '/etc/passwd',
  'C:\\Windows\\System32\\config\\SAM',
  '\\\\server\\share\\x.jpg',
  'file:///etc/passwd',
  '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
  '....//....//etc/shadow',
  '/proc/self/environ',
  'a.jpg\u0000.png',
  '~/.ssh/id_rsa',
  '../'.repeat(42),
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  '0',
  '-1',
  '1.5',
  '1e999',
  'NaN',
  'Infinity',
  '9007199254740993',
  ' ',
  'null',
  'undefined',
  "1' OR '1'='1",
  '1; DROP TABLE photos; --',
  '*',
  'x'.repeat(128),
  '😀',
];

/** Copies plain objects and arrays (own keys, '__proto__' included); anything else is shared. */
export function clone<T>(v: T, seen = new Map<unknown, unknown>()): T {
  if (v === null || typeof v !== 'object' || v instanceof Uint8Array || !(Array.isArray(v) || Object.getPrototypeOf(v) === Object.prototype)) return v;
  if (seen.has(v)) return seen.get(v) as T;
  const out: Record<string, unknown> | unknown[] = Array.isArray(v) ? [] : {};
  seen.set(v, out);
  for (const [k, item] of Object.entries(v)) {
    Object.defineProperty(out, k, { value: clone(item, seen), enumerable: true, writable: true, configurable: true });
  }
  return out as T;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

/** Paths to every value inside `v` (object keys and array items; bytes are leaves). */
export function valuePaths(v: unknown, prefix: Path = []): Path[] {
  const out: Path[] = [];
  if (Array.isArray(v)) v.forEach((item, i) => out.push([...prefix, i], ...valuePaths(item, [...prefix, i])));
  else if (isPlainObject(v)) for (const [k, item] of Object.entries(v)) out.push([...prefix, k], ...valuePaths(item, [...prefix, k]));
  return out;
}

/** Paths to every plain object inside `v`, the root included. */
export function objectPaths(v: unknown, prefix: Path = []): Path[] {
  if (Array.isArray(v)) return v.flatMap((item, i) => objectPaths(item, [...prefix, i]));
  if (!isPlainObject(v)) return [];
  return [prefix, ...Object.entries(v).flatMap(([k, item]) => objectPaths(item, [...prefix, k]))];
}

function at(root: unknown, path: Path): unknown {
  let o = root;
  for (const k of path) {
    if (o === null || typeof o !== 'object') return undefined;
    o = (o as Record<string | number, unknown>)[k];
  }
  return o;
}

export function setAt(root: unknown, path: Path, value: unknown): unknown {
  if (path.length === 0) return value;
  const copy = clone(root);
  const parent = at(copy, path.slice(0, -1));
  if (parent !== null && typeof parent === 'object') (parent as Record<string | number, unknown>)[path.at(-1)!] = value;
  return copy;
}

export function deleteAt(root: unknown, path: Path): unknown {
  const copy = clone(root);
  const parent = at(copy, path.slice(0, -1));
  if (Array.isArray(parent)) parent.splice(path.at(-1) as number, 1);
  else if (parent !== null && typeof parent === 'object') delete (parent as Record<string, unknown>)[path.at(-1) as string];
  return copy;
}

/** An own enumerable property, as JSON.parse and structured clone create it (even for '__proto__'). */
export function defineOwn(root: unknown, path: Path, key: string, value: unknown): unknown {
  const copy = clone(root);
  Object.defineProperty(at(copy, path), key, { value, enumerable: true, writable: true, configurable: true });
  return copy;
}

function cyclic(): unknown {
  const a: Record<string, unknown> = { name: 'loop' };
  a.self = a;
  return a;
}

function nested(depth: number): unknown {
  let v: unknown = 'bottom';
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { x: v };
  return v;
}

const badNumber = fc.constantFrom(NaN, Infinity, -Infinity, -1, -0.5, 0.5, 1e308, -1e308, 2 ** 53 + 2, -(2 ** 31), 2 ** 32, Number.MIN_VALUE);
const traversal = fc.constantFrom(...HOSTILE_IDS.slice(0, 12));
// Every string limit in the contract is at most 255 characters and every array limit at most
// 5,000 items; these are far beyond (the 1 MB string and 25,000-item array are built once).
const ONE_MB = 'x'.repeat(1024 * 1024);
const BIG_ARRAY = Array.from({ length: 25_000 }, (_, i) => String(100_000 + i));
const hugeString = fc.oneof(
  { arbitrary: fc.integer({ min: 300, max: 20_000 }).map((n) => 'é'.repeat(n)), weight: 9 },
  { arbitrary: fc.constant(ONE_MB), weight: 1 },
);
const hugeArray = fc.oneof(
  { arbitrary: fc.integer({ min: 5_001, max: 8_000 }).map((n) => Array.from({ length: n }, (_, i) => String(100_000 + i))), weight: 9 },
  { arbitrary: fc.constant(BIG_ARRAY), weight: 1 },
);

/** Values of the wrong type or out of range for any field. */
export const junk: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(null, undefined, true, false, '', 0, [], {}),
  badNumber,
  traversal,
  hugeString,
  hugeArray,
  fc.string({ maxLength: 40 }),
  fc.array(fc.anything({ maxDepth: 2 }), { maxLength: 6 }),
  fc.object({ maxDepth: 2 }),
  fc.bigInt(),
  fc.constantFrom<unknown>(new Uint8Array(4), new Date(0), new Map([['a', 1]]), new Set([1]), /x/, () => 1, Symbol('s')),
  fc.constant(null).map(cyclic),
  fc.integer({ min: 50, max: 1_000 }).map(nested),
);

const pollutionKey = fc.constantFrom('__proto__', 'constructor', 'prototype');
const pollutionValue = fc.constantFrom<unknown>(
  { polluted: true },
  { prototype: { polluted: true } },
  { isAdmin: true, name: 'Fuzz', photoId: '1', projectId: '1' },
  'polluted',
  null,
);

export interface Mutant {
  kind: 'root' | 'drop' | 'set' | 'pollute' | 'extra-key';
  payload: unknown;
}

/** Mutants of one template (the caller keeps only those the schema refuses). */
export function mutants(template: unknown): fc.Arbitrary<Mutant> {
  const values = valuePaths(template);
  const objects = objectPaths(template);
  const options: fc.Arbitrary<Mutant>[] = [
    junk.map((payload) => ({ kind: 'root' as const, payload })),
    fc
      .tuple(fc.constantFrom(...objects), pollutionKey, pollutionValue)
      .map(([path, key, value]) => ({ kind: 'pollute' as const, payload: defineOwn(template, path, key, value) })),
    fc
      .tuple(fc.constantFrom(...objects), fc.string({ minLength: 1, maxLength: 24 }), junk)
      .map(([path, key, value]) => ({ kind: 'extra-key' as const, payload: defineOwn(template, path, key, value) })),
  ];
  if (values.length > 0) {
    options.push(
      fc.constantFrom(...values).map((path) => ({ kind: 'drop' as const, payload: deleteAt(template, path) })),
      fc.tuple(fc.constantFrom(...values), junk).map(([path, value]) => ({ kind: 'set' as const, payload: setAt(template, path, value) })),
      fc.tuple(fc.constantFrom(...values), fc.constantFrom(...values), junk, junk).map(([p1, p2, v1, v2]) => ({
        kind: 'set' as const,
        payload: setAt(setAt(template, p1, v1), p2, v2),
      })),
    );
  }
  return fc.oneof(...options);
}

/**
 * The browser host's frame for a request, built the way an attacker would (not with encodeFrame,
 * which drops own '__proto__' keys): header JSON with Uint8Arrays lifted into attachments.
 * Null when the payload has no JSON form (functions, bigints, cycles).
 */
export function rawFrame(channel: string, request: unknown): { frame: Uint8Array; sent: unknown } | null {
  const attachments: Uint8Array[] = [];
  const path = new Set<unknown>();
  const lift = (v: unknown): unknown => {
    if (v instanceof Uint8Array) {
      attachments.push(v);
      return { $bin: attachments.length - 1 };
    }
    if (v === null || typeof v !== 'object') return v;
    // A cycle has no JSON form (found here rather than by overflowing the stack).
    if (path.has(v)) throw new TypeError('cyclic');
    path.add(v);
    let out: unknown;
    if (Array.isArray(v)) out = v.map(lift);
    else {
      const rec: Record<string, unknown> = {};
      for (const [k, item] of Object.entries(v)) {
        Object.defineProperty(rec, k, { value: lift(item), enumerable: true, writable: true, configurable: true });
      }
      out = rec;
    }
    path.delete(v);
    return out;
  };
  let json: string;
  try {
    json = JSON.stringify({ t: 'req', id: 1, channel, request: lift(request) });
  } catch {
    return null;
  }
  // What the server should see: JSON.parse keeps '__proto__' as an own key; attachments back in place.
  const lower = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(lower);
    if (v !== null && typeof v === 'object') {
      const rec = v as Record<string, unknown>;
      const keys = Object.keys(rec);
      if (keys.length === 1 && keys[0] === '$bin' && typeof rec.$bin === 'number') return attachments[rec.$bin];
      const out: Record<string, unknown> = {};
      for (const k of keys) Object.defineProperty(out, k, { value: lower(rec[k]), enumerable: true, writable: true, configurable: true });
      return out;
    }
    return v;
  };
  const sent = (lower(JSON.parse(json)) as { request: unknown }).request;
  // Only the byte layout is shared with the product; the JSON above is built as an attacker would.
  return { frame: packFrame(new TextEncoder().encode(json), attachments), sent };
}
