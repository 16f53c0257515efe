/**
 * Keeps the aged preview in step with the slider without piling up work in the engine.
 *
 * - At most one request is in flight, so frames never queue up in the engine. While the user
 *   drags (or holds an arrow key), requests are drafts (a cheaper pass: smaller crop, JPEG) and
 *   each draft that comes back is shown at once, even when the thumb has moved on since it was
 *   asked for: the face follows the thumb at the engine's pace. Newer targets replace the one
 *   waiting (superseded targets are dropped, never sent). On release (`final`), a stale request
 *   in flight is cancelled with aging:cancel and the released target goes out at once, at full
 *   quality; drafts never stand in for a released age.
 * - Answers land in an LRU cache keyed by (photo, face, model, age); a cached target shows
 *   immediately without touching the engine.
 * - When idle, neighbouring ages of the current target are prefetched one at a time; any
 *   foreground request cancels a prefetch in flight. With `idle` injected, prefetching waits until
 *   the shown preview is on screen: on a busy machine the engine's next pass would otherwise take
 *   the core the renderer needs to decode and paint the one the user asked for.
 *
 * Pure of React and of the transport: `send` and `cancel` are injected, so tests drive it with
 * fake engines and the hook wires it to `studio.aging`.
 */
import type { PreviewResponse, Result, StudioError } from '../../../../preload/contract';
import { LruCache } from '../../../hooks/lru-cache';

export interface PreviewTarget {
  photoId: string;
  faceIndex: number;
  modelId: string;
  /** 0..90, one decimal. */
  age: number;
}

export interface PreviewRequestOut {
  requestId: string;
  photoId: string;
  faceIndex: number;
  modelId: string;
  targetAge: number;
  output: 'crop';
  quality: 'full' | 'draft';
}

export interface ShownPreview<V> {
  target: PreviewTarget;
  value: V;
  fromCache: boolean;
  /** From the request(final) call to delivery. */
  latencyMs: number;
  /** A drag frame (cheaper pass); the released age always ends on a full preview. */
  draft: boolean;
}

export interface SchedulerStats {
  sent: number;
  cancelled: number;
  /** Targets replaced while waiting, never sent. */
  dropped: number;
  cacheHits: number;
  prefetched: number;
  /** Drag frames shown (draft answers and cache hits while dragging). */
  dragFrames: number;
}

export interface PreviewSchedulerOptions<V> {
  send(req: PreviewRequestOut): Promise<Result<PreviewResponse>>;
  cancel(requestId: string): void | Promise<unknown>;
  /** Turns an answer into what the cache keeps (e.g. a blob: URL). */
  toValue(res: PreviewResponse): V | null;
  release?(value: V): void;
  onShow(shown: ShownPreview<V>): void;
  onError(error: StudioError, target: PreviewTarget): void;
  /** Called when the foreground becomes busy or idle (spinner). */
  onBusy?(busy: boolean): void;
  cacheSize?: number;
  /** Ages relative to the target (rounded) fetched while idle. */
  prefetchOffsets?: readonly number[];
  /** Runs `prefetch` once the shown preview is on screen (default: at once). */
  idle?: (prefetch: () => void) => void;
  now?: () => number;
  newId?: () => string;
}

export function previewKey(t: PreviewTarget, draft = false): string {
  return `${t.photoId}|${t.faceIndex}|${t.modelId}|${t.age.toFixed(1)}${draft ? '|draft' : ''}`;
}

const sameSubject = (a: PreviewTarget, b: PreviewTarget) => a.photoId === b.photoId && a.faceIndex === b.faceIndex && a.modelId === b.modelId;

export const AGE_LIMITS = [0, 90] as const;

interface Flight {
  id: string;
  target: PreviewTarget;
  key: string;
  kind: 'foreground' | 'prefetch';
  draft: boolean;
  /** We cancelled it ourselves (superseded); its answer only goes to the cache. */
  aborted: boolean;
}

let counter = 0;
const defaultId = () => `pv-${Date.now().toString(36)}-${(++counter).toString(36)}`;

