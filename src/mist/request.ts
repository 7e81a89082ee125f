import type PQueue from 'p-queue';
import type { Logger } from 'pino';
import { codeForStatus, describeCall, MistError } from './errors.js';
import type { Lease, TokenPool } from './token-pool.js';
import type { Now, Sleep } from './time.js';
import { TransportFailure, type HttpResponse, type Transport } from './transport.js';
import type { CallRecord } from './types.js';

/** How one call (one HTTP request and its retries) gives up. */
export interface RetryPolicy {
  /** Attempts that failed retryably (5xx, network, timeout, truncated, bad JSON) before giving up. */
  readonly maxAttempts: number;
  /** Full-jitter backoff: wait random(0, min(maxDelayMs, baseDelayMs × 2^(n-1))) after the n-th failure. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** Bound on one call's work: attempts (queue wait included) and backoff; time spent waiting for a token is not counted. */
  readonly deadlineMs: number;
  /** 429s one call may receive (each cools its token and rotates) before giving up. */
  readonly maxRateLimited: number;
  /**
   * Longest single wait for a token (all cooling down or out of budget). Longer: fail at once with
   * E_MIST_RATE_LIMITED and its retryAfterMs, so the scheduler decides, instead of a call parked for an hour.
   */
  readonly maxTokenWaitMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  maxAttempts: 4, baseDelayMs: 1000, maxDelayMs: 30_000, deadlineMs: 120_000, maxRateLimited: 10, maxTokenWaitMs: 300_000,
};

export interface CallerDeps {
  readonly transport: Transport;
  readonly pool: TokenPool;
  /** Bounds concurrent HTTP requests; only the request itself runs in it, never a wait. */
  readonly queue: PQueue;
  readonly retry: RetryPolicy;
  readonly now: Now;
  readonly sleep: Sleep;
  readonly random: () => number;
  readonly log: Logger;
  /** Every configured token, to scrub from any message built from a response (defence in depth). */
  readonly secrets: readonly string[];
  readonly onCall?: (record: CallRecord) => void;
}

export interface CallResult {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly json: unknown;
  /** The raw body (page signatures for loop detection). */
  readonly text: string;
  readonly fingerprint: string;
}

export interface CallOptions {
  readonly signal?: AbortSignal;
  /** Use only this token (start-up validation, usage sync). */
  readonly pin?: string;
}

type Attempt = { lease: Lease; ms: number } & ({ res: HttpResponse } | { failure: TransportFailure });

/**
 * The one owner of retries. Per call: wait for a usable token outside the queue, run the request in the queue,
 * then rotate on 429, drop a token on 401, back off on retryable failures, and give up at the bounds.
 */
export class Caller {
  constructor(private readonly d: CallerDeps) {}

