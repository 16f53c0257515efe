import fc from 'fast-check';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StudioCore } from '../../../../main/core/core';
import { REQUEST_CHANNELS, requestChannels, type RequestChannel, type Result } from '../../../../preload/contract';
import { decodeFrame } from '../../../../preload/wire-codec';
import { startTestCore } from '../../../helpers/core-fixtures';
import { bundleEngine } from '../../../helpers/engine-bundle';
import { expectTypedError, isReadableMessage, prototypeFingerprint, snapshotLibrary, type LibrarySnapshot } from '../../../helpers/reliability-fixtures';
import { CHANNELS, HOSTILE_IDS, NOPE, mutants, rawFrame, setAt, type ChannelSpec, type Path } from '../../../helpers/fuzz-payloads';

// Contract fuzzing through the real studio core (real SQLite library, real engine process): for
// every request channel, at least 200 generated bad payloads, each delivered twice: as main receives
// it from Electron IPC (core.dispatch) and as the browser host decodes it from an attacker's raw
// socket frame (decodeFrame, then core.dispatch). Every one must come back as the contract's typed
// error, never as a success, a throw or an 'internal' failure (one known exception: export:start
// checks its model when the job runs, so a hostile model id starts a job that must then fail
// without writing anything; counted as 'failed-later'); afterwards main and the engine still
// answer, the library is byte-for-byte as it was and no built-in prototype gained a property.

const SEED = Number(process.env.FUZZ_SEED ?? 20_261_125);
const RUNS = 200;
const call = { host: 'test' as const };

interface Tally {
  payloads: number;
  deliveries: number;
  codes: Record<string, number>;
  kinds: Record<string, number>;
}

let dir = '';
let core: StudioCore;
let realPhoto = '';
let realProject = '';
let before: LibrarySnapshot;
let enginePid: number | null = null;
const prototypesBefore = prototypeFingerprint();
const tallies = new Map<string, Tally>();

function tally(channel: string): Tally {
  let t = tallies.get(channel);
  if (!t) tallies.set(channel, (t = { payloads: 0, deliveries: 0, codes: {}, kinds: {} }));
  return t;
}

/** Delivers one bad payload both ways; each must be refused with a typed error (not 'internal'). */
async function deliver(channel: string, payload: unknown, kind: string, mustRejectOnWire: (sent: unknown) => boolean) {
  const t = tally(channel);
  t.payloads++;
  t.kinds[kind] = (t.kinds[kind] ?? 0) + 1;
  const check = async (r: Result<unknown>, route: string) => {
    if (r.ok && channel === 'export:start' && kind === 'hostile-id') {
      // export:start checks its model only once the job runs: the job must then fail, writing nothing.
      const code = await deferredExportFailure(r.value as { exportId: string }, `${channel} via ${route}: ${describePayload(payload)}`);
      t.codes[code] = (t.codes[code] ?? 0) + 1;
      t.deliveries++;
      return;
    }
    const code = expectTypedError(r, `${channel} via ${route} (${kind}): ${describePayload(payload)}`);
    expect(code, `${channel} via ${route} (${kind}) failed inside a handler: ${JSON.stringify(r).slice(0, 400)}`).not.toBe('internal');
    t.codes[code] = (t.codes[code] ?? 0) + 1;
    t.deliveries++;
  };
  await check(await core.dispatch(channel, payload, call), 'ipc');
  const raw = rawFrame(channel, payload);
  // JSON turns NaN into null, drops undefined: only frames that are still bad on the wire must be refused.
  if (raw && mustRejectOnWire(raw.sent)) {
    const msg = decodeFrame(raw.frame) as { channel: string; request: unknown };
    await check(await core.dispatch(msg.channel, msg.request, call), 'wire');
  }
}

