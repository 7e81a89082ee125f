import { Redis } from 'ioredis';
import type { Logger } from '../log.js';
import { redactSecrets } from '../config/index.js';
import { BudgetSchema, CurrentSchema, MetaSchema, StagingSchema, decodeHash, decodeJson, hashArgs } from './codec.js';
import type { Current, Decoded } from './codec.js';
import { StoreError } from './errors.js';
import { BUDGET_TTL_MS, assertComponent, checkIndex, checkTtl, storeKeys } from './keys.js';
import type { StoreKeys } from './keys.js';
import { RedisCounters } from './redis-counters.js';
import { DEFAULT_COMMAND_TIMEOUT_MS, urlSecrets, type RedisStoreOptions } from './redis-options.js';
import { ACQUIRE_LOCK, PUBLISH, PUT_PAGE, READ_SNAPSHOT, RELEASE_LOCK, RENEW_LOCK } from './redis-scripts.js';
import { ACQUIRE_ORG_LOCKS, LEGACY_LOCK_NAME, RELEASE_ORG_LOCKS, RENEW_ORG_LOCKS, SHARD_MARKER, checkStatus, claimFromReply, decodeStatus, shardOrgs } from './org-locks.js';
import type { CollectorStatus, OrgLockClaim } from './org-locks.js';
import { describeRedis, sentinelClientOptions, sentinelSecrets } from './sentinel.js';
import type { CounterFieldFilter, CounterOnce, FamilyKey, FamilyMeta, PublishMeta, Snapshot, Staging, Store, StoreConnection } from './types.js';

type TokenUsageRecord = Awaited<ReturnType<Store['readTokenUsage']>>[number];

export { DEFAULT_COMMAND_TIMEOUT_MS, describeRedisUrl, type RedisStoreOptions } from './redis-options.js';

export class RedisStore implements Store {
  readonly keys: StoreKeys;
  readonly client: Redis;
  private readonly now: () => number;
  private readonly log: Logger;
  private readonly secrets: string[];
  private lastError = { message: '', at: 0 };
  /** Why the connection is down, for commands that fail because of it; cleared once connected. */
  private connectionProblem: string | null = null;

  private readonly connection: StoreConnection;
  private readonly commandTimeoutMs: number;
  private readonly counters: RedisCounters;
  /** Replicas that must confirm the writes a failover must not lose (RedisStoreOptions.waitReplicas). */
  private readonly waitReplicas: number;

  constructor(opts: RedisStoreOptions, log: Logger) {
    this.commandTimeoutMs = opts.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
    this.connection = {
      url: opts.url, prefix: opts.prefix, connectTimeoutMs: opts.connectTimeoutMs, maxRetriesPerRequest: opts.maxRetriesPerRequest,
      commandTimeoutMs: this.commandTimeoutMs, sentinel: opts.sentinel ?? null, waitReplicas: opts.waitReplicas ?? 0,
    };
    this.waitReplicas = opts.waitReplicas ?? 0;
    this.keys = storeKeys(opts.prefix);
    this.now = opts.now ?? Date.now;
    this.secrets = [...urlSecrets(opts.url), ...sentinelSecrets(opts.sentinel)];
    this.log = log.child({ component: 'store', store: 'redis', redis: describeRedis(opts.url, opts.sentinel) });
    this.client = new Redis(opts.url, {
      lazyConnect: true,
      connectTimeout: opts.connectTimeoutMs ?? 5_000,
      maxRetriesPerRequest: opts.maxRetriesPerRequest ?? 2,
      retryStrategy: (attempt) => Math.min(attempt * 200, 5_000),
      // A half-open connection answers nothing and reports nothing: commands fail after the timeout, and a socket
      // that receives no byte for that long while replies are due is destroyed, so ioredis dials a new one.
      commandTimeout: this.commandTimeoutMs,
      socketTimeout: this.commandTimeoutMs,
      ...(opts.sentinel ? sentinelClientOptions(opts.sentinel, opts.url) : {}),
    });
    this.counters = new RedisCounters({
      client: this.client, keys: this.keys, log: this.log, now: () => this.now(),
      run: (call) => this.run(call), hgetall: (key) => this.hgetall(key), confirm: (what) => this.confirm(what),
    });
    // Without a listener ioredis prints errors itself; ours scrubs them and logs each distinct one once a minute.
    this.client.on('error', (err: unknown) => this.logError(err));
    this.client.on('ready', () => {
      this.connectionProblem = null;
      this.log.info('connected to Redis');
    });
  }