  async get(endpoint: string, path: string, opts: CallOptions = {}): Promise<CallResult> {
    const { pool, retry, now } = this.d;
    const what = describeCall(endpoint, path);
    const caller = opts.signal;
    let deadline = now() + retry.deadlineMs;
    const stopped = (): MistError => (caller?.aborted
      ? new MistError('E_MIST_ABORTED', `${what}: aborted`, { endpoint, path })
      : new MistError('E_MIST_TIMEOUT', `${what}: deadline of ${retry.deadlineMs} ms exceeded`, { endpoint, path }));
    let failures = 0;
    let limited = 0;
    for (;;) {
      if (caller?.aborted || now() >= deadline) throw stopped();
      const at = pool.nextUsableAt(opts.pin);
      if (at === Infinity) throw new MistError('E_MIST_AUTH', `${what}: no valid Mist API token left (a token rejected mid-run is tried again later)`, { endpoint, path, status: 401 });
      if (at > now()) {
        const waitMs = at - now();
        if (waitMs > retry.maxTokenWaitMs) {
          throw new MistError('E_MIST_RATE_LIMITED', `${what}: every token is out of budget or cooling down for ${Math.ceil(waitMs / 1000)} s more`,
            { endpoint, path, status: 429, retryable: true, retryAfterMs: waitMs });
        }
        this.d.log.info({ endpoint, waitMs: Math.round(waitMs) }, 'waiting for a Mist token to become usable');
        const before = now();
        if (!(await this.pause(waitMs, caller))) throw stopped();
        deadline += now() - before; // waiting for a token is not the call's work
        continue;
      }
      // The attempt's signal: the caller's, and what is left of the deadline (waiting for a slot included).
      const timeout = AbortSignal.timeout(Math.max(1, Math.ceil(deadline - now())));
      const signal = caller ? AbortSignal.any([caller, timeout]) : timeout;
      let attempt: Attempt | null;
      try {
        attempt = await this.queued(() => this.attempt(path, opts.pin, signal), signal);
      } catch {
        throw stopped(); // the signal fired while the request waited for a slot
      }
      if (attempt === null) continue; // another call took the last budget in between: look again
      const outcome = this.classify(endpoint, path, what, attempt, caller?.aborted === true);
      this.record(endpoint, attempt, outcome);
      const fingerprint = attempt.lease.fingerprint;
      if (!(outcome instanceof MistError)) {
        if (pool.succeeded(fingerprint)) this.d.log.info({ endpoint, fingerprint, tokens: pool.size }, 'Mist accepts a token it had rejected (401): it is used again');
        return outcome;
      }
      if (outcome.status === 429) {
        const cooldownMs = pool.rateLimited(fingerprint, outcome.retryAfterMs);
        limited += 1;
        this.d.log.warn({ endpoint, fingerprint, cooldownMs: Math.round(cooldownMs), retryAfter: outcome.retryAfterMs !== undefined, tokens: pool.size }, 'Mist rate limit (429): token cooling down');
        if (limited > retry.maxRateLimited) throw withNote(outcome, `gave up after ${limited} rate-limited responses`);
        continue;
      }
      if (outcome.status === 401 && opts.pin === undefined) {
        const outMs = pool.reject(fingerprint);
        this.d.log.warn({ endpoint, fingerprint, tokensLeft: pool.size, retryInSeconds: Math.round(outMs / 1000) }, 'Mist rejected a token (401): not used until it is tried again');
        continue;
      }
      if (attemptAborted(attempt)) throw stopped();
      if (!outcome.retryable) throw outcome;
      failures += 1;
      if (failures >= retry.maxAttempts) throw withNote(outcome, `gave up after ${failures} attempts`);
      const delayMs = this.d.random() * Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (failures - 1));
      if (now() + delayMs >= deadline) throw withNote(outcome, `no time left for attempt ${failures + 1}`);
      this.d.log.warn({ endpoint, fingerprint, code: outcome.code, status: outcome.status, attempt: failures, delayMs: Math.round(delayMs) }, 'Mist call failed; retrying');
      if (!(await this.pause(delayMs, caller))) throw stopped();
    }
  }

  /**
   * Runs `task` in the queue. The signal removes it while it waits for a slot; once it runs, the task sees the
   * signal itself (the transport aborts), so its outcome is still classified and reported to onCall.
   */
  private async queued<T>(task: () => Promise<T>, signal: AbortSignal): Promise<T> {
    let started = false;
    const waiting = new AbortController();
    const onAbort = (): void => {
      if (!started) waiting.abort(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      return await this.d.queue.add(() => {
        started = true;
        return task();
      }, { signal: waiting.signal });
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  private async attempt(path: string, pin: string | undefined, signal: AbortSignal): Promise<Attempt | null> {
    const lease = this.d.pool.take(pin);
    if (!lease) return null;
    const headers = { authorization: `Token ${lease.token}`, accept: 'application/json' };
    const t0 = this.d.now();
    try {
      const res = await this.d.transport.request({ path, headers, signal });
      return { lease, ms: this.d.now() - t0, res };
    } catch (err) {
      const failure = err instanceof TransportFailure ? err
        : new TransportFailure(signal.aborted ? 'aborted' : 'network', err instanceof Error ? err.message : String(err), { cause: err });
      return { lease, ms: this.d.now() - t0, failure };
    }
  }

  private classify(endpoint: string, path: string, what: string, a: Attempt, callerAborted: boolean): CallResult | MistError {
    const base = { endpoint, path };
    if ('failure' in a) {
      const f = a.failure;
      const text = this.scrub(f.message);
      switch (f.kind) {
        case 'timeout': return new MistError('E_MIST_TIMEOUT', `${what}: timed out (${text})`, { ...base, retryable: true, cause: f });
        case 'truncated': return new MistError('E_MIST_TRUNCATED', `${what}: connection lost while reading the body (${text})`, { ...base, retryable: true, cause: f });
        case 'aborted': return callerAborted
          ? new MistError('E_MIST_ABORTED', `${what}: aborted`, { ...base, cause: f })
          : new MistError('E_MIST_TIMEOUT', `${what}: call deadline reached during the request`, { ...base, cause: f });
        default: return new MistError('E_MIST_NETWORK', `${what}: network error (${text})`, { ...base, retryable: true, cause: f });
      }
    }
    const { status, headers, body } = a.res;
    if (status >= 200 && status < 300) {
      try {
        return { status, headers, json: JSON.parse(body) as unknown, text: body, fingerprint: a.lease.fingerprint };
      } catch {
        return new MistError('E_MIST_BAD_JSON', `${what}: HTTP ${status} with a body that is not JSON (${body.length} bytes)`, { ...base, status, retryable: true });
      }
    }
    const detail = errorDetail(a.res);
    const message = `${what}: HTTP ${status}${detail ? ` (${this.scrub(detail)})` : ''}`;
    const retryAfterMs = status === 429 ? parseRetryAfter(headers['retry-after'], this.d.now()) : undefined;
    return new MistError(codeForStatus(status), message, { ...base, status, retryable: status >= 500 || status === 429, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) });
  }

  private record(endpoint: string, a: Attempt, outcome: CallResult | MistError): void {
    if (!this.d.onCall) return;
    const record: CallRecord = {
      endpoint,
      fingerprint: a.lease.fingerprint,
      status: 'res' in a ? a.res.status : null,
      failure: outcome instanceof MistError ? outcome.code : null,
      durationMs: a.ms,
    };
    try {
      this.d.onCall(record);
    } catch (err) {
      this.d.log.warn({ err }, 'onCall hook threw; ignored');
    }
  }

  /** Sleeps; false when the caller's signal fired meanwhile. */
  private async pause(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
    try {
      await this.d.sleep(ms, signal);
    } catch {
      return false;
    }
    return signal?.aborted !== true;
  }

  private scrub(text: string): string {
    let out = text;
    for (const secret of this.d.secrets) if (secret !== '') out = out.split(secret).join('[token]');
    return out;
  }
}

function attemptAborted(a: Attempt): boolean {
  return 'failure' in a && a.failure.kind === 'aborted';
}

function withNote(err: MistError, note: string): MistError {
  return new MistError(err.code, `${err.message}; ${note}`, {
    retryable: err.retryable, endpoint: err.endpoint, path: err.path, status: err.status, retryAfterMs: err.retryAfterMs, cause: err,
  });
}

/** Mist's error bodies are `{detail}` (or `{id}` on 404); its edge answers 5xx with HTML, which is never parsed. */
function errorDetail(res: HttpResponse): string | undefined {
  const type = res.headers['content-type'] ?? '';
  if (!type.includes('json') || res.body.length > 64_000) return undefined;
  try {
    const body = JSON.parse(res.body) as unknown;
    if (typeof body === 'object' && body !== null && 'detail' in body && typeof body.detail === 'string') return body.detail.slice(0, 200);
  } catch {
    // not JSON after all
  }
  return undefined;
}

/** Retry-After as delta-seconds or an HTTP date, in ms from now; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}