export class PreviewScheduler<V> {
  readonly cache: LruCache<string, V>;
  readonly stats: SchedulerStats = { sent: 0, cancelled: 0, dropped: 0, cacheHits: 0, prefetched: 0, dragFrames: 0 };
  private want: PreviewTarget | null = null;
  /** The last request was a drag step (not final): answers are drafts, shown as they come. */
  private dragging = false;
  private wantedAt = 0;
  private flight: Flight | null = null;
  private waiting: PreviewTarget | null = null;
  private prefetchBlocked = false;
  /** Times the wanted request was cancelled by someone else in a row (guards against a loop). */
  private foreignCancels = 0;
  private disposed = false;
  private readonly now: () => number;
  private readonly newId: () => string;

  constructor(private readonly opts: PreviewSchedulerOptions<V>) {
    this.cache = new LruCache<string, V>(opts.cacheSize ?? 48, (_, v) => opts.release?.(v));
    this.now = opts.now ?? (() => performance.now());
    this.newId = opts.newId ?? defaultId;
  }

  get current(): PreviewTarget | null {
    return this.want;
  }

  get inFlight(): { target: PreviewTarget; kind: 'foreground' | 'prefetch' } | null {
    return this.flight ? { target: this.flight.target, kind: this.flight.kind } : null;
  }

  /** Ask for the preview at `target`; `final` = the slider was released (or a key pressed). */
  request(target: PreviewTarget, { final = true }: { final?: boolean } = {}): void {
    if (this.disposed) return;
    const key = previewKey(target);
    const sameAsBefore = this.want !== null && previewKey(this.want) === key && this.dragging === !final;
    this.want = target;
    this.dragging = !final;
    if (!sameAsBefore) this.foreignCancels = 0;
    if (!sameAsBefore || final) this.wantedAt = this.now();
    // A new photo/face/model is a fresh chance for prefetching.
    this.prefetchBlocked = false;

    // A full preview always serves; while dragging, so does a draft of the same age.
    const hitKey = this.cache.has(key) ? key : !final && this.cache.has(previewKey(target, true)) ? previewKey(target, true) : null;
    const hit = hitKey === null ? undefined : this.cache.get(hitKey);
    if (hit !== undefined) {
      this.stats.cacheHits++;
      if (!final) this.stats.dragFrames++;
      if (this.waiting) {
        this.waiting = null;
        this.stats.dropped++;
      }
      if (this.flight && this.flight.key !== hitKey && this.flight.kind === 'foreground' && final) this.abort(this.flight);
      this.opts.onShow({ target, value: hit, fromCache: true, latencyMs: this.now() - this.wantedAt, draft: hitKey !== key });
      this.setBusy(this.flight !== null && this.flight.kind === 'foreground');
      this.pump();
      return;
    }

    const wantKey = previewKey(target, !final);
    if (this.flight?.key === wantKey || (this.flight?.key === key && !final)) {
      // Already on its way; promote a prefetch so its answer is shown.
      this.flight.kind = 'foreground';
      if (this.waiting) {
        this.waiting = null;
        this.stats.dropped++;
      }
      this.setBusy(true);
      return;
    }

    if (this.flight && (this.flight.kind === 'prefetch' || final)) this.abort(this.flight);

    if (this.flight) {
      if (this.waiting) this.stats.dropped++;
      this.waiting = target;
    } else {
      if (this.waiting) {
        this.waiting = null;
        this.stats.dropped++;
      }
      this.launch(target, 'foreground', !final);
    }
    this.setBusy(true);
  }

  /** Stop everything (screen closed, photo deleted). The cache stays unless `clear`. */
  dispose(clear = true): void {
    this.disposed = true;
    if (this.flight) this.abort(this.flight);
    this.waiting = null;
    if (clear) this.cache.clear();
  }

  private setBusy(b: boolean) {
    this.opts.onBusy?.(b);
  }