/** Waits for an export job to end; it must fail with a readable error and no outputs. */
async function deferredExportFailure({ exportId }: { exportId: string }, what: string): Promise<string> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const list = await core.dispatch('export:list', {}, call);
    const job = list.ok ? (list.value as { exports: { exportId: string; state: string; error: string | null; outputs: string[] }[] }).exports.find((j) => j.exportId === exportId) : undefined;
    expect(job, what).toBeDefined();
    if (job && job.state !== 'running' && job.state !== 'queued') {
      expect(job.state, what).toBe('failed');
      expect(isReadableMessage(job.error), `${what}: ${job.error}`).toBe(true);
      expect(job.outputs, what).toEqual([]);
      return 'failed-later';
    }
    expect(Date.now(), `${what}: job still running`).toBeLessThan(deadline);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function describePayload(p: unknown): string {
  try {
    const s = JSON.stringify(p, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v instanceof Uint8Array ? `<${v.length} bytes>` : v));
    return (s ?? String(p)).slice(0, 300);
  } catch {
    return `<${typeof p}, not JSON>`;
  }
}

beforeAll(async () => {
  ({ dir } = await bundleEngine('reliability-fuzz'));
  core = startTestCore(dir);
  // One real photo, so hostile ids are tried next to real ones and the library has something to lose.
  const bytes = new Uint8Array(readFileSync(join('tests/fixtures/photos', 'one-face.jpg')));
  const r = await core.dispatch('photos:import', { projectId: null, source: { kind: 'bytes', files: [{ name: 'one-face.jpg', bytes }] } }, call);
  const photo = r.ok ? (r.value as { imported: { id: string; projectId: string }[] }).imported[0] : undefined;
  if (!photo) throw new Error(`fixture import failed: ${JSON.stringify(r).slice(0, 300)}`);
  realPhoto = photo.id;
  realProject = photo.projectId;
  const status = await core.dispatch('system:ping', {}, call);
  enginePid = status.ok ? (status.value as { enginePid: number }).enginePid : null;
  await core.dispatch('settings:get', {}, call);
  before = snapshotLibrary(await core.context.library(), join(dir, 'config', 'settings.json'));
});