  async staging(key: FamilyKey): Promise<Staging | null> {
    const k = this.keys.staging(key);
    return this.absentIfCorrupt(k, decodeHash(await this.hgetall(k), StagingSchema));
  }

  async beginGeneration(key: FamilyKey, generation: string, ttlMs: number): Promise<void> {
    assertComponent('generation', generation);
    checkTtl(ttlMs);
    if ((await this.current(key))?.generation === generation) {
      throw new StoreError('STORE_GENERATION_IN_USE', `generation ${generation} is the current one`);
    }
    const previous = await this.staging(key);
    const stagingKey = this.keys.staging(key);
    const fields: Staging = { generation, startedAt: this.now(), pages: 0, cursor: null, recordsKept: 0, recordsDropped: 0 };
    const multi = this.client.multi();
    // Pages of an abandoned generation are dropped now rather than left to expire.
    if (previous && previous.pages > 0) {
      multi.del(...this.keys.pages(key, previous.generation, previous.pages));
    }
    multi.del(stagingKey).hset(stagingKey, ...hashArgs({ ...fields })).pexpire(stagingKey, checkTtl(ttlMs));
    await this.exec(multi);
  }

  async putPage(
    key: FamilyKey,
    generation: string,
    index: number,
    payload: string,
    progress: { cursor: string | null; recordsKept: number; recordsDropped: number },
    ttlMs: number,
  ): Promise<void> {
    const fields = hashArgs({ pages: index + 1, cursor: progress.cursor, recordsKept: progress.recordsKept, recordsDropped: progress.recordsDropped });
    const result = await this.run(() =>
      PUT_PAGE.run(this.client, [this.keys.staging(key), this.keys.page(key, generation, index)], [JSON.stringify(generation), index, payload, checkTtl(ttlMs), ...fields]),
    );
    if (result === -1) throw new StoreError('STORE_NOT_STAGED', `generation ${generation} is not the staged generation of ${key.orgId}/${key.family}`);
    if (result === -2) throw new StoreError('STORE_INCOMPLETE', `page ${index} of generation ${generation} would leave a gap`);
  }

  async publish(key: FamilyKey, generation: string, pages: number, meta: PublishMeta, ttlMs: number, state?: string): Promise<void> {
    checkIndex(pages);
    const previousRaw = await this.run(() => this.client.get(this.keys.current(key)));
    const previous = previousRaw === null ? null : decodeJson(previousRaw, CurrentSchema);
    const oldPages = previous?.ok && previous.value.generation !== generation ? this.keys.pages(key, previous.value.generation, previous.value.pages) : [];
    const current: Current = { generation, pages, publishedAt: this.now() };
    const fullMeta: FamilyMeta = { ...meta, counterDeltas: meta.counterDeltas ?? null, uncountedGapSeconds: meta.uncountedGapSeconds ?? null, generation, pages, lastError: null };
    const keys = [this.keys.staging(key), this.keys.current(key), this.keys.meta(key), this.keys.families, this.keys.state(key), ...this.keys.pages(key, generation, pages), ...oldPages];
    const args = [JSON.stringify(generation), JSON.stringify(current), checkTtl(ttlMs), this.keys.familyMember(key), pages, previousRaw ?? '',
      state === undefined ? '0' : '1', state ?? '', ...hashArgs({ ...fullMeta })];
    const result = await this.run(() => PUBLISH.run(this.client, keys, args));
    if (result === 1) await this.confirm('publish');
    if (result === -1) throw new StoreError('STORE_NOT_STAGED', `generation ${generation} is not the staged generation of ${key.orgId}/${key.family}`);
    if (result === -2) throw new StoreError('STORE_INCOMPLETE', `generation ${generation} does not have ${pages} staged pages`);
  }

  async readState(key: FamilyKey): Promise<string | null> {
    const k = this.keys.state(key);
    try {
      return await this.run(() => this.client.get(k));
    } catch (err) {
      if (!(err instanceof StoreError) || !err.message.startsWith('WRONGTYPE')) throw err;
      this.log.warn({ key: k }, 'store value has the wrong Redis type; treated as absent');
      return null;
    }
  }