  private abort(f: Flight) {
    this.stats.cancelled++;
    f.aborted = true;
    if (this.flight === f) this.flight = null;
    void this.opts.cancel(f.id);
  }

  private launch(target: PreviewTarget, kind: Flight['kind'], draft = false) {
    const flight: Flight = { id: this.newId(), target, key: previewKey(target, draft), kind, draft, aborted: false };
    this.flight = flight;
    this.stats.sent++;
    if (kind === 'prefetch') this.stats.prefetched++;
    void this.opts
      .send({
        requestId: flight.id,
        photoId: target.photoId,
        faceIndex: target.faceIndex,
        modelId: target.modelId,
        targetAge: target.age,
        output: 'crop',
        quality: draft ? 'draft' : 'full',
      })
      .then((r) => this.settle(flight, r));
  }

  private settle(flight: Flight, r: Result<PreviewResponse>) {
    if (this.flight === flight) this.flight = null;
    if (this.disposed) return;
    const wantedKey = this.want ? previewKey(this.want, this.dragging) : null;
    if (r.ok) {
      this.foreignCancels = 0;
      const value = this.opts.toValue(r.value);
      if (value !== null) {
        this.cache.set(flight.key, value);
        if (flight.key === wantedKey && this.want) {
          this.opts.onShow({ target: this.want, value, fromCache: false, latencyMs: this.now() - this.wantedAt, draft: flight.draft });
          if (this.dragging) this.stats.dragFrames++;
        } else if (this.dragging && this.want && flight.kind === 'foreground' && !flight.aborted && sameSubject(flight.target, this.want)) {
          // A drag frame for where the thumb was a moment ago: shown now, the newer one follows.
          this.opts.onShow({ target: flight.target, value, fromCache: false, latencyMs: this.now() - this.wantedAt, draft: flight.draft });
          this.stats.dragFrames++;
        }
      }
    } else if (r.error.code === 'cancelled') {
      // Cancelled by main rather than by us (e.g. an engine restart): retry the wanted one once.
      if (!flight.aborted && flight.key === wantedKey && ++this.foreignCancels > 1) this.prefetchBlocked = true;
    } else {
      if (flight.kind === 'prefetch') this.prefetchBlocked = true;
      else if (flight.key === wantedKey && this.want) {
        this.prefetchBlocked = true;
        this.opts.onError(r.error, this.want);
      }
    }
    this.pump();
  }

  /** Next thing to do once nothing is in flight: the waiting target, else the wanted one, else prefetch. */
  private pump() {
    if (this.flight || this.disposed) return;
    const wait = this.waiting;
    this.waiting = null;
    if (wait) {
      const draft = this.dragging && wait === this.want;
      const cached = this.cache.has(previewKey(wait)) || (draft && this.cache.has(previewKey(wait, true)));
      if (!cached) return this.launch(wait, 'foreground', draft);
    }
    if (!this.want) return this.setBusy(false);
    const wantKey = previewKey(this.want, this.dragging);
    if (!this.cache.has(wantKey) && !this.cache.has(previewKey(this.want))) {
      // The wanted target's request was cancelled or failed before; failed ones are not retried.
      if (this.prefetchBlocked) return this.setBusy(false);
      return this.launch(this.want, 'foreground', this.dragging);
    }
    this.setBusy(false);
    if (this.opts.idle) this.opts.idle(() => this.prefetch());
    else this.prefetch();
  }

  /** The next neighbouring age not cached yet, when nothing else is going on. */
  private prefetch() {
    // Nothing is prefetched mid-drag: the engine's time goes to the frames the thumb asks for.
    if (this.flight || this.disposed || !this.want || this.prefetchBlocked || this.dragging) return;
    for (const off of this.opts.prefetchOffsets ?? [1, -1, 2, -2, 5, -5]) {
      const age = Math.round(this.want.age) + off;
      if (age < AGE_LIMITS[0] || age > AGE_LIMITS[1]) continue;
      const t = { ...this.want, age };
      if (!this.cache.has(previewKey(t))) return this.launch(t, 'prefetch');
    }
  }
}
