import PQueue from 'p-queue';
import type { Logger } from 'pino';
import { MistClient } from './client.js';
import { Caller, DEFAULT_RETRY, type RetryPolicy } from './request.js';
import { realNow, realSleep, type Now, type Sleep } from './time.js';
import { TokenPool } from './token-pool.js';
import { UndiciTransport, type Transport } from './transport.js';
import type { CallRecord } from './types.js';
import { HARD_PAGE_CAP } from './paginate.js';

export { MistClient, privilegeKey } from './client.js';
export * from './endpoints.js';
export { MIST_ERROR_CODES, MistError, isMistError, type MistErrorCode } from './errors.js';
export { tokenFingerprint } from './fingerprint.js';
export { decodeCursor, encodeCursor, HARD_PAGE_CAP } from './paginate.js';
export { DEFAULT_RETRY, parseRetryAfter, type RetryPolicy } from './request.js';
export type { GatewayStats, IfStat, InventoryDevice } from './schemas/devices.js';
export type { MistOrg, MistSite, MistSitegroup } from './schemas/org.js';
export { isGatewayWanPort, type GatewayPort } from './schemas/ports.js';
export type { ApiUsage, MistSelf, Privilege } from './schemas/self.js';
export type { Now, Sleep } from './time.js';
export { TransportFailure, UndiciTransport, type HttpRequest, type HttpResponse, type Transport } from './transport.js';
export type * from './types.js';

export interface MistClientOptions {
  /** `https://api.mist.com` (any regional host) or a full URL such as the simulator's `http://127.0.0.1:9730`. */
  readonly baseUrl: string;
  readonly tokens: readonly string[];
  /** Concurrent HTTP requests (default 4). */
  readonly concurrency?: number;
  readonly timeouts?: { readonly connectMs?: number; readonly headersMs?: number; readonly bodyMs?: number };
  readonly retry?: Partial<RetryPolicy>;
  readonly rateLimit?: {
    /** Calls per token per clock hour (Mist: 5,000). */
    readonly perTokenPerHour?: number;
    /** First cooldown after a 429 without Retry-After (default 5 s, doubling). */
    readonly cooldownBaseMs?: number;
    /** Bound on any cooldown, Retry-After included (default 1 h). */
    readonly cooldownMaxMs?: number;
  };
  /** Hard cap of pages per walk (default 1,000). */
  readonly maxPages?: number;
  /** Read /self/usage for each token at start (default true). */
  readonly syncUsage?: boolean;
  readonly onCall?: (record: CallRecord) => void;
  readonly now?: Now;
  readonly sleep?: Sleep;
  readonly random?: () => number;
  /** Replaces the undici transport (tests). */
  readonly transport?: Transport;
  /** Aborts the start-up token checks. */
  readonly signal?: AbortSignal;
}

export const DEFAULT_TIMEOUTS = { connectMs: 5_000, headersMs: 30_000, bodyMs: 60_000 } as const;
export const DEFAULT_RATE_LIMIT = { perTokenPerHour: 5000, cooldownBaseMs: 5_000, cooldownMaxMs: 3_600_000 } as const;
export const DEFAULT_CONCURRENCY = 4;

/** Builds the client and validates its tokens (see MistClient.start); rejects when no token is usable. */
export async function createMistClient(opts: MistClientOptions, log: Logger): Promise<MistClient> {
  const concurrency = opts.concurrency ?? DEFAULT_CONCURRENCY;
  const timeouts = { ...DEFAULT_TIMEOUTS, ...opts.timeouts };
  const limits = { ...DEFAULT_RATE_LIMIT, ...opts.rateLimit };
  const now = opts.now ?? realNow;
  const random = opts.random ?? Math.random;
  const owned = opts.transport ? undefined : new UndiciTransport({
    baseUrl: opts.baseUrl, connections: concurrency,
    connectTimeoutMs: timeouts.connectMs, headersTimeoutMs: timeouts.headersMs, bodyTimeoutMs: timeouts.bodyMs,
  });
  const transport = opts.transport ?? owned!;
  const pool = new TokenPool(opts.tokens, {
    limitPerHour: limits.perTokenPerHour, cooldownBaseMs: limits.cooldownBaseMs, cooldownMaxMs: limits.cooldownMaxMs, now, random,
  });
  const mistLog = log.child({ component: 'mist' });
  const caller = new Caller({
    transport, pool, queue: new PQueue({ concurrency }), retry: { ...DEFAULT_RETRY, ...opts.retry },
    now, sleep: opts.sleep ?? realSleep, random, log: mistLog, secrets: [...opts.tokens], ...(opts.onCall ? { onCall: opts.onCall } : {}),
  });
  const client = new MistClient({ caller, pool, log: mistLog, maxPages: opts.maxPages ?? HARD_PAGE_CAP, close: async () => owned?.close() });
  try {
    await client.start({ signal: opts.signal, syncUsage: opts.syncUsage ?? true });
  } catch (err) {
    await client.close();
    throw err;
  }
  return client;
}
