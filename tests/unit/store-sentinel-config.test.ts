import { describe, expect, it } from 'vitest';
import { CallStatsRecorder } from '../../src/collect/call-stats.js';
import { ConfigError, loadConfig } from '../../src/config/index.js';
import type { CallRecord } from '../../src/mist/types.js';
import { API_REQUESTS } from '../../src/store/counters.js';
import { MemoryStore, StoreError, describeSentinel } from '../../src/store/index.js';
import type { CounterOnce } from '../../src/store/types.js';
import { sentinelClientOptions } from '../../src/store/sentinel.js';

const load = (env: Record<string, string | undefined>) => loadConfig(env, { envFile: '/nonexistent' });
function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    load(env);
  } catch (err) {
    if (err instanceof ConfigError) return [...err.problems];
    throw err;
  }
  return [];
}

const SENTINEL = { REDIS_URL: 'redis://:data-pass-1@mymaster/2', REDIS_SENTINELS: 's1:26379, s2 ,[::1]:26380,s1:26379', REDIS_SENTINEL_MASTER: 'mymaster' };

describe('Redis Sentinel configuration', () => {
  it('reads the Sentinels (default port, IPv6, duplicates dropped), the master name and waits for 1 replica by default', () => {
    const redis = load(SENTINEL).redis;
    expect(redis.sentinel).toEqual({
      sentinels: [{ host: 's1', port: 26379 }, { host: 's2', port: 26379 }, { host: '::1', port: 26380 }], masterName: 'mymaster', password: null,
    });
    expect(redis.waitReplicas).toBe(1);
    expect(load({ ...SENTINEL, REDIS_WAIT_REPLICAS: '0' }).redis.waitReplicas).toBe(0);
    expect(load({ REDIS_URL: 'redis://localhost:6379' }).redis).toEqual({ url: 'redis://localhost:6379', sentinel: null, waitReplicas: 0 });
  });

  it('lists every bad combination at once, naming the variable, never the password', () => {
    expect(problemsOf({ REDIS_SENTINELS: 's1,bad host:1,:pw@s3,s4:99999', REDIS_SENTINEL_PASSWORD: 'sentinel-secret-9', REDIS_WAIT_REPLICAS: '17' })).toEqual([
      'REDIS_SENTINELS: entry #2 is not host:port (IPv6 addresses in brackets: [::1]:26379)',
      'REDIS_SENTINELS: entry #3 is not host:port (IPv6 addresses in brackets: [::1]:26379)',
      'REDIS_SENTINELS: entry #4 "s4:99999" has a port outside 1-65535',
      expect.stringMatching(/^REDIS_WAIT_REPLICAS: /),
    ]);
    const lines = problemsOf({ REDIS_SENTINELS: 's1', REDIS_SENTINEL_PASSWORD: 'sentinel-secret-9' });
    expect(lines).toEqual([
      'REDIS_SENTINEL_MASTER: must be set with REDIS_SENTINELS: the master name the Sentinels monitor',
      expect.stringMatching(/^REDIS_URL: must be set with REDIS_SENTINELS: it gives the data nodes' password, db and TLS/),
    ]);
    expect(problemsOf({ REDIS_URL: 'redis://x', REDIS_SENTINEL_MASTER: 'm', REDIS_SENTINEL_PASSWORD: 'sentinel-secret-9' })).toEqual([
      'REDIS_SENTINEL_MASTER: is set but REDIS_SENTINELS is not: list the Sentinels (host:port,…) or unset it',
      'REDIS_SENTINEL_PASSWORD: is set but REDIS_SENTINELS is not: list the Sentinels (host:port,…) or unset it',
    ]);
    expect(problemsOf({ ...SENTINEL, REDIS_SENTINEL_MASTER: 'my master' })).toEqual([expect.stringMatching(/^REDIS_SENTINEL_MASTER: letters, digits/)]);
  });

  it('logs where it connects without any password, and hands ioredis the Sentinels (TLS to the data nodes for rediss://)', () => {
    const config = load({ ...SENTINEL, REDIS_URL: 'rediss://user:data-pass-1@mymaster/2', REDIS_SENTINEL_PASSWORD: 'sentinel-secret-9' });
    const sentinel = config.redis.sentinel!;
    const described = describeSentinel(sentinel, config.redis.url!);
    expect(described).toEqual({ sentinels: 's1:26379,s2:26379,[::1]:26380', master: 'mymaster', sentinelAuth: true, tls: true, db: 2, auth: true });
    expect(JSON.stringify(described)).not.toMatch(/data-pass-1|sentinel-secret-9/);
    const options = sentinelClientOptions(sentinel, config.redis.url!);
    expect(options).toMatchObject({ name: 'mymaster', role: 'master', sentinelPassword: 'sentinel-secret-9', enableTLSForSentinelMode: true, failoverDetector: false });
    expect(sentinelClientOptions({ ...sentinel, password: null }, 'redis://mymaster').enableTLSForSentinelMode).toBeUndefined();
  });
});

/** A store whose counter writes apply and then fail (a lost confirmation), as often as told. */
class UnconfirmedStore extends MemoryStore {
  unconfirmed = 0;
  readonly ids: string[] = [];
  override async incrementCounters(name: string, deltas: Readonly<Record<string, number>>, once?: CounterOnce): Promise<void> {
    this.ids.push(once?.id ?? '');
    await super.incrementCounters(name, deltas, once);
    if (this.unconfirmed > 0) {
      this.unconfirmed -= 1;
      throw new StoreError('STORE_UNAVAILABLE', 'counter increment not confirmed by 1 replica(s)');
    }
  }
}

describe('CallStatsRecorder under unconfirmed writes', () => {
  const call = (endpoint: string): CallRecord => ({ endpoint, fingerprint: '0123456789ab', status: 200, failure: null, durationMs: 1 });

  it('replays an unconfirmed batch unchanged under its id (applied once), then writes what came since under a new one', async () => {
    const store = new UnconfirmedStore();
    const recorder = new CallStatsRecorder();
    recorder.record(call('sites'));
    recorder.record(call('sites'));
    store.unconfirmed = 1;
    await expect(recorder.flush(store)).rejects.toBeInstanceOf(StoreError);
    recorder.record(call('sites'));
    expect(recorder.pending()).toEqual({ [API_REQUESTS]: { 'endpoint=sites': 3 } });
    await recorder.flush(store);
    // The first batch was applied before its confirmation failed: the replay under the same id is skipped.
    expect(await store.readCounters(API_REQUESTS)).toEqual({ 'endpoint=sites': 3 });
    expect(store.ids).toEqual(['1', '1', '2']);
    expect(recorder.pending()).toEqual({});
  });
});
