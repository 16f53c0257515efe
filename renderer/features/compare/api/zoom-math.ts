/**
 * Pure view math for the synchronised zoom and pan: one view `{ scale, x, y }` maps content
 * pixels to viewport pixels (screen = content * scale + offset) and is shared by both panes.
 */
export interface View {
  scale: number;
  x: number;
  y: number;
}

export interface Size {
  width: number;
  height: number;
}

export const MAX_SCALE = 8;

/** The view that fits the whole content, centred (never upscales past 1 unless the content is tiny). */
export function fitView(content: Size, viewport: Size): View {
  if (content.width <= 0 || content.height <= 0 || viewport.width <= 0 || viewport.height <= 0) return { scale: 1, x: 0, y: 0 };
  const scale = Math.min(viewport.width / content.width, viewport.height / content.height);
  return { scale, x: (viewport.width - content.width * scale) / 2, y: (viewport.height - content.height * scale) / 2 };
}

/** Keeps the content covering the viewport when zoomed in, and centred when smaller. */
export function clampView(v: View, content: Size, viewport: Size): View {
  const fit = fitView(content, viewport);
  const scale = Math.min(MAX_SCALE, Math.max(fit.scale, v.scale));
  const w = content.width * scale;
  const h = content.height * scale;
  const x = w <= viewport.width ? (viewport.width - w) / 2 : Math.min(0, Math.max(viewport.width - w, v.x));
  const y = h <= viewport.height ? (viewport.height - h) / 2 : Math.min(0, Math.max(viewport.height - h, v.y));
  return { scale, x, y };
}

/** Zoom by `factor` keeping the content point under `at` (viewport coords) fixed. */
export function zoomAt(v: View, factor: number, at: { x: number; y: number }, content: Size, viewport: Size): View {
  const target = v.scale * factor;
  const fit = fitView(content, viewport);
  const scale = Math.min(MAX_SCALE, Math.max(fit.scale, target));
  const k = scale / v.scale;
  return clampView({ scale, x: at.x - (at.x - v.x) * k, y: at.y - (at.y - v.y) * k }, content, viewport);
}

export function panBy(v: View, dx: number, dy: number, content: Size, viewport: Size): View {
  return clampView({ scale: v.scale, x: v.x + dx, y: v.y + dy }, content, viewport);
}

/** Zoom so one content pixel is one screen pixel (full resolution), centred on `at`. */
export function actualSize(v: View, at: { x: number; y: number }, content: Size, viewport: Size): View {
  return zoomAt(v, 1 / v.scale, at, content, viewport);
}

/**
 * The opening view: framed on the face (its box with a margin of half its size all round, so the
 * head and some context show), never past 100% and never smaller than the whole photo; the whole
 * photo when no face is known.
 */
export function focusView(content: Size, viewport: Size, face: { x: number; y: number; width: number; height: number } | null): View {
  const fit = fitView(content, viewport);
  if (!face || face.width <= 0 || face.height <= 0) return fit;
  const w = face.width * 2;
  const h = face.height * 2;
  const scale = Math.max(fit.scale, Math.min(1, viewport.width / w, viewport.height / h));
  const cx = face.x + face.width / 2;
  const cy = face.y + face.height / 2;
  return clampView({ scale, x: viewport.width / 2 - cx * scale, y: viewport.height / 2 - cy * scale }, content, viewport);
}
