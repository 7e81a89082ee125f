import { tokenFingerprint } from './fingerprint.js';
import type { Now } from './time.js';
import type { TokenUsage } from './types.js';

export interface TokenPoolOptions {
  /** Mist's budget: calls per token per clock hour. */
  readonly limitPerHour: number;
  /** First cooldown after a 429 without Retry-After; doubles per consecutive 429 of the token. */
  readonly cooldownBaseMs: number;
  /** Upper bound of any cooldown, Retry-After included. */
  readonly cooldownMaxMs: number;
  /** Lower bound of a Retry-After cooldown (a `Retry-After: 0` must not turn into a hammering loop). */
  readonly cooldownMinMs?: number;
  readonly now: Now;
  readonly random: () => number;
}

/** A token picked for one call; its budget is already counted. */
export interface Lease {
  readonly token: string;
  readonly fingerprint: string;
}

const HOUR_MS = 3_600_000;
/** A token rejected mid-run is tried again after 5 min, then 10, 20, 40, and at most hourly. */
export const REJECTED_BASE_MS = 300_000;
export const REJECTED_MAX_MS = HOUR_MS;

interface Slot {
  readonly token: string;
  readonly fingerprint: string;
  hour: number;
  used: number;
  limit: number;
  coolingUntil: number;
  /** Consecutive 429s: the exponent of the next cooldown without Retry-After. */
  strikes: number;
  /** Out of rotation until then after a 401 mid-run (0: in rotation). */
  rejectedUntil: number;
  /** Consecutive 401s: the exponent of the next time out of rotation. */
  rejections: number;
}

/**
 * The tokens and their hourly budgets. Picking never waits: `take` returns a token usable now or null, and
 * `nextUsableAt` tells the caller how long to wait (outside any queue slot). A call is counted when its
 * token is taken, so concurrent callers spread over the tokens.
 */
export class TokenPool {
  private slots: Slot[] = [];

  constructor(tokens: readonly string[], private readonly opts: TokenPoolOptions) {
    const seen = new Set<string>();
    for (const token of tokens) {
      const fingerprint = tokenFingerprint(token);
      if (seen.has(fingerprint)) continue;
      seen.add(fingerprint);
      this.slots.push({ token, fingerprint, hour: this.hourOf(opts.now()), used: 0, limit: opts.limitPerHour, coolingUntil: 0, strikes: 0, rejectedUntil: 0, rejections: 0 });
    }
  }

  /** Tokens in rotation (a token rejected mid-run is out of it until it is tried again). */
  get size(): number {
    return this.rotation().length;
  }

  fingerprints(): string[] {
    return this.rotation().map((s) => s.fingerprint);
  }

  /** Every token value (for scrubbing messages), never for logging. */
  secrets(): string[] {
    return this.slots.map((s) => s.token);
  }

  /** The usable token with the most budget left (or the pinned one), counting one call on it; null if none is usable now. */
  take(only?: string): Lease | null {
    const now = this.opts.now();
    let best: Slot | undefined;
    for (const s of this.candidates(only)) {
      if (this.availableAt(s, now) > now) continue;
      if (!best || s.limit - s.used > best.limit - best.used) best = s;
    }
    if (!best) return null;
    best.used += 1;
    return { token: best.token, fingerprint: best.fingerprint };
  }

  /** Epoch ms when a token (or the pinned one) can be taken; `now` if one can; Infinity when none is left. */
  nextUsableAt(only?: string): number {
    const now = this.opts.now();
    let at = Infinity;
    for (const s of this.candidates(only)) at = Math.min(at, this.availableAt(s, now));
    return at;
  }

  /** A 429: cools the token for Retry-After (bounded) or an exponential, jittered backoff. Returns the cooldown. */
  rateLimited(fingerprint: string, retryAfterMs?: number): number {
    const s = this.slot(fingerprint);
    if (!s) return 0;
    s.strikes += 1;
    const { cooldownBaseMs: base, cooldownMaxMs: max } = this.opts;
    let ms: number;
    if (retryAfterMs !== undefined) {
      ms = Math.min(max, Math.max(this.opts.cooldownMinMs ?? 1000, retryAfterMs));
    } else {
      // Equal jitter: at least half the step, so a cooling token is never retried almost at once.
      const step = Math.min(max, base * 2 ** (s.strikes - 1));
      ms = step / 2 + this.opts.random() * (step / 2);
    }
    s.coolingUntil = Math.max(s.coolingUntil, this.opts.now() + ms);
    return ms;
  }

  /** A 2xx with the token. True when the token had been rejected before (Mist accepts it again). */
  succeeded(fingerprint: string): boolean {
    const s = this.slot(fingerprint);
    if (!s) return false;
    s.strikes = 0;
    const back = s.rejections > 0;
    s.rejections = 0;
    s.rejectedUntil = 0;
    return back;
  }

  /**
   * A 401 mid-run: the token leaves the rotation for a while, then its next call tries it again. A token
   * revoked for good costs one call per (growing) period; a spurious 401 does not stop collection for good,
   * as dropping the token would with a single token. Returns the time out of rotation.
   */
  reject(fingerprint: string): number {
    const s = this.slot(fingerprint);
    if (!s) return 0;
    s.rejections += 1;
    const ms = Math.min(REJECTED_MAX_MS, REJECTED_BASE_MS * 2 ** (s.rejections - 1));
    s.rejectedUntil = this.opts.now() + ms;
    return ms;
  }

  /** Removes a token for good (invalid at start-up, or privileges differ). */
  drop(fingerprint: string): void {
    this.slots = this.slots.filter((s) => s.fingerprint !== fingerprint);
  }

  /** Aligns a token's count with what Mist reports (/self/usage): never lowers it, never raises the limit. */
  observe(fingerprint: string, requests: number, requestLimit?: number): void {
    const s = this.slot(fingerprint);
    if (!s) return;
    this.roll(s, this.opts.now());
    s.used = Math.max(s.used, requests);
    if (requestLimit !== undefined && requestLimit > 0) s.limit = Math.min(this.opts.limitPerHour, requestLimit);
  }

  /** Budget use of the tokens in rotation. */
  usage(): TokenUsage[] {
    const now = this.opts.now();
    return this.rotation().map((s) => {
      this.roll(s, now);
      return { fingerprint: s.fingerprint, used: s.used, limit: s.limit, coolingUntil: s.coolingUntil > now ? s.coolingUntil : 0 };
    });
  }

  /** The tokens in rotation: not dropped, and not rejected (or rejected long enough ago to be tried again). */
  private rotation(): Slot[] {
    const now = this.opts.now();
    return this.slots.filter((s) => s.rejectedUntil <= now);
  }

  private candidates(only?: string): Slot[] {
    const live = this.rotation();
    return only === undefined ? live : live.filter((s) => s.fingerprint === only);
  }

  private slot(fingerprint: string): Slot | undefined {
    return this.slots.find((s) => s.fingerprint === fingerprint);
  }

  private availableAt(s: Slot, now: number): number {
    this.roll(s, now);
    const t = Math.max(now, s.coolingUntil);
    // Out of budget for its hour: usable when the next clock hour starts.
    if (s.used >= s.limit && this.hourOf(t) === s.hour) return (s.hour + 1) * HOUR_MS;
    return t;
  }

  private roll(s: Slot, now: number): void {
    const hour = this.hourOf(now);
    if (hour !== s.hour) {
      s.hour = hour;
      s.used = 0;
    }
  }

  private hourOf(ms: number): number {
    return Math.floor(ms / HOUR_MS);
  }
}
