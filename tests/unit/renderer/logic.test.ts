import { describe, expect, it } from 'vitest';
import type { Photo, Run, TrainingProgressEvent } from '../../../preload/contract';
import { describeError } from '../../../renderer/components/describe-error';
import { formatAge, formatAgeLabel, formatDuration, formatTargetAge } from '../../../renderer/components/format-age';
import { LruCache } from '../../../renderer/hooks/lru-cache';
import { defaultModel } from '../../../renderer/hooks/default-model';
import type { ModelSummary } from '../../../preload/contract';
import { DEFAULT_FORM, PRESET_AGES, ageChoices, outputCount, toRequest, toggleAge, validateExport } from '../../../renderer/features/export/api/export-form';
import { isImageFile, planImport } from '../../../renderer/features/library/api/import-plan';
import { checkSelection } from '../../../renderer/features/training/api/finetune-selection';
import { appendHistory, applyProgress, applyRunState, fromList, liveSpeed, lossSeries, progressPercent } from '../../../renderer/features/training/api/run-state';
import { lossLabel } from '../../../renderer/features/training/api/loss-names';

describe('age formatting', () => {
  it('rounds ages for display and keeps one decimal for targets', () => {
    expect(formatAge(34.46)).toBe('34');
    expect(formatAge(0.4)).toBe('<1');
    expect(formatAge(null)).toBe('unknown');
    expect(formatAgeLabel(61.6)).toBe('~62 yrs');
    expect(formatAgeLabel(undefined)).toBe('age unknown');
    expect(formatTargetAge(42)).toBe('42');
    expect(formatTargetAge(42.5)).toBe('42.5');
    expect(formatTargetAge(42.04)).toBe('42');
  });
  it('formats durations for ETAs', () => {
    expect(formatDuration(45)).toBe('45 s');
    expect(formatDuration(95)).toBe('1 min 35 s');
    expect(formatDuration(3725)).toBe('1 h 2 min');
    expect(formatDuration(null)).toBe('--');
  });
});

describe('readable errors', () => {
  it('says what is missing in words and keeps main message as detail', () => {
    const e = describeError({ code: 'not-available-yet', message: 'aging:preview is not available yet' }, 'Aging preview');
    expect(e.title).toBe('Aging preview is not available yet');
    expect(e.detail).toContain('aging:preview');
    expect(describeError({ code: 'no-face', message: 'x' }).detail).toMatch(/No face/);
  });
});

describe('LruCache', () => {
  it('evicts the least recently used and reports evictions', () => {
    const out: string[] = [];
    const c = new LruCache<string, number>(2, (k) => out.push(k));
    c.set('a', 1);
    c.set('b', 2);
    c.get('a');
    c.set('c', 3);
    expect(out).toEqual(['b']);
    expect(c.keys()).toEqual(['a', 'c']);
    c.set('a', 4); // replacing releases the old value
    expect(out).toEqual(['b', 'a']);
    c.clear();
    expect(c.size).toBe(0);
    expect(() => new LruCache(0)).toThrow();
  });
});

describe('import plan', () => {
  it('skips non-images and empty files with reasons and splits by count and bytes', () => {
    const files = [
      { name: 'a.jpg', size: 10, type: 'image/jpeg' },
      { name: 'notes.txt', size: 5, type: 'text/plain' },
      { name: 'b.HEIC', size: 10, type: '' },
      { name: 'empty.png', size: 0, type: 'image/png' },
      { name: '.DS_Store', size: 3, type: '' },
      { name: 'c.png', size: 25, type: 'image/png' },
    ];
    const plan = planImport(files, 2, 30);
    expect(plan.skipped).toEqual([
      { name: 'notes.txt', message: 'not an image file' },
      { name: 'empty.png', message: 'the file is empty' },
    ]);
    expect(plan.batches.map((b) => b.map((f) => f.name))).toEqual([['a.jpg', 'b.HEIC'], ['c.png']]);
    expect(isImageFile({ name: 'x.webp', type: '' })).toBe(true);
  });
});

