import type { SpaceIndex } from '../core/faces/space-index.ts';

/** About six full spaces (75,000 faces are 39 MB): room beside the face models in a 1,769 MB function. */
const DEFAULT_MAX_BYTES = 256 * 1024 * 1024;

/**
 * The packed bases of face spaces a container has read, by object key, least recently used
 * dropped first once they pass `maxBytes`. A base never changes under its key (a compaction
 * writes a new key), so an entry is never stale: a warm read of an unchanged space costs only the
 * head's GetItem. Concurrent reads of one key share one download.
 */
export class FaceBaseCache {
  readonly #entries = new Map<string, SpaceIndex>();
  readonly #loading = new Map<string, Promise<SpaceIndex | undefined>>();
  #bytes = 0;

  constructor(private readonly maxBytes = DEFAULT_MAX_BYTES) {}

  /** The base under `key`, loaded by `load` when not held; undefined (and not kept) when `load` finds none. */
  get(key: string, load: () => Promise<SpaceIndex | undefined>): Promise<SpaceIndex | undefined> {
    const held = this.#entries.get(key);
    if (held) {
      this.#entries.delete(key);
      this.#entries.set(key, held);
      return Promise.resolve(held);
    }
    let loading = this.#loading.get(key);
    if (!loading) {
      loading = load()
        .then((index) => {
          if (index) this.put(key, index);
          return index;
        })
        .finally(() => this.#loading.delete(key));
      this.#loading.set(key, loading);
    }
    return loading;
  }

  /** Keeps a base this container wrote, so it is not read back. One larger than the whole cache is not kept. */
  put(key: string, index: SpaceIndex): void {
    if (this.#entries.has(key) || index.byteLength > this.maxBytes) return;
    for (const [oldest, evicted] of this.#entries) {
      if (this.#bytes + index.byteLength <= this.maxBytes) break;
      this.#entries.delete(oldest);
      this.#bytes -= evicted.byteLength;
    }
    this.#entries.set(key, index);
    this.#bytes += index.byteLength;
  }
}