  async retireFamily(key: FamilyKey): Promise<void> {
    const multi = this.client.multi()
      .del(this.keys.current(key), this.keys.staging(key), this.keys.meta(key))
      .srem(this.keys.families, this.keys.familyMember(key));
    await this.exec(multi);
  }

  async recordFailure(key: FamilyKey, at: number, error: string, durationMs: number): Promise<void> {
    const metaKey = this.keys.meta(key);
    const multi = this.client.multi().hset(metaKey, ...hashArgs({ lastAttempt: at, lastError: error, durationMs })).sadd(this.keys.families, this.keys.familyMember(key));
    await this.exec(multi);
  }

  async readSnapshot(key: FamilyKey): Promise<Snapshot | null> {
    const currentKey = this.keys.current(key);
    const reply = await this.run(() => READ_SNAPSHOT.run(this.client, [currentKey], [this.keys.generations(key)]));
    if (reply === null) return null;
    if (!Array.isArray(reply) || typeof reply[0] !== 'string') throw new StoreError('STORE_UNAVAILABLE', 'unexpected reply to the snapshot read');
    const [raw, status, ...pages] = reply as [string, string, ...string[]];
    const current = this.absentIfCorrupt(currentKey, decodeJson(raw, CurrentSchema));
    if (!current || status === 'corrupt') return null;
    if (status === 'missing') {
      this.log.debug({ key: currentKey, generation: current.generation }, 'snapshot has an expired page; treated as absent');
      return null;
    }
    return { generation: current.generation, pages, publishedAt: current.publishedAt };
  }

  async readMeta(key: FamilyKey): Promise<FamilyMeta | null> {
    const k = this.keys.meta(key);
    return this.absentIfCorrupt(k, decodeHash(await this.hgetall(k), MetaSchema));
  }

  async listFamilies(): Promise<FamilyKey[]> {
    const members = await this.run(() => this.client.smembers(this.keys.families));
    return members
      .sort()
      .map((m) => this.keys.parseFamilyMember(m))
      .filter((k): k is FamilyKey => k !== null);
  }

  async putTokenUsage(usage: readonly { fingerprint: string; used: number; limit: number; coolingUntil: number }[], at: number): Promise<void> {
    if (usage.length === 0) return;
    const multi = this.client.multi();
    for (const u of usage) {
      const k = this.keys.budget(u.fingerprint);
      multi.del(k).hset(k, ...hashArgs({ used: u.used, limit: u.limit, coolingUntil: u.coolingUntil, at })).pexpire(k, BUDGET_TTL_MS);
    }
    multi.sadd(this.keys.budgets, ...usage.map((u) => u.fingerprint));
    await this.exec(multi);
  }

  async readTokenUsage(): Promise<TokenUsageRecord[]> {
    const fingerprints = (await this.run(() => this.client.smembers(this.keys.budgets))).sort();
    const out: TokenUsageRecord[] = [];
    const gone: string[] = [];
    for (const fingerprint of fingerprints) {
      const k = this.keys.budget(fingerprint);
      const decoded = decodeHash(await this.hgetall(k), BudgetSchema);
      if (decoded === null) gone.push(fingerprint);
      const value = this.absentIfCorrupt(k, decoded);
      if (value) out.push({ fingerprint, ...value });
    }
    if (gone.length > 0) {
      // Tidying only: a read-only Redis (a replica the exporter reads) refuses it, and the read stands anyway.
      await this.run(() => this.client.srem(this.keys.budgets, ...gone)).catch((err: unknown) =>
        this.log.debug({ error: this.scrub(err), fingerprints: gone }, 'expired usage records left in the budget index (the store refused the clean-up)'));
    }
    return out;
  }

  // Counter groups: see RedisCounters.
  incrementCounters(name: string, deltas: Readonly<Record<string, number>>, once?: CounterOnce): Promise<void> { return this.counters.increment(name, deltas, once); }
  readCounters(name: string): Promise<Record<string, number>> { return this.counters.read(name); }
  touchCounters(name: string, fields: readonly string[]): Promise<void> { return this.counters.touch(name, fields); }
  pruneCounters(name: string, ms: number, only?: CounterFieldFilter): Promise<number> { return this.counters.prune(name, ms, only); }
  dropCounters(name: string): Promise<boolean> { return this.counters.drop(name); }
  counterVersion(name: string): Promise<number> { return this.counters.version(name); }