afterAll(async () => {
  await core?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('contract fuzzing through the real core', () => {
  it('covers every request channel of the contract', () => {
    expect(Object.keys(CHANNELS).sort()).toEqual([...REQUEST_CHANNELS].sort());
  });

  for (const channel of REQUEST_CHANNELS) {
    it(`${channel}: ${RUNS}+ bad payloads, every one refused with a typed error`, async () => {
      const spec: ChannelSpec = CHANNELS[channel];
      const schema = requestChannels[channel as RequestChannel].request;
      const invalid = (p: unknown) => !schema.safeParse(p).success;
      for (const template of spec.templates) expect(schema.safeParse(template).success, `template of ${channel}`).toBe(true);

      // 1. Schema-breaking mutants of the templates: the router must refuse them before any handler.
      const arb = fc.oneof(...spec.templates.map(mutants)).filter((m) => invalid(m.payload));
      await fc.assert(
        fc.asyncProperty(arb, async (m) => deliver(channel, m.payload, m.kind, invalid)),
        { numRuns: RUNS, seed: SEED, endOnFailure: true },
      );

      // 2. Well-formed payloads naming hostile ids next to real ones: the handler must refuse them.
      for (const template of spec.templates) {
        const withReal = realIds(template);
        for (const path of spec.ids ?? []) {
          if (!hasPath(template, path)) continue;
          for (const id of HOSTILE_IDS) {
            const payload = setAt(withReal, path, id);
            if (invalid(payload)) continue;
            await deliver(channel, payload, 'hostile-id', () => true);
          }
        }
      }
      expect(tally(channel).payloads).toBeGreaterThanOrEqual(RUNS);
    });
  }

  it('refuses unknown and look-alike channel names', async () => {
    const names = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.constantFrom<unknown>('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'photos:import ', 'PHOTOS:IMPORT', 'studio:req:photos:list', 'photos', ''),
      fc.anything({ maxDepth: 1 }),
    ).filter((n) => !(REQUEST_CHANNELS as unknown[]).includes(n));
    await fc.assert(
      fc.asyncProperty(names, async (name) => {
        const r = await core.dispatch(name, {}, call);
        expect(expectTypedError(r, `channel ${describePayload(name)}`)).toBe('invalid-payload');
        const t = tally('(unknown channel)');
        t.payloads++;
        t.deliveries++;
        t.codes['invalid-payload'] = (t.codes['invalid-payload'] ?? 0) + 1;
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });

  it('afterwards: main and the engine answer, the library is unchanged, no prototype is polluted', async () => {
    const pong = await core.dispatch('system:ping', { echo: 'still here' }, call);
    expect(pong).toMatchObject({ ok: true, value: { echo: 'still here' } });
    // The same engine process: no bad payload crashed it.
    expect(pong.ok && (pong.value as { enginePid: number }).enginePid).toBe(enginePid);
    expect(await core.dispatch('system:status', {}, call)).toMatchObject({ ok: true, value: { state: 'ready', restarts: 0 } });
    expect(await core.dispatch('projects:list', {}, call)).toMatchObject({ ok: true, value: { projects: [{ id: realProject }] } });
    expect(await core.dispatch('photos:list', {}, call)).toMatchObject({ ok: true, value: { total: 1, items: [{ id: realPhoto }] } });
    const faces = await core.dispatch('faces:list', { photoId: realPhoto }, call);
    expect(faces.ok && (faces.value as { faces: unknown[] }).faces).toHaveLength(1);

    const lib = await core.context.library();
    expect(snapshotLibrary(lib, join(dir, 'config', 'settings.json'))).toEqual(before);
    expect(lib.integrityCheck()).toEqual(['ok']);
    expect(prototypeFingerprint()).toEqual(prototypesBefore);
    for (const probe of [{}, [], () => 0, '']) {
      expect((probe as Record<string, unknown>).polluted).toBeUndefined();
      expect((probe as Record<string, unknown>).isAdmin).toBeUndefined();
    }

    const rows = [...tallies].map(([channel, t]) => ({ channel, payloads: t.payloads, deliveries: t.deliveries, codes: t.codes }));
    const total = rows.reduce((a, r) => ({ payloads: a.payloads + r.payloads, deliveries: a.deliveries + r.deliveries }), { payloads: 0, deliveries: 0 });
    console.log(`contract fuzz (seed ${SEED}):`);
    for (const r of rows) console.log(`  ${r.channel.padEnd(34)} ${String(r.payloads).padStart(5)} payloads ${String(r.deliveries).padStart(5)} deliveries  ${JSON.stringify(r.codes)}`);
    console.log(`  total: ${total.payloads} payloads, ${total.deliveries} deliveries, ${rows.length} channels, all refused with typed errors`);
    expect(rows.filter((r) => r.channel !== '(unknown channel)')).toHaveLength(REQUEST_CHANNELS.length);
    for (const r of rows) expect(r.payloads, r.channel).toBeGreaterThanOrEqual(RUNS);
  });
});

/** The template with its NOPE ids replaced by the real photo and project where such fields exist. */
function realIds(template: unknown): unknown {
  let out = template;
  const real: Record<string, string> = { photoId: realPhoto, projectId: realProject };
  for (const [key, id] of Object.entries(real)) {
    if (hasPath(out, [key]) && (out as Record<string, unknown>)[key] === NOPE) out = setAt(out, [key], id);
  }
  if (hasPath(out, ['photoIds', 0])) out = setAt(out, ['photoIds', 0], realPhoto);
  return out;
}

function hasPath(v: unknown, path: Path): boolean {
  let o = v;
  for (const k of path) {
    if (o === null || typeof o !== 'object' || !Object.hasOwn(o, k)) return false;
    o = (o as Record<string | number, unknown>)[k];
  }
  return true;
}
