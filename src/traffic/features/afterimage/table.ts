/**
 * A bounded table of streams: string key → slot in a Float64Array slab (`stride` numbers per slot), so
 * the statistics of every stream live in one flat array and an update touches no object. When the
 * table is full, a new key takes the slot of a stale stream chosen by the clock (second chance)
 * algorithm over the Map's insertion order: a stream touched since the hand last passed is moved to
 * the back instead of evicted. Amortised O(1) per lookup, no allocation except the key itself.
 */
export class StreamTable {
  readonly slab: Float64Array;
  private readonly ids = new Map<string, number>();
  private readonly referenced: Uint8Array;
  private nextFree = 0;
  /** Set by lookup(): whether the returned slot was just created (and zeroed). */
  created = false;
  evictions = 0;

  constructor(
    readonly capacity: number,
    readonly stride: number,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`stream table capacity must be a positive integer, got ${capacity}`);
    this.slab = new Float64Array(capacity * stride);
    this.referenced = new Uint8Array(capacity);
  }

  get size(): number {
    return this.ids.size;
  }

  /** The slab offset of `key`'s slot, creating (zeroed) it when absent. */
  lookup(key: string): number {
    let id = this.ids.get(key);
    if (id !== undefined) {
      this.referenced[id] = 1;
      this.created = false;
      return id * this.stride;
    }
    id = this.nextFree < this.capacity ? this.nextFree++ : this.evict();
    this.ids.set(key, id);
    this.referenced[id] = 1;
    this.created = true;
    const base = id * this.stride;
    this.slab.fill(0, base, base + this.stride);
    return base;
  }

  private evict(): number {
    for (const [key, id] of this.ids) {
      this.ids.delete(key);
      if (this.referenced[id]) {
        this.referenced[id] = 0;
        this.ids.set(key, id);
      } else {
        this.evictions++;
        return id;
      }
    }
    throw new Error("unreachable: stream table full but empty");
  }
}