  /** Held only once replicated (waitReplicas): a failover then hands the new master the lock and its TTL. */
  async acquireLock(name: string, owner: string, ttlMs: number): Promise<boolean> {
    const held = (await this.run(() => ACQUIRE_LOCK.run(this.client, [this.keys.lock(name)], [owner, checkTtl(ttlMs)]))) === 1;
    if (held) await this.confirm('lock acquisition');
    return held;
  }

  async renewLock(name: string, owner: string, ttlMs: number): Promise<boolean> {
    const held = (await this.run(() => RENEW_LOCK.run(this.client, [this.keys.lock(name)], [owner, checkTtl(ttlMs)]))) === 1;
    if (held) await this.confirm('lock renewal');
    return held;
  }

  async releaseLock(name: string, owner: string): Promise<void> {
    await this.run(() => RELEASE_LOCK.run(this.client, [this.keys.lock(name)], [owner]));
  }

  // Collector shards: one lock per org, all or none (src/store/org-locks.ts).
  async acquireOrgLocks(orgIds: readonly string[], holder: string, ttlMs: number): Promise<OrgLockClaim> {
    const orgs = shardOrgs(orgIds);
    const claim = claimFromReply(await this.run(() => ACQUIRE_ORG_LOCKS.run(this.client, this.shardLockKeys(orgs), [holder, checkTtl(ttlMs), SHARD_MARKER])), orgs);
    // Held only once replicated, as acquireLock: a failover hands the new master the shard's locks and their TTL.
    if (claim.acquired) await this.confirm('lock acquisition');
    return claim;
  }

  async renewOrgLocks(orgIds: readonly string[], holder: string, ttlMs: number): Promise<boolean> {
    const held = (await this.run(() => RENEW_ORG_LOCKS.run(this.client, this.shardLockKeys(shardOrgs(orgIds)), [holder, checkTtl(ttlMs), SHARD_MARKER]))) === 1;
    if (held) await this.confirm('lock renewal');
    return held;
  }

  /** The org lock scripts' KEYS: the old single lock (the upgrade guard), then each org's lock. */
  private shardLockKeys(orgs: readonly string[]): string[] {
    return [this.keys.lock(LEGACY_LOCK_NAME), ...orgs.map((org) => this.keys.collectorLock(org))];
  }

  async releaseOrgLocks(orgIds: readonly string[], holder: string): Promise<void> {
    await this.run(() => RELEASE_ORG_LOCKS.run(this.client, shardOrgs(orgIds).map((org) => this.keys.collectorLock(org)), [holder]));
  }

  async putCollectorStatus(status: CollectorStatus): Promise<void> {
    const text = checkStatus(status);
    await this.run(() => this.client.hset(this.keys.collectors, status.id, text));
  }

  async removeCollectorStatus(id: string): Promise<void> {
    await this.run(() => this.client.hdel(this.keys.collectors, id));
  }

  async readCollectorStatuses(): Promise<CollectorStatus[]> {
    const all = await this.hgetall(this.keys.collectors);
    const now = this.now();
    const out: CollectorStatus[] = [];
    const stale: string[] = [];
    for (const id of Object.keys(all).sort()) {
      const status = decodeStatus(all[id] ?? '');
      if (status === null || status.expiresAt <= now) stale.push(id);
      else out.push(status);
    }
    if (stale.length > 0) {
      // Tidying only, as for budget records: a read-only replica refuses it and the read stands.
      await this.run(() => this.client.hdel(this.keys.collectors, ...stale)).catch(() => undefined);
    }
    return out;
  }

  async ping(): Promise<boolean> {
    try {
      return (await this.run(() => this.client.ping())) === 'PONG';
    } catch {
      return false;
    }
  }

  connectionOptions(): StoreConnection {
    return this.connection;
  }

  async close(): Promise<void> {
    if (this.client.status === 'wait' || this.client.status === 'end') {
      this.client.disconnect();
      return;
    }
    try {
      await this.client.quit();
    } catch {
      this.client.disconnect();
    }
  }

