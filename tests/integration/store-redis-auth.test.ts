import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreError, createStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/index.js';
import { startRedisServer } from '../support/redis.js';
import type { RedisServer } from '../support/redis.js';
import { captureLog, uniquePrefix } from '../support/redis-store.js';

/**
 * REDIS_URL may carry a password and use TLS (rediss://). Both are handled by passing the URL through to ioredis;
 * these tests prove it against real servers, and that the password never reaches a log line or an error.
 */
const PASSWORD = 's3cret/p@ss:word'; // characters that must be percent-encoded in a URL
const ENCODED = encodeURIComponent(PASSWORD);
const KEY = { orgId: 'org-1', family: 'sites' };

async function roundTrip(store: Store): Promise<void> {
  await store.beginGeneration(KEY, 'g1', 10_000);
  await store.putPage(KEY, 'g1', 0, '["site"]', { cursor: null, recordsKept: 1, recordsDropped: 0 }, 10_000);
  await store.publish(KEY, 'g1', 1, { lastAttempt: 1, lastSuccess: 2, durationMs: 1, recordsKept: 1, recordsDropped: 0, pages: 1, calls: 1, intervalSeconds: 60 }, 10_000);
  expect((await store.readSnapshot(KEY))?.pages).toEqual(['["site"]']);
}

function expectNoSecret(text: string): void {
  expect(text).not.toContain(PASSWORD);
  expect(text).not.toContain(ENCODED);
}

describe('Redis with a password', () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedisServer({ args: ['--requirepass', PASSWORD], url: (port) => `redis://:${ENCODED}@127.0.0.1:${port}` });
  });
  afterAll(() => server?.stop());

  it('connects with the password given in the URL', async () => {
    const { log, lines } = captureLog();
    const store = createStore({ url: server.url, prefix: uniquePrefix('auth') }, log);
    try {
      expect(await store.ping()).toBe(true);
      await roundTrip(store);
      expect(lines.join('')).toContain('"auth":true');
      expectNoSecret(lines.join(''));
    } finally {
      await store.close();
    }
  });

  for (const [label, userinfo] of [['a wrong password', ':wrong-password-123@'], ['no password', '']] as const) {
    it(`fails with typed errors and clean logs when given ${label}`, async () => {
      const { log, lines } = captureLog();
      const url = `redis://${userinfo}127.0.0.1:${server.port}`;
      const store = createStore({ url, prefix: uniquePrefix('auth'), maxRetriesPerRequest: 0 }, log);
      try {
        expect(await store.ping()).toBe(false);
        const err: unknown = await store.readMeta(KEY).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(StoreError);
        expect((err as StoreError).code).toBe('STORE_UNAVAILABLE');
        expect((err as StoreError).message).toMatch(/WRONGPASS|NOAUTH/);
        expect(Object.keys(err as object)).not.toContain('command');
        const everything = `${lines.join('')}${JSON.stringify(err)}${(err as Error).message}${(err as Error).stack ?? ''}`;
        expect(everything).not.toContain('wrong-password-123');
        expectNoSecret(everything);
      } finally {
        await store.close();
      }
    });
  }
});

describe('Redis over TLS (rediss://)', () => {
  let dir: string;
  let server: RedisServer;
  const defaultCAs = tls.getCACertificates('default');

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mist-redis-tls-'));
    const f = (name: string) => join(dir, name);
    const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
    openssl('req', '-x509', ...ec, '-keyout', f('ca.key'), '-out', f('ca.crt'), '-days', '1', '-subj', '/CN=mist-test-ca');
    openssl('req', ...ec, '-keyout', f('server.key'), '-out', f('server.csr'), '-subj', '/CN=127.0.0.1');
    await writeFile(f('san.ext'), 'subjectAltName=IP:127.0.0.1\n');
    openssl('x509', '-req', '-in', f('server.csr'), '-CA', f('ca.crt'), '-CAkey', f('ca.key'), '-CAcreateserial', '-out', f('server.crt'), '-days', '1', '-extfile', f('san.ext'));
    const ca = await readFile(f('ca.crt'), 'utf8');
    // The store takes no CA option: trust is the process's (NODE_EXTRA_CA_CERTS in production), so set it here.
    tls.setDefaultCACertificates([...defaultCAs, ca]);
    server = await startRedisServer({
      args: ['--tls-port', '0', '--tls-cert-file', f('server.crt'), '--tls-key-file', f('server.key'), '--tls-ca-cert-file', f('ca.crt'), '--tls-auth-clients', 'no', '--requirepass', PASSWORD],
      url: (port) => `rediss://:${ENCODED}@127.0.0.1:${port}`,
    });
  });
  afterAll(async () => {
    tls.setDefaultCACertificates(defaultCAs);
    await server?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('connects over TLS with a password, verifying the server certificate', async () => {
    const { log, lines } = captureLog();
    const store = createStore({ url: server.url, prefix: uniquePrefix('tls') }, log);
    try {
      expect(await store.ping()).toBe(true);
      await roundTrip(store);
      expect(lines.join('')).toContain('"tls":true');
      expectNoSecret(lines.join(''));
    } finally {
      await store.close();
    }
  });

  it('refuses a plain redis:// connection to the TLS port', async () => {
    const store = createStore({ url: server.url.replace('rediss://', 'redis://'), prefix: uniquePrefix('tls'), connectTimeoutMs: 1_000, maxRetriesPerRequest: 0 }, captureLog().log);
    try {
      expect(await store.ping()).toBe(false);
    } finally {
      await store.close();
    }
  });
});
