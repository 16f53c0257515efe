/**
 * One zoom/pan view shared by every pane that calls `bind` (side-by-side panes, or the wipe):
 * wheel zooms at the cursor, drag pans, double-click toggles fit / full resolution.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { actualSize, clampView, fitView, focusView, panBy, zoomAt, type Size, type View } from '../api/zoom-math';

type Box = { x: number; y: number; width: number; height: number };

/** `face`: the opening view is framed on it (see focusView); double-click still fits the whole photo. */
export function useZoomPan(content: Size | null, face: Box | null = null) {
  const [viewport, setViewport] = useState<Size>({ width: 0, height: 0 });
  const [view, setView] = useState<View | null>(null);
  const observed = useRef<HTMLElement | null>(null);
  const observer = useRef<ResizeObserver | null>(null);
  const drag = useRef<{ x: number; y: number } | null>(null);
  const state = useRef({ view, content, viewport, face });
  state.current = { view, content, viewport, face };

  const current = (): View | null => {
    const s = state.current;
    if (!s.content || s.viewport.width === 0) return null;
    return s.view ?? focusView(s.content, s.viewport, s.face);
  };

  // Re-fit when the photo changes or the viewport is resized.
  const cw = content?.width ?? 0;
  const ch = content?.height ?? 0;
  useEffect(() => {
    const c = { width: cw, height: ch };
    setView((v) => (v && cw > 0 && viewport.width > 0 ? clampView(v, c, viewport) : null));
  }, [cw, ch, viewport]);

  const onWheel = useCallback((e: WheelEvent) => {
    const s = state.current;
    const v = current();
    if (!v || !s.content) return;
    e.preventDefault();
    const r = (e.currentTarget as HTMLElement).getBoundingClientRect();
    setView(zoomAt(v, Math.exp(-e.deltaY * 0.0015), { x: e.clientX - r.left, y: e.clientY - r.top }, s.content, s.viewport));
  }, []);

  const wheelTargets = useRef(new Set<HTMLElement>());
  /** Ref callback for a pane: measures it (first one) and listens for wheel (non-passive). */
  const paneRef = useCallback(
    (el: HTMLElement | null) => {
      if (!el) return;
      if (!wheelTargets.current.has(el)) {
        wheelTargets.current.add(el);
        el.addEventListener('wheel', onWheel, { passive: false });
      }
      if (!observed.current || !observed.current.isConnected) {
        observer.current?.disconnect();
        observed.current = el;
        observer.current = new ResizeObserver(([entry]) => {
          if (entry) setViewport({ width: entry.contentRect.width, height: entry.contentRect.height });
        });
        observer.current.observe(el);
      }
    },
    [onWheel],
  );
  useEffect(
    () => () => {
      observer.current?.disconnect();
      for (const el of wheelTargets.current) el.removeEventListener('wheel', onWheel);
    },
    [onWheel],
  );

  const bind = {
    onPointerDown: (e: React.PointerEvent) => {
      if (e.button !== 0) return;
      drag.current = { x: e.clientX, y: e.clientY };
      (e.currentTarget as HTMLElement).setPointerCapture?.(e.pointerId);
    },
    onPointerMove: (e: React.PointerEvent) => {
      const d = drag.current;
      const v = current();
      const s = state.current;
      if (!d || !v || !s.content) return;
      drag.current = { x: e.clientX, y: e.clientY };
      setView(panBy(v, e.clientX - d.x, e.clientY - d.y, s.content, s.viewport));
    },
    onPointerUp: () => {
      drag.current = null;
    },
    onDoubleClick: (e: React.MouseEvent) => {
      const v = current();
      const s = state.current;
      if (!v || !s.content) return;
      const fit = fitView(s.content, s.viewport);
      if (v.scale > fit.scale * 1.01) return setView(fit);
      const r = (e.currentTarget as HTMLElement).getBoundingClientRect();
      setView(actualSize(v, { x: e.clientX - r.left, y: e.clientY - r.top }, s.content, s.viewport));
    },
  };

  const effective = content && viewport.width > 0 ? (view ?? focusView(content, viewport, face)) : null;
  const zoomBy = (factor: number) => {
    const v = current();
    const s = state.current;
    if (v && s.content) setView(zoomAt(v, factor, { x: s.viewport.width / 2, y: s.viewport.height / 2 }, s.content, s.viewport));
  };
  return {
    view: effective,
    paneRef,
    bind,
    fit: () => {
      const s = state.current;
      if (s.content && s.viewport.width > 0) setView(fitView(s.content, s.viewport));
    },
    actual: () => {
      const v = current();
      const s = state.current;
      if (v && s.content) setView(actualSize(v, { x: s.viewport.width / 2, y: s.viewport.height / 2 }, s.content, s.viewport));
    },
    zoomBy,
  };
}
