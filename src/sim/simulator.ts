import { SimClock } from './clock.js';
import { SimEngine } from './engine/engine.js';
import { FaultBook } from './http/faults.js';
import { CallStats, RateLimiter } from './http/rate-limit.js';
import { buildOrg } from './model/org.js';
import type { SimOrg, SimSite } from './model/types.js';
import type { SimOptions } from './options.js';

/** The simulated Mist cloud: one org, its evolving state, and what the HTTP layer needs to act like Mist. */
export class Simulator {
  readonly org: SimOrg;
  readonly engine: SimEngine;
  readonly clock: SimClock;
  readonly limiter: RateLimiter;
  readonly calls = new CallStats();
  readonly faults = new FaultBook();
  readonly tokens: ReadonlyMap<string, string>;
  readonly retryAfter: boolean;
  /** Tokens revoked mid-run (POST /__sim/tokens/{fingerprint}/revoke): answered 401 "Invalid token." until restored. */
  readonly revoked = new Set<string>();
  /**
   * Gateways taken out of the org (POST /__sim/gateways/{mac}/decommission): gateway index → simulated time of
   * the decommission. They leave the inventory, stats and searches; their history before that time stays.
   */
  readonly decommissioned = new Map<number, number>();

  constructor(readonly options: SimOptions, realNowMs: () => number = () => Date.now()) {
    const simStart = options.startTime ?? Math.floor(realNowMs() / 1000);
    this.org = buildOrg(options.seed, options.sites);
    this.engine = new SimEngine(this.org, { seed: options.seed, historyMinutes: options.historyMinutes, start: simStart - options.warmupMinutes * 60 });
    this.engine.advanceTo(simStart);
    this.clock = new SimClock(simStart, options.speed, realNowMs);
    this.limiter = new RateLimiter(options.rateLimit);
    this.tokens = new Map(options.tokens.map((t, i) => [t, `sim-token-${i + 1}`]));
    this.retryAfter = options.retryAfter;
  }

  /** Brings the engine up to the clock and returns the simulated now. */
  sync(): number {
    this.engine.advanceTo(this.clock.now());
    return this.engine.now;
  }

  /** Is the gateway in the org (at simulated time `at`, default now)? */
  gatewayLive(index: number, at = Infinity): boolean {
    const since = this.decommissioned.get(index);
    return since === undefined || at < since;
  }

  site(siteId: string): SimSite | undefined {
    return this.org.siteById.get(siteId);
  }
}