  /**
   * With waitReplicas > 0: waits (WAIT, up to half the command timeout) until that many of the replicas connected
   * to the master (ROLE; never more than are there) have every write this connection made so far, and throws
   * STORE_UNAVAILABLE if they do not. A connected replica that lags fails the write; a master with no replica
   * left (its replica promoted and the old master gone) goes on alone. The write stays on the master either way:
   * callers treat the failure like any other and retry idempotently (docs/store.md#redis-sentinel).
   */
  private async confirm(what: string): Promise<void> {
    if (this.waitReplicas === 0) return;
    const role = await this.run(() => this.client.call('ROLE'));
    const connected = Array.isArray(role) && Array.isArray(role[2]) ? role[2].length : 0;
    const wanted = Math.min(this.waitReplicas, connected);
    if (wanted === 0) return;
    const timeoutMs = Math.max(1, Math.floor(this.commandTimeoutMs / 2));
    const acked = Number(await this.run(() => this.client.wait(wanted, timeoutMs)));
    if (acked < wanted) {
      throw new StoreError('STORE_UNAVAILABLE', `${what} not confirmed by ${wanted} replica(s) within ${timeoutMs} ms (${acked} confirmed): not counted as done, retried`);
    }
  }

  private async current(key: FamilyKey): Promise<Current | null> {
    const k = this.keys.current(key);
    const raw = await this.run(() => this.client.get(k));
    return raw === null ? null : this.absentIfCorrupt(k, decodeJson(raw, CurrentSchema));
  }

  /** HGETALL, with a key of the wrong type read as an empty (absent) hash. */
  private async hgetall(key: string): Promise<Record<string, string>> {
    try {
      return await this.run(() => this.client.hgetall(key));
    } catch (err) {
      if (!(err instanceof StoreError) || !err.message.startsWith('WRONGTYPE')) throw err;
      this.log.warn({ key }, 'store value has the wrong Redis type; treated as absent');
      return {};
    }
  }

  private absentIfCorrupt<T>(key: string, decoded: Decoded<T> | null): T | null {
    if (decoded === null) return null;
    if (decoded.ok) return decoded.value;
    this.log.warn({ key, problem: decoded.problem }, 'store value does not parse; treated as absent');
    return null;
  }

  private async exec(multi: ReturnType<Redis['multi']>): Promise<void> {
    const results = await this.run(() => multi.exec());
    if (results === null) throw new StoreError('STORE_UNAVAILABLE', 'Redis transaction was aborted');
    const failed = results.find(([err]) => err !== null)?.[0];
    if (failed) throw this.storeError(failed);
  }

  /**
   * Every Redis call goes through here: failures become StoreErrors with scrubbed messages and no client
   * internals, and no call outlives the command timeout (ioredis bounds each command; this bounds a whole call,
   * a script's EVALSHA-then-EVAL or a transaction included, whatever the client does).
   */
  private async run<T>(call: () => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new StoreError('STORE_UNAVAILABLE', `Redis did not answer within ${this.commandTimeoutMs} ms`)), this.commandTimeoutMs);
    });
    try {
      return await Promise.race([call(), timeout]);
    } catch (err) {
      throw this.storeError(err);
    } finally {
      clearTimeout(timer);
    }
  }

  private storeError(err: unknown): StoreError {
    if (err instanceof StoreError) return err;
    const message = this.scrub(err);
    // "max retries reached" alone does not say why: add the connection's own error (refused, WRONGPASS, TLS...).
    const gaveUp = err instanceof Error && err.name === 'MaxRetriesPerRequestError' && this.connectionProblem !== null;
    return new StoreError('STORE_UNAVAILABLE', gaveUp ? `Redis unavailable: ${this.connectionProblem} (${message})` : message);
  }

  private scrub(err: unknown): string {
    const message = err instanceof Error ? err.message : String(err);
    // A transaction Redis refused says only "EXECABORT … previous errors": the reason (OOM, READONLY…) is in the
    // errors of its queued commands.
    const previous = err instanceof Error && 'previousErrors' in err && Array.isArray(err.previousErrors)
      ? [...new Set(err.previousErrors.map((e: unknown) => (e instanceof Error ? e.message : String(e))))] : [];
    return redactSecrets(previous.length > 0 ? `${message} (${previous.join('; ')})` : message, this.secrets);
  }

  private logError(err: unknown): void {
    const message = this.scrub(err);
    this.connectionProblem = message;
    const at = this.now();
    if (message === this.lastError.message && at - this.lastError.at < 60_000) return;
    this.lastError = { message, at };
    const code = err instanceof Error && 'code' in err && typeof err.code === 'string' ? err.code : undefined;
    this.log.warn({ error: message, code }, 'Redis connection error');
  }
}
