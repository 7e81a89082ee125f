import { randomBytes } from 'node:crypto';
import type { CallRecord } from '../mist/types.js';
import type { Store } from '../store/types.js';
import { API_RATE_LIMITED, API_REQUEST_FAILURES, API_REQUESTS, encodeLabels, type Labels } from '../store/counters.js';

/** A token fingerprint as the token pool makes it (sha256 hex prefix). Anything else is never written. */
const FINGERPRINT = /^[0-9a-f]{8,64}$/;

/**
 * Counts the collector's Mist API calls (the client's onCall hook, one record per HTTP attempt) into the
 * store's persistent counters, which exporters render as `mist_api_requests_total` and friends:
 * - every attempt counts under `api_requests` {endpoint};
 * - a failed attempt (non-null `failure`) under `api_request_failures` {endpoint, reason};
 * - a 429 under `api_rate_limited` {token_fingerprint}.
 *
 * `record` only adds to deltas in memory (it runs on the client's hot path and never fails); `flush` adds them
 * to the store. Each counter group is written in one atomic store call, as a batch with an idempotency id (this
 * recorder's scope, a sequence number). A batch whose write fails is kept as it is and written again, under the
 * same id, before anything recorded since: the store skips it if it had been applied after all (its reply, or
 * the replicas' confirmation, was lost) and applies it if not (e.g. lost with a master killed before it
 * replicated), so counts are neither lost nor counted twice. Flushes run one at a time.
 */
/**
 * How long the store remembers a recorder's last batch id per group: far longer than a batch is ever retried
 * (the next flush, 10 s later), short enough that the markers of collectors long gone do not pile up.
 */
const MARKER_EXPIRE_MS = 7 * 24 * 3_600_000;

export class CallStatsRecorder {
  private readonly deltas = new Map<string, Map<string, number>>();
  /** Per group, the batch whose write failed: retried unchanged, under its id, before newer deltas. */
  private readonly unconfirmed = new Map<string, { id: string; fields: Map<string, number> }>();
  private sequence = 0;
  private queue: Promise<void> = Promise.resolve();
  /** Idempotency scope of this recorder's batches: one per recorder (process), so concurrent collectors never clash. */
  readonly scope = `calls.${randomBytes(6).toString('hex')}`;

  record(call: CallRecord): void {
    this.add(API_REQUESTS, { endpoint: call.endpoint });
    if (call.failure !== null) this.add(API_REQUEST_FAILURES, { endpoint: call.endpoint, reason: call.failure });
    if (call.status === 429) {
      // Defence in depth: the store only ever sees a fingerprint, never something that could be a token.
      this.add(API_RATE_LIMITED, { token_fingerprint: FINGERPRINT.test(call.fingerprint) ? call.fingerprint : 'invalid' });
    }
  }

  /** Deltas recorded and not yet written (an unconfirmed batch included), by group then encoded labels (a copy). */
  pending(): Record<string, Record<string, number>> {
    const out: Record<string, Record<string, number>> = {};
    for (const [group, fields] of [...[...this.unconfirmed].map(([g, b]) => [g, b.fields] as const), ...this.deltas]) {
      const into = (out[group] ??= {});
      for (const [field, delta] of fields) into[field] = (into[field] ?? 0) + delta;
    }
    return out;
  }

  /**
   * Writes every pending delta to the store. Rejects with the first store error once every group was tried;
   * the groups that failed are kept for the next flush.
   */
  flush(store: Store): Promise<void> {
    const run = this.queue.then(() => this.write(store));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async write(store: Store): Promise<void> {
    const errors: unknown[] = [];
    for (const group of new Set([...this.unconfirmed.keys(), ...this.deltas.keys()])) {
      try {
        // The unconfirmed batch first, if any; then what was recorded until now (taken out before the await:
        // records arriving meanwhile start a fresh map for the next flush).
        const rounds = this.unconfirmed.has(group) ? 2 : 1;
        for (let round = 0; round < rounds; round += 1) {
          const batch = this.batch(group);
          if (!batch) break;
          await store.incrementCounters(group, Object.fromEntries(batch.fields), { scope: this.scope, id: batch.id, expireMs: MARKER_EXPIRE_MS });
          this.unconfirmed.delete(group);
        }
      } catch (err) {
        errors.push(err);
      }
    }
    if (errors.length > 0) throw errors[0];
  }

  /** The group's batch to write next: the unconfirmed one, else the deltas recorded so far (null: nothing). */
  private batch(group: string): { id: string; fields: Map<string, number> } | null {
    const kept = this.unconfirmed.get(group);
    if (kept) return kept;
    const fields = this.deltas.get(group);
    if (!fields) return null;
    this.deltas.delete(group);
    this.sequence += 1;
    const batch = { id: String(this.sequence), fields };
    this.unconfirmed.set(group, batch);
    return batch;
  }

  private add(group: string, labels: Labels): void {
    this.bump(group, encodeLabels(labels), 1);
  }

  private bump(group: string, field: string, delta: number): void {
    let fields = this.deltas.get(group);
    if (!fields) {
      fields = new Map();
      this.deltas.set(group, fields);
    }
    fields.set(field, (fields.get(field) ?? 0) + delta);
  }
}
