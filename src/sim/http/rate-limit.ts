import { createHash } from 'node:crypto';

/** Short, stable, non-reversible name for a token: how the simulator reports per-token counts. */
export function tokenFingerprint(token: string): string {
  return createHash('sha256').update(token).digest('hex').slice(0, 12);
}

export interface Take {
  ok: boolean;
  used: number;
  limit: number;
  /** Simulated seconds until the current hour window ends. */
  resetIn: number;
}

/**
 * Mist's limit: N calls per token per clock hour (fixed window), in simulated time. Only authenticated calls
 * count; a 429 itself does not consume budget.
 */
export class RateLimiter {
  private readonly windows = new Map<string, { hour: number; used: number }>();

  constructor(readonly limit: number) {}

  take(token: string, now: number): Take {
    const w = this.window(token, now);
    const resetIn = (w.hour + 1) * 3600 - now;
    if (w.used >= this.limit) return { ok: false, used: w.used, limit: this.limit, resetIn };
    w.used += 1;
    return { ok: true, used: w.used, limit: this.limit, resetIn };
  }

  usage(token: string, now: number): { requests: number; request_limit: number; seconds: number } {
    const w = this.window(token, now);
    return { requests: w.used, request_limit: this.limit, seconds: Math.floor(now - w.hour * 3600) };
  }

  private window(token: string, now: number): { hour: number; used: number } {
    const hour = Math.floor(now / 3600);
    let w = this.windows.get(token);
    if (!w || w.hour !== hour) {
      w = { hour, used: 0 };
      this.windows.set(token, w);
    }
    return w;
  }
}

/** Counts of API calls the simulator received, for tests to compare against a collector's plan. */
export class CallStats {
  total = 0;
  rateLimited = 0;
  unauthorized = 0;
  faulted = 0;
  readonly byRoute = new Map<string, number>();
  readonly byToken = new Map<string, number>();

  record(route: string, token: string | undefined): void {
    this.total += 1;
    this.byRoute.set(route, (this.byRoute.get(route) ?? 0) + 1);
    if (token !== undefined) {
      const fp = tokenFingerprint(token);
      this.byToken.set(fp, (this.byToken.get(fp) ?? 0) + 1);
    }
  }

  toJSON(): Record<string, unknown> {
    return {
      total: this.total,
      rate_limited: this.rateLimited,
      unauthorized: this.unauthorized,
      faulted: this.faulted,
      by_route: Object.fromEntries([...this.byRoute].sort()),
      by_token: Object.fromEntries(this.byToken),
    };
  }

  reset(): void {
    this.total = 0;
    this.rateLimited = 0;
    this.unauthorized = 0;
    this.faulted = 0;
    this.byRoute.clear();
    this.byToken.clear();
  }
}
