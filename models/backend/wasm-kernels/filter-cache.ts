/**
 * Filters derived from a conv's weights (phase filters of Conv2DBackpropInput), cached per weights
 * buffer and geometry: within a training step every dx of a layer sees the same weights, and
 * reusing the derived filter also lets XNNPACK reuse its packed operator (packing 2M weights ~20 ms).
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { free, type TensorInfo } from './heap';

/** Source weights buffer -> (derivation key -> derived filters). */
const filterCache = new Map<object, Map<string, TensorInfo[]>>();
const FILTER_CACHE_MAX = 64; // source buffers

const dropAll = (backend: BackendWasm, byKey: Map<string, TensorInfo[]>) => {
  for (const fs of byKey.values()) for (const f of fs) if (backend.dataIdMap.has(f.dataId)) free(backend, f);
};

/** Filters derived from `filter` for `key` (one weights buffer can have several), built once per weights buffer. */
export function cachedFilters(backend: BackendWasm, filter: TensorInfo, key: string, build: () => TensorInfo[]): TensorInfo[] {
  const byKey = filterCache.get(filter.dataId);
  const hit = byKey?.get(key);
  if (hit && hit.every((f) => backend.dataIdMap.has(f.dataId))) return hit;
  // Drop entries whose source weights are gone (old steps) or that belong to another backend instance.
  for (const [id, e] of filterCache) {
    if (!backend.dataIdMap.has(id)) {
      dropAll(backend, e);
      filterCache.delete(id);
    }
  }
  const fs = build();
  let entry = filterCache.get(filter.dataId);
  if (!entry) {
    if (filterCache.size >= FILTER_CACHE_MAX) {
      const [oldId, old] = filterCache.entries().next().value!;
      dropAll(backend, old);
      filterCache.delete(oldId);
    }
    entry = new Map();
    filterCache.set(filter.dataId, entry);
  }
  const stale = entry.get(key);
  if (stale) for (const f of stale) if (backend.dataIdMap.has(f.dataId)) free(backend, f);
  entry.set(key, fs);
  return fs;
}
