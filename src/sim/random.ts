/**
 * Deterministic randomness for the simulator. Everything random is a pure function of
 * (seed, stream, ...keys), so the org and its evolution do not depend on request timing.
 */

/** 32-bit FNV-1a of a string. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Mixes up to five integers into a well-distributed 32-bit value (murmur3 steps; fixed arity, no allocation). */
export function mix(a: number, b = 0, c = 0, d = 0, e = 0): number {
  let h = 0x9e3779b9;
  h = round(h, a);
  h = round(h, b);
  h = round(h, c);
  h = round(h, d);
  h = round(h, e);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function round(h: number, k: number): number {
  h ^= Math.imul(k | 0, 0xcc9e2d51);
  return Math.imul((h << 13) | (h >>> 19), 5) + 0xe6546b64;
}

/** Uniform [0,1) from keys. */
export function unit(a: number, b = 0, c = 0, d = 0, e = 0): number {
  return mix(a, b, c, d, e) / 4294967296;
}

/** Sequential PRNG (mulberry32) for building the org, where order is fixed by construction. */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(minInclusive: number, maxInclusive: number): number {
    return minInclusive + Math.floor(this.next() * (maxInclusive - minInclusive + 1));
  }
  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error('pick from empty list');
    return item;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  /** Picks by weight: entries are [value, weight]. */
  weighted<T>(entries: readonly (readonly [T, number])[]): T {
    const total = entries.reduce((s, [, w]) => s + w, 0);
    let r = this.next() * total;
    for (const [v, w] of entries) {
      r -= w;
      if (r < 0) return v;
    }
    const last = entries[entries.length - 1];
    if (!last) throw new Error('weighted pick from empty list');
    return last[0];
  }
  hex(digits: number): string {
    let s = '';
    while (s.length < digits) s += Math.floor(this.next() * 0x10000).toString(16).padStart(4, '0');
    return s.slice(0, digits);
  }
  /** A v4-shaped UUID. */
  uuid(): string {
    const h = this.hex(32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${'89ab'[Math.floor(this.next() * 4)]}${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }
}