describe('export form', () => {
  it('validates and builds the contract request', () => {
    const form = { ...DEFAULT_FORM, photoIds: ['1', '2'], ages: toggleAge([60], 30), modelId: 'm' };
    expect(form.ages).toEqual([30, 60]);
    expect(validateExport(form)).toEqual([]);
    expect(outputCount(form)).toBe(4);
    // One contact sheet holds every photo's face; a timeline per photo.
    expect(outputCount({ ...form, layout: 'contact-sheet' })).toBe(1);
    expect(outputCount({ ...form, layout: 'animated-timeline' })).toBe(2);
    expect(toRequest(form, { kind: 'download' })).toMatchObject({
      photoIds: ['1', '2'], ages: [30, 60], faces: 'all', format: 'jpeg', layout: 'files', keepLocation: false,
    });
    // Location is copied only when asked, and only into photo files (sheets never carry metadata).
    expect(toRequest({ ...form, keepLocation: true }, { kind: 'download' }).keepLocation).toBe(true);
    expect(toRequest({ ...form, keepLocation: true, layout: 'contact-sheet' }, { kind: 'download' }).keepLocation).toBe(false);
    expect(validateExport({ ...form, photoIds: [], modelId: null })).toHaveLength(2);
    expect(validateExport({ ...form, layout: 'animated-timeline', ages: [30], format: 'webp' })[0]).toMatch(/two or more/);
    expect(validateExport({ ...form, layout: 'animated-timeline', format: 'png' })[0]).toMatch(/PNG/);
  });
});

describe('export age chips', () => {
  it('every counted age has a chip: presets, the slider age, and other chosen ages', () => {
    expect(ageChoices([72, 30], 72)).toEqual([5, 10, 20, 30, 40, 50, 60, 70, 72, 80, 90]);
    expect(ageChoices([33], 60)).toContain(33);
    expect(ageChoices([], null)).toEqual([...PRESET_AGES]);
    // Whatever the user does, the count equals the chips lit.
    let ages = [72];
    for (const a of [30, 50, 70, 90]) ages = toggleAge(ages, a);
    expect(ages.every((a) => ageChoices(ages, 72).includes(a))).toBe(true);
  });
});

const photo = (id: string, faceCount: number | null): Photo => ({
  id, projectId: '1', name: `${id}.jpg`, mime: 'image/jpeg', width: 10, height: 10, sizeBytes: 1, contentHash: id,
  importedAt: '2026-01-01T00:00:00.000Z', faceCount, estimatedAge: null, tags: [],
});

describe('fine-tune selection check', () => {
  it('skips photos without a usable face, flags several faces, needs 10 to 50', () => {
    const ps = [...Array.from({ length: 9 }, (_, i) => photo(`p${i}`, 1)), photo('none', 0), photo('pending', null), photo('two', 2)];
    const c = checkSelection(ps);
    expect(c.usable).toHaveLength(10);
    expect(c.skipped.map((s) => [s.photo.id, s.reason])).toEqual([['none', 'no usable face'], ['pending', 'faces not detected yet']]);
    expect(c.flagged.map((s) => s.photo.id)).toEqual(['two']);
    expect(c.blockers).toEqual([]);
    expect(checkSelection(ps.slice(0, 5)).blockers[0]).toMatch(/at least 10/);
    expect(checkSelection(Array.from({ length: 51 }, (_, i) => photo(`q${i}`, 1))).blockers[0]).toMatch(/at most 50/);
  });

  it('leaves out faces the identity descriptors place away from the others, unless kept', () => {
    const ps = Array.from({ length: 11 }, (_, i) => photo(`p${i}`, 1));
    const verdict = {
      threshold: 0.6,
      faces: ps.map((p, i) => ({ photoId: p.id, faceIndex: 0, distance: i === 3 ? 0.82 : 0.3, flagged: i === 3 })),
      skipped: [],
    };
    expect(checkSelection(ps, null).blockers).toEqual(['Comparing the faces…']);
    const c = checkSelection(ps, verdict);
    expect(c.strangers.map((s) => s.photo.id)).toEqual(['p3']);
    expect(c.strangers[0]!.reason).toMatch(/0\.82/);
    expect(c.usable.map((p) => p.id)).not.toContain('p3');
    expect(c.usable).toHaveLength(10);
    expect(checkSelection(ps, verdict, ['p3']).usable).toHaveLength(11);
  });
});

const run = (over: Partial<Run> = {}): Run => ({
  runId: 'r1', kind: 'cyclegan', state: 'running', name: 'run', baseModelId: null, outputModelId: null,
  step: 10, steps: 100, startedAt: null, finishedAt: null, lastLosses: {}, error: null, ...over,
});
const progress = (over: Partial<TrainingProgressEvent> = {}): TrainingProgressEvent => ({
  runId: 'r1', kind: 'cyclegan', state: 'running', step: 20, steps: 100, losses: { G: 1.5, D: 0.4 }, stepsPerSec: 2, etaSec: 40, ...over,
});

