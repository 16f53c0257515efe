import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { actualSize, clampView, fitView, focusView, panBy, zoomAt } from '../../../../../renderer/features/compare/api/zoom-math';

const content = { width: 4000, height: 3000 };
const viewport = { width: 800, height: 600 };

describe('zoom math', () => {
  it('fits the whole photo centred', () => {
    expect(fitView(content, viewport)).toEqual({ scale: 0.2, x: 0, y: 0 });
    expect(fitView({ width: 3000, height: 3000 }, viewport)).toEqual({ scale: 0.2, x: 100, y: 0 });
  });

  it('keeps the point under the cursor fixed while zooming', () => {
    const v0 = fitView(content, viewport);
    const at = { x: 300, y: 200 };
    const before = { x: (at.x - v0.x) / v0.scale, y: (at.y - v0.y) / v0.scale };
    const v1 = zoomAt(v0, 2, at, content, viewport);
    expect(v1.scale).toBeCloseTo(0.4);
    expect((at.x - v1.x) / v1.scale).toBeCloseTo(before.x);
    expect((at.y - v1.y) / v1.scale).toBeCloseTo(before.y);
  });

  it('never zooms out past fit nor lets the photo leave the viewport', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.double({ min: 0.2, max: 5, noNaN: true }), fc.double({ min: -2000, max: 2000, noNaN: true }), fc.double({ min: -2000, max: 2000, noNaN: true })), { maxLength: 20 }),
        (ops) => {
          let v = fitView(content, viewport);
          for (const [f, dx, dy] of ops) {
            v = zoomAt(v, f, { x: 400, y: 300 }, content, viewport);
            v = panBy(v, dx, dy, content, viewport);
            expect(v.scale).toBeGreaterThanOrEqual(0.2 - 1e-9);
            expect(v.scale).toBeLessThanOrEqual(8);
            expect(v.x).toBeLessThanOrEqual(1e-9);
            expect(v.x + content.width * v.scale).toBeGreaterThanOrEqual(viewport.width - 1e-6);
          }
        },
      ),
    );
  });

  it('actual size shows one photo pixel per screen pixel', () => {
    const v = actualSize(fitView(content, viewport), { x: 400, y: 300 }, content, viewport);
    expect(v.scale).toBe(1);
    expect(clampView(v, content, viewport)).toEqual(v);
  });
});

describe('opening view', () => {
  it('frames the face, at most 100%, never smaller than the whole photo', () => {
    const photo = { width: 3000, height: 4000 };
    const viewport = { width: 500, height: 500 };
    const face = { x: 1300, y: 900, width: 400, height: 400 };
    const v = focusView(photo, viewport, face);
    // The face box, doubled, fills the pane: 500 / 800.
    expect(v.scale).toBeCloseTo(0.625, 5);
    expect(v.scale).toBeGreaterThan(fitView(photo, viewport).scale * 4);
    // Its centre is the pane's centre.
    expect(1500 * v.scale + v.x).toBeCloseTo(250, 5);
    expect(1100 * v.scale + v.y).toBeCloseTo(250, 5);
    expect(focusView(photo, viewport, { x: 0, y: 0, width: 50, height: 50 }).scale).toBe(1);
    expect(focusView(photo, viewport, null)).toEqual(fitView(photo, viewport));
  });
});
