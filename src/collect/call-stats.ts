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
 * to the store. Each counter group is written in one atomic store call; a group whose write fails keeps its
 * deltas (merged with what was recorded meanwhile) for the next flush, and a group that was written is
 * cleared, so counts are neither lost nor counted twice. Flushes run one at a time.
 */
export class CallStatsRecorder {
  private readonly deltas = new Map<string, Map<string, number>>();
  private queue: Promise<void> = Promise.resolve();

  record(call: CallRecord): void {
    this.add(API_REQUESTS, { endpoint: call.endpoint });
    if (call.failure !== null) this.add(API_REQUEST_FAILURES, { endpoint: call.endpoint, reason: call.failure });
    if (call.status === 429) {
      // Defence in depth: the store only ever sees a fingerprint, never something that could be a token.
      this.add(API_RATE_LIMITED, { token_fingerprint: FINGERPRINT.test(call.fingerprint) ? call.fingerprint : 'invalid' });
    }
  }

  /** Deltas recorded and not yet written, by group then encoded labels (a copy). */
  pending(): Record<string, Record<string, number>> {
    return Object.fromEntries([...this.deltas].map(([group, fields]) => [group, Object.fromEntries(fields)]));
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
    for (const [group, fields] of [...this.deltas]) {
      // Taken out before the await: records arriving meanwhile start a fresh map for the next flush.
      this.deltas.delete(group);
      try {
        await store.incrementCounters(group, Object.fromEntries(fields));
      } catch (err) {
        for (const [field, delta] of fields) this.bump(group, field, delta);
        errors.push(err);
      }
    }
    if (errors.length > 0) throw errors[0];
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
