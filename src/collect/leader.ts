import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Logger } from '../log.js';
import type { Store } from '../store/types.js';

export const LOCK_NAME = 'collector';

export interface LeaderOptions {
  readonly store: Store;
  readonly ttlMs: number;
  readonly log: Logger;
  readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  readonly owner?: string;
}

/**
 * Exactly one active collector among any number: the holder of a Redis lock with a TTL, renewed every
 * ttl/3. A standby retries every ttl/2, so it takes over within ~1.5 TTL of the leader's death (the lock
 * must expire first). A leader that fails to renew stops collecting at once: two active collectors would
 * double the API calls.
 */
export class Leader {
  readonly owner: string;

  constructor(private readonly opts: LeaderOptions) {
    this.owner = opts.owner ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  }

  /**
   * Campaigns until `signal` aborts; while leading, runs `lead(leadership, turn)` where `leadership` aborts when
   * the lock is lost, and `turn.takeover` says this collector stood by or led before (another one may have
   * spent the tokens' budget meanwhile). Returns when `signal` aborts (releasing the lock if held).
   */
  async run(lead: (leadership: AbortSignal, turn: { readonly takeover: boolean }) => Promise<void>, signal: AbortSignal): Promise<void> {
    const { store, ttlMs, log, sleep } = this.opts;
    let takeover = false;
    while (!signal.aborted) {
      let won = false;
      try {
        won = await store.acquireLock(LOCK_NAME, this.owner, ttlMs);
      } catch (err) {
        log.warn({ err }, 'lock acquisition failed (store unreachable?)');
      }
      if (!won) {
        takeover = true;
        log.debug('standby: another collector holds the lock');
        if (!(await pause(sleep, ttlMs / 2, signal))) break;
        continue;
      }
      log.info({ owner: this.owner }, 'became the active collector');
      const leadership = new AbortController();
      const onStop = (): void => leadership.abort();
      signal.addEventListener('abort', onStop, { once: true });
      const work = lead(leadership.signal, { takeover }).catch((err: unknown) => log.error({ err }, 'collector stopped with an error'));
      while (!leadership.signal.aborted) {
        if (!(await pause(sleep, ttlMs / 3, leadership.signal))) break;
        let renewed = false;
        try {
          renewed = await store.renewLock(LOCK_NAME, this.owner, ttlMs);
        } catch (err) {
          log.warn({ err }, 'lock renewal failed');
        }
        if (!renewed) {
          log.warn('lost the collector lock; standing by');
          leadership.abort();
        }
      }
      await work;
      takeover = true;
      signal.removeEventListener('abort', onStop);
    }
    await store.releaseLock(LOCK_NAME, this.owner).catch(() => undefined);
  }
}

/** Sleeps; false when aborted. */
async function pause(sleep: LeaderOptions['sleep'], ms: number, signal: AbortSignal): Promise<boolean> {
  try {
    await sleep(ms, signal);
    return !signal.aborted;
  } catch {
    return false;
  }
}