describe('run state folding', () => {
  it('merges progress and state events into the listed runs', () => {
    let rs = fromList([run()]);
    rs = applyProgress(rs, progress());
    expect(rs[0]).toMatchObject({ step: 20, stepsPerSec: 2, etaSec: 40, lastLosses: { G: 1.5 } });
    // a late state event with an older step does not move progress back
    rs = applyRunState(rs, run({ state: 'paused', step: 15 }));
    expect(rs[0]).toMatchObject({ state: 'paused', step: 20, etaSec: null });
    rs = applyRunState(rs, run({ runId: 'r2', name: 'new' }));
    expect(rs.map((r) => r.runId)).toEqual(['r2', 'r1']);
    expect(progressPercent({ step: 25, steps: 100 })).toBe(25);
    expect(applyProgress(rs, progress({ runId: 'unknown' }))).toEqual(rs);
  });

  it('builds loss series aligned on steps and keeps history bounded and increasing', () => {
    // The child's "started" report has no losses: it is not a point of the chart.
    let h = appendHistory([], progress({ step: 0, losses: {} }));
    expect(h).toHaveLength(0);
    expect(lossSeries([{ step: 0, losses: {}, stepsPerSec: 0 }]).steps).toEqual([]);
    h = appendHistory(h, progress({ step: 1, losses: { G: 2 } }));
    h = appendHistory(h, progress({ step: 2, losses: { G: 1.8, D: 0.5 } }));
    h = appendHistory(h, progress({ step: 2, losses: { G: 9 } }));
    expect(h).toHaveLength(2);
    const s = lossSeries(h);
    expect(s.steps).toEqual([1, 2]);
    expect(s.series).toEqual([{ name: 'D', data: [null, 0.5] }, { name: 'G', data: [2, 1.8] }]);
    let big: ReturnType<typeof appendHistory> = [];
    for (let i = 1; i <= 50; i++) big = appendHistory(big, progress({ step: i }), 20);
    expect(big.length).toBeLessThanOrEqual(20);
    expect(big.at(-1)?.step).toBe(50);
    expect(big.every((p, i) => i === 0 || p.step > big[i - 1]!.step)).toBe(true);
  });
});

describe('default model of a new session', () => {
  const model = (id: string, kind: ModelSummary['kind'], origin: ModelSummary['origin']): ModelSummary => ({
    id,
    name: id,
    kind,
    origin,
    parentId: null,
    lineage: [],
    createdAt: '2026-11-25T00:00:00.000Z',
    ageRange: [0, 90],
    resolution: 64,
    trainingSteps: 0,
    metrics: {},
  });
  it('ranks shipped models as the CLI does and falls back to the first model', () => {
    const proto = model('p', 'prototype', 'shipped');
    const acgan = model('a', 'age-cgan', 'shipped');
    const cgan = model('c', 'cyclegan', 'shipped');
    const mine = model('m', 'cyclegan', 'fine-tuned');
    expect(defaultModel([proto, acgan])?.id).toBe('a');
    expect(defaultModel([mine, proto, cgan, acgan])?.id).toBe('a');
    expect(defaultModel([mine, proto, cgan])?.id).toBe('c');
    expect(defaultModel([mine, proto])?.id).toBe('p');
    expect(defaultModel([mine])?.id).toBe('m');
    expect(defaultModel([])).toBeNull();
    // The engineered stages, when shipped, come first (by name: their kind is the prototype's).
    const engineered = { ...model('e', 'prototype', 'shipped'), name: 'engineered' };
    expect(defaultModel([mine, proto, cgan, acgan, engineered])?.id).toBe('e');
    expect(defaultModel([mine, { ...engineered, origin: 'fine-tuned' as const }, cgan])?.id).toBe('c');
  });
});

describe('dashboard words and figures', () => {
  it('speed and time left survive leaving the tab: taken from the run history when the list has none', () => {
    const [listed] = fromList([run({ step: 40, steps: 100 })]);
    expect(listed!.stepsPerSec).toBeNull();
    const history = [
      { step: 20, losses: { G: 1 }, stepsPerSec: 1.5 },
      { step: 40, losses: { G: 0.9 }, stepsPerSec: 2 },
    ];
    expect(liveSpeed(listed!, history)).toEqual({ stepsPerSec: 2, etaSec: 30 });
    expect(liveSpeed({ ...listed!, state: 'completed' }, history)).toEqual({ stepsPerSec: null, etaSec: null });
    expect(liveSpeed({ ...listed!, stepsPerSec: 3, etaSec: 20 }, history)).toEqual({ stepsPerSec: 3, etaSec: 20 });
  });

  it('loss names in words', () => {
    expect(lossLabel('G_rec')).toBe('Reconstruction of the input face');
    expect(lossLabel('G_teacher')).toBe('Agreement with the teacher model');
    expect(lossLabel('G_unknown_term')).toBe('G unknown term');
  });
});
