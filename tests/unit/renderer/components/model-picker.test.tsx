// @vitest-environment happy-dom
/**
 * The model picker names every kind the library holds (Age-cGAN, CycleGAN, Prototype), groups
 * shipped bases, fine-tuned and trained versions, shows lineage, and does not repeat the kind when
 * a shipped folder is named after it ("prototype").
 */
import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ModelSummary } from '../../../../preload/contract';
import { ModelPicker, modelDetail, modelLabel, modelName } from '../../../../renderer/components/model-picker';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

const model = (id: string, kind: ModelSummary['kind'], name: string, origin: ModelSummary['origin'], lineage: ModelSummary['lineage'] = []): ModelSummary => ({
  id, kind, name, origin, lineage, parentId: lineage.at(-1)?.id ?? null, createdAt: '2026-01-01T00:00:00.000Z',
  ageRange: [0, 90], resolution: kind === 'prototype' ? 128 : 64, trainingSteps: 0, metrics: {},
});

const MODELS = [
  model('1', 'prototype', 'prototype', 'shipped'),
  model('2', 'age-cgan', 'UTK base', 'shipped'),
  model('3', 'cyclegan', 'cyclegan', 'shipped'),
  model('4', 'cyclegan', 'Me, 2026', 'fine-tuned', [{ id: '3', name: 'cyclegan' }]),
  model('5', 'age-cgan', 'Night run', 'trained'),
];

let root: Root;
let host: HTMLElement;
beforeEach(() => {
  host = document.createElement('div');
  document.body.appendChild(host);
  root = createRoot(host);
});
afterEach(() => {
  act(() => root.unmount());
  host.remove();
});

describe('model labels', () => {
  it('names the kind once, with resolution and lineage', () => {
    expect(modelName(MODELS[0]!)).toBe('Prototype');
    expect(modelLabel(MODELS[0]!)).toBe('Prototype · 128 px');
    expect(modelLabel(MODELS[1]!)).toBe('UTK base · Age-cGAN · 64 px');
    expect(modelLabel(MODELS[2]!)).toBe('CycleGAN · 64 px');
    expect(modelDetail(MODELS[3]!)).toBe('CycleGAN · 64 px · from cyclegan');
    expect(modelDetail(MODELS[0]!)).toBe('Prototype · mean faces, no training; simplest and fastest · 128 px');
    // A shipped model says in one line what it is for; the engineered stages get a readable name.
    const engineered = model('6', 'prototype', 'engineered', 'shipped');
    expect(modelLabel(engineered)).toBe('Engineered stages · 128 px');
    expect(modelDetail(engineered)).toMatch(/^Ages furthest: reshapes the face, greys hair; no training · 128 px$/);
    expect(modelDetail(MODELS[2]!)).toMatch(/^CycleGAN · learned, milder/);
    // The same folder name on a version of the user's own is not a shipped model.
    expect(modelLabel({ ...engineered, origin: 'trained' })).toBe('engineered · Prototype · 128 px');
  });
});

describe('ModelPicker', () => {
  it('lists all three kinds in their groups and shows the picked one', async () => {
    let picked = '';
    await act(async () => root.render(<ModelPicker models={MODELS} value="2" onChange={(id) => (picked = id)} />));
    const combo = document.querySelector('[role="combobox"]') as HTMLElement;
    expect(combo.textContent).toBe('UTK base · Age-cGAN · 64 px');
    await act(async () => {
      combo.dispatchEvent(new MouseEvent('mousedown', { bubbles: true, button: 0 }));
    });
    const options = [...document.querySelectorAll('[data-testid="model-option"]')] as HTMLElement[];
    expect(options.map((o) => o.dataset.kind)).toEqual(['prototype', 'age-cgan', 'cyclegan', 'cyclegan', 'age-cgan']);
    const headers = [...document.querySelectorAll('.MuiListSubheader-root')].map((h) => h.textContent);
    expect(headers).toEqual(['Base models', 'Fine-tuned', 'Trained here']);
    expect(options[0]!.textContent).toBe('PrototypePrototype · mean faces, no training; simplest and fastest · 128 px');
    expect(options[2]!.textContent).toContain('CycleGAN');
    expect(options[3]!.textContent).toContain('from cyclegan');
    await act(async () => options[4]!.click());
    expect(picked).toBe('5');
  });

  it('says so when the library has no model', async () => {
    await act(async () => root.render(<ModelPicker models={[]} value={null} onChange={() => undefined} />));
    expect(host.textContent).toContain('No models in the library yet');
    expect((document.querySelector('[data-testid="model-picker"]') as HTMLInputElement).disabled).toBe(true);
  });
});
