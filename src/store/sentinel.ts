import type { RedisOptions } from 'ioredis';
import { describeRedisUrl } from './redis-options.js';

/**
 * Redis through Sentinel (docs/store.md#redis-sentinel): where the Sentinels are, the master's name and the
 * Sentinels' own password. The data nodes' user, password, db and TLS come from the store's REDIS_URL.
 */
export interface SentinelOptions {
  readonly sentinels: readonly { readonly host: string; readonly port: number }[];
  readonly masterName: string;
  /** The Sentinels' requirepass (a secret), or null. */
  readonly password: string | null;
}

/**
 * ioredis options for a client that asks the Sentinels for the master and follows failovers. Merged over the
 * options parsed from REDIS_URL (ioredis ignores its host and port in Sentinel mode).
 */
export function sentinelClientOptions(sentinel: SentinelOptions, url: string): RedisOptions {
  return {
    sentinels: sentinel.sentinels.map((s) => ({ host: s.host, port: s.port })),
    name: sentinel.masterName,
    role: 'master',
    ...(sentinel.password ? { sentinelPassword: sentinel.password } : {}),
    // rediss:// applies TLS to the data nodes (ioredis needs this flag for it in Sentinel mode); Sentinels plain.
    ...(describeRedisUrl(url).tls ? { enableTLSForSentinelMode: true } : {}),
    // No failoverDetector (ioredis' +switch-master subscription): when the switch arrives while the client is
    // already reconnecting (the usual case: the old master died), it aborts that connect and the client ends for
    // good ("Connection is closed", ioredis 6.0). A dead master fails the socket, a demoted one answers READONLY.
    failoverDetector: false,
    // A failover takes seconds: each reconnect asks the Sentinels anew, so retry every 100 ms × attempt, at most
    // 1 s apart (the plain connection backs off to 5 s), and keep asking while no Sentinel answers.
    retryStrategy: (attempt: number) => Math.min(attempt * 100, 1_000),
    sentinelRetryStrategy: (attempt: number) => Math.min(attempt * 200, 2_000),
    // A master demoted under us (partition healed, manual failover) refuses writes with READONLY: reconnect,
    // which asks the Sentinels again. The refused command fails (it was not applied) and is retried by its caller.
    reconnectOnError: (err: Error) => (err.message.startsWith('READONLY') ? 1 : false),
  };
}

/** What to log about a Sentinel connection: never the URL or a password. */
export function describeSentinel(sentinel: SentinelOptions, url: string): {
  sentinels: string; master: string; sentinelAuth: boolean; tls: boolean; db: number; auth: boolean;
} {
  const data = describeRedisUrl(url);
  return {
    sentinels: sentinel.sentinels.map((s) => (s.host.includes(':') ? `[${s.host}]:${s.port}` : `${s.host}:${s.port}`)).join(','),
    master: sentinel.masterName,
    sentinelAuth: sentinel.password !== null && sentinel.password !== '',
    tls: data.tls,
    db: data.db,
    auth: data.auth,
  };
}

/** What to log about the store's Redis: through the Sentinels, or the URL's server (never the URL or a password). */
export function describeRedis(url: string, sentinel: SentinelOptions | null | undefined): ReturnType<typeof describeSentinel> | ReturnType<typeof describeRedisUrl> {
  return sentinel ? describeSentinel(sentinel, url) : describeRedisUrl(url);
}

/** The Sentinels' password, for scrubbing messages (empty when none). */
export function sentinelSecrets(sentinel: SentinelOptions | null | undefined): string[] {
  return sentinel?.password ? [sentinel.password] : [];
}
