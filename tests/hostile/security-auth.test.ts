import type * as Crypto from 'node:crypto';
import { METHODS, request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { FAMILIES } from '../../src/families/registry.js';
import { tokenFingerprint } from '../../src/mist/fingerprint.js';
import { credentialsMatch } from '../../src/server/auth.js';
import { startExporter, type RunningExporter } from '../../src/server/exporter.js';
import { PAGE_HEADERS } from '../../src/server/landing-locked.js';
import { READ_ONLY_ROUTES } from '../../src/server/methods.js';
import { MemoryStore } from '../../src/store/memory.js';
import type { Store } from '../../src/store/types.js';
import { breakableStore, collectOnce, exporterConfig, injectGet } from '../support/exporter-harness.js';
import { captureLog } from '../support/redis-store.js';
import { startTestSim, type TestSim } from '../support/sim-server.js';

/** Every timingSafeEqual call made by the code under test, by the lengths it compared. */
const compared = vi.hoisted(() => [] as [number, number][]);
vi.mock('node:crypto', async (importOriginal) => {
  const real = await importOriginal<typeof Crypto>();
  return {
    ...real,
    timingSafeEqual: (a: NodeJS.ArrayBufferView, b: NodeJS.ArrayBufferView) => {
      compared.push([a.byteLength, b.byteLength]);
      return real.timingSafeEqual(a, b);
    },
  };
});

/**
 * The exporter's HTTP surface to someone without credentials, fed by a real collection from a 20-site
 * simulator: /metrics credentials compared in constant time and right/wrong/missing/malformed ones answered
 * as such; the landing page, /ready and /health show no org, family detail, error or token fingerprint
 * without them (a status word and how to sign in); and no method but GET and HEAD does anything on any route.
 */
const BEARER = 'scrape-bearer-7f3c9a1e5b2d8c40';
const USER = 'prometheus';
const PASSWORD = 'basic-pw-k2j4h6g8f0d1s3a5';
const basicHeader = (userPass: string): string => `Basic ${Buffer.from(userPass).toString('base64')}`;
const FAILURE = 'E_MIST_HTTP: 502 from upstream at the edge (distinctive-error-text-91c2)';
const PAGE_HEADERS_LOWER = Object.fromEntries(Object.entries(PAGE_HEADERS).map(([k, v]) => [k.toLowerCase(), v]));
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

describe('credential comparison', () => {
  it('compares 32-byte digests whatever the lengths: equal → true, any difference → false, never a throw', () => {
    compared.length = 0;
    expect(credentialsMatch(BEARER, BEARER)).toBe(true);
    expect(credentialsMatch(BEARER.slice(0, -1) + 'X', BEARER)).toBe(false);
    expect(credentialsMatch('short', BEARER)).toBe(false);
    expect(credentialsMatch(BEARER + BEARER, BEARER)).toBe(false);
    expect(credentialsMatch('', BEARER)).toBe(false);
    expect(credentialsMatch('é'.repeat(8), 'e'.repeat(16))).toBe(false);
    // One timingSafeEqual per comparison, always on equal-length digests: a length check before it (the
    // old code) would skip the comparison for a wrong-length guess and so answer it sooner.
    expect(compared).toEqual(Array.from({ length: 6 }, () => [32, 32]));
  });
});

describe('exporter with auth, 20-site simulator', () => {
  let sim: TestSim;
  let store: MemoryStore;
  let flaky: ReturnType<typeof breakableStore>;
  const exporters: Record<'bearer' | 'basic' | 'both' | 'none', RunningExporter> = {} as never;
  const { log } = captureLog('warn');
  let orgName: string;
  let fingerprint: string;

  beforeAll(async () => {
    sim = await startTestSim({ sites: 20 });
    store = new MemoryStore();
    await collectOnce(sim, store, log);
    fingerprint = tokenFingerprint(sim.token);
    await store.putTokenUsage([{ fingerprint, used: 120, limit: 5000, coolingUntil: 0 }], Date.now());
    flaky = breakableStore(store);
    orgName = sim.sim.org.name;
    const env = {
      bearer: { EXPORTER_BEARER_TOKEN: BEARER },
      basic: { EXPORTER_BASIC_AUTH: `${USER}:${PASSWORD}` },
      both: { EXPORTER_BEARER_TOKEN: BEARER, EXPORTER_BASIC_AUTH: `${USER}:${PASSWORD}` },
      none: {},
    } as const;
    for (const name of Object.keys(env) as (keyof typeof env)[]) exporters[name] = await startExporter(flaky.store, exporterConfig(sim, env[name]), log);
  }, 60_000);
  afterAll(async () => {
    await Promise.all(Object.values(exporters).map((e) => e.close()));
    await sim?.close();
  });

  const refreshAll = () => Promise.all(Object.values(exporters).map((e) => e.cache.refresh()));

  describe.each<{ config: 'bearer' | 'basic' | 'both'; right: string[]; challenge: RegExp }>([
    { config: 'bearer', right: [`Bearer ${BEARER}`, `bearer ${BEARER}`, `BEARER  ${BEARER} `], challenge: /^Bearer realm="mist-wan-exporter"$/ },
    { config: 'basic', right: [basicHeader(`${USER}:${PASSWORD}`), `basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`], challenge: /^Basic realm="mist-wan-exporter", charset="UTF-8"$/ },
    { config: 'both', right: [`Bearer ${BEARER}`, basicHeader(`${USER}:${PASSWORD}`)], challenge: /^Basic realm="mist-wan-exporter", charset="UTF-8", Bearer realm="mist-wan-exporter"$/ },
  ])('/metrics with $config auth', ({ config, right, challenge }) => {
    const wrong: [string, string | undefined][] = [
      ['missing', undefined],
      ['empty', ''],
      ['scheme only', 'Bearer'],
      ['scheme and spaces', 'Bearer   '],
      ['bearer one character off', `Bearer ${BEARER.slice(0, -1)}X`],
      ['bearer prefix', `Bearer ${BEARER.slice(0, 12)}`],
      ['bearer with a suffix', `Bearer ${BEARER}x`],
      ['bearer twice', `Bearer ${BEARER} ${BEARER}`],
      ['token in the basic scheme', `Basic ${BEARER}`],
      ['bearer token without a scheme', BEARER],
      ['Mist-style scheme', `Token ${BEARER}`],
      ['basic password one character off', basicHeader(`${USER}:${PASSWORD.slice(0, -1)}X`)],
      ['basic user wrong', basicHeader(`prometheux:${PASSWORD}`)],
      ['basic without the user', basicHeader(`:${PASSWORD}`)],
      ['basic without a colon', basicHeader(`${USER}${PASSWORD}`)],
      ['basic with the password only', basicHeader(PASSWORD)],
      ['basic not base64', `Basic ${USER}:${PASSWORD}`],
      ['basic base64 unpadded', `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64').replace(/=+$/, '')}x`],
      ['basic garbage', 'Basic !!!!'],
      ['basic credentials in the bearer scheme', `Bearer ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`],
    ];

    it.each(wrong)('%s → 401 with the challenge, no data and no secret', async (_name, header) => {
      const res = await injectGet(exporters[config], '/metrics', header === undefined ? {} : { authorization: header });
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(challenge);
      expect(res.text).toBe('unauthorized\n');
    });

    it('the right credentials (scheme in any case) → 200 with the metrics', async () => {
      for (const header of right) {
        const res = await injectGet(exporters[config], '/metrics?family=org', { authorization: header });
        expect(res.status, header).toBe(200);
        expect(res.text).toContain(`mist_org_info{`);
      }
    });
  });

  describe('without credentials while auth is on', () => {
    const secretsOfPage = (): string[] => [sim.orgId, orgName, fingerprint, FAILURE, 'distinctive-error-text', ...FAMILIES.map((f) => `>${f.name}<`)];

    it('the landing page says ok and how to sign in; no org id or name, family, fingerprint or error', async () => {
      await refreshAll();
      for (const config of ['bearer', 'basic', 'both'] as const) {
        const res = await injectGet(exporters[config], '/');
        expect(res.status).toBe(200);
        expect(res.headers).toMatchObject(PAGE_HEADERS_LOWER);
        expect(res.text).toContain('Status: <strong class="ok">ok</strong>');
        expect(res.text).not.toMatch(UUID);
        for (const s of secretsOfPage()) expect(res.text, `${config}: ${s}`).not.toContain(s);
        if (config !== 'bearer') expect(res.text).toContain('<a href="/?login">sign in</a>');
        if (config !== 'basic') expect(res.text).toContain('Authorization: Bearer …');
      }
    });

    it('a failing family degrades the word, an unreachable store makes it critical; the details stay behind auth', async () => {
      await store.recordFailure({ orgId: sim.orgId, family: FAMILIES[2]!.name }, Date.now(), FAILURE, 900);
      try {
        await refreshAll();
        const locked = await injectGet(exporters.both, '/');
        expect(locked.text).toContain('Status: <strong class="bad">degraded</strong>');
        for (const s of secretsOfPage()) expect(locked.text, s).not.toContain(s);
        // With credentials: everything, as without auth configured.
        for (const header of [`Bearer ${BEARER}`, basicHeader(`${USER}:${PASSWORD}`)]) {
          const full = await injectGet(exporters.both, '/', { authorization: header });
          expect(full.status).toBe(200);
          expect(full.headers).toMatchObject(PAGE_HEADERS_LOWER);
          for (const s of [orgName, fingerprint, 'distinctive-error-text-91c2']) expect(full.text, s).toContain(s);
        }
        expect((await injectGet(exporters.none, '/')).text).toContain('distinctive-error-text-91c2');
        flaky.setDown(true);
        await refreshAll();
        const down = await injectGet(exporters.basic, '/');
        expect(down.text).toContain('Status: <strong class="bad">critical</strong>');
        for (const s of secretsOfPage()) expect(down.text, s).not.toContain(s);
        expect(down.text).not.toContain('Redis');
      } finally {
        flaky.setDown(false);
        await collectOnce(sim, store, log, [FAMILIES[2]!]);
        await refreshAll();
      }
    });

    it('/?login asks a browser for the basic credentials (401 + challenge) and shows everything once it has them', async () => {
      const ask = await injectGet(exporters.basic, '/?login');
      expect(ask.status).toBe(401);
      expect(ask.headers['www-authenticate']).toMatch(/^Basic realm="mist-wan-exporter"/);
      for (const s of secretsOfPage()) expect(ask.text, s).not.toContain(s);
      const signedIn = await injectGet(exporters.basic, '/?login', { authorization: basicHeader(`${USER}:${PASSWORD}`) });
      expect(signedIn.status).toBe(200);
      expect(signedIn.text).toContain(orgName);
      expect((await injectGet(exporters.basic, '/', { authorization: basicHeader(`${USER}:${PASSWORD}x`) })).text).not.toContain(orgName);
    });

    it('/health and /ready: status only (fixed words and the public family names), before and after a failure', async () => {
      await store.recordFailure({ orgId: sim.orgId, family: FAMILIES[2]!.name }, Date.now(), FAILURE, 900);
      try {
        for (const down of [false, true]) {
          flaky.setDown(down);
          await refreshAll();
          for (const config of ['bearer', 'basic', 'both'] as const) {
            const health = await injectGet(exporters[config], '/health');
            expect(JSON.parse(health.text)).toEqual({ status: 'ok' });
            const ready = await injectGet(exporters[config], '/ready');
            expect(ready.status).toBe(down ? 503 : 200);
            const body = JSON.parse(ready.text) as { ready: boolean; problems: string[]; families: string[] };
            expect(Object.keys(body).sort()).toEqual(['families', 'problems', 'ready']);
            expect(body.problems).toEqual(down ? ['store unreachable'] : []);
            for (const family of body.families) expect(FAMILIES.map((f) => f.name)).toContain(family);
            for (const s of [sim.orgId, orgName, fingerprint, 'distinctive-error-text']) expect(ready.text).not.toContain(s);
          }
        }
      } finally {
        flaky.setDown(false);
        await collectOnce(sim, store, log, [FAMILIES[2]!]);
        await refreshAll();
      }
    });
  });

  describe('read-only: every method but GET and HEAD, on every route, over real HTTP', () => {
    /** One raw request: the status, or 'closed' when the server closed the socket without an answer. */
    const send = (base: string, method: string, path: string, body?: Buffer): Promise<{ status: number | 'closed'; allow?: string; text: string }> => new Promise((resolve) => {
      const req = request(`${base}${path}`, { method, headers: body ? { 'content-type': 'application/json', 'content-length': String(body.length) } : {} }, (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, ...(res.headers.allow ? { allow: res.headers.allow } : {}), text: Buffer.concat(parts).toString('utf8') }));
      });
      req.on('error', () => resolve({ status: 'closed', text: '' }));
      req.setTimeout(5_000, () => req.destroy());
      req.end(body);
    });

    it('405 (Allow: GET, HEAD) on each route, 404 elsewhere, never a store call; CONNECT is closed unanswered', async () => {
      const calls: string[] = [];
      const counting = new Proxy(store as Store, {
        get(target, prop, receiver) {
          const value: unknown = Reflect.get(target, prop, receiver);
          return typeof value === 'function' ? (...args: unknown[]) => (calls.push(String(prop)), (value as (...a: unknown[]) => unknown).apply(target, args)) : value;
        },
      });
      const own = await startExporter(counting, exporterConfig(sim), log);
      try {
        calls.length = 0;
        const seen = new Map<string, number | string>();
        const body = Buffer.from(JSON.stringify({ orgId: sim.orgId, family: 'org', records: [] }));
        for (const method of METHODS.filter((m) => m !== 'GET' && m !== 'HEAD')) {
          for (const path of [...READ_ONLY_ROUTES, '/metrics?family=org', '/__sim/faults', '/admin', '/store']) {
            const res = await send(own.url, method, path, method === 'CONNECT' ? undefined : body);
            seen.set(`${method} ${path}`, res.status);
            if (method === 'CONNECT') {
              expect(res.status, `${method} ${path}`).toBe('closed');
            } else if ((READ_ONLY_ROUTES as readonly string[]).includes(path.split('?')[0]!)) {
              expect(res.status, `${method} ${path}`).toBe(405);
              expect(res.allow).toBe('GET, HEAD');
            } else {
              expect(res.status, `${method} ${path}`).toBe(404);
              expect(res.text).toBe('not found\n');
            }
          }
        }
        expect(seen.size).toBeGreaterThanOrEqual((METHODS.length - 2) * 8);
        for (const path of READ_ONLY_ROUTES) {
          const head = await send(own.url, 'HEAD', path);
          expect(head.status, `HEAD ${path}`).toBe(200);
          expect(head.text).toBe('');
        }
        expect(calls).toEqual([]);
      } finally {
        await own.close();
      }
    }, 60_000);
  });
});
