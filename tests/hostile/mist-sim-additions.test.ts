import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { tokenFingerprint } from '../../src/sim/http/rate-limit.js';
import { startTestSim, type TestSim } from '../support/sim-server.js';

/**
 * The simulator faults the hostile Mist tests need beyond tests/integration/sim-faults.test.ts: a 429 storm
 * with a chosen Retry-After or none, a 403 on part of the API, and a token revoked (and restored) mid-run.
 */

const A = 'sim-token-alpha-0001';
const B = 'sim-token-bravo-0002';
const FORBIDDEN = { detail: 'You do not have permission to perform this action.' };

interface Calls { total: number; rate_limited: number; unauthorized: number; faulted: number; by_token: Record<string, number> }

describe('simulator faults for hostile tests', () => {
  let s: TestSim;
  beforeAll(async () => { s = await startTestSim({ sites: 3, tokens: [A, B], rateLimit: 1000 }); });
  afterAll(() => s.close());
  afterEach(async () => {
    await s.admin('DELETE', '/__sim/faults');
    await s.admin('DELETE', '/__sim/calls');
  });
  const sites = (token = A) => s.get(`/api/v1/orgs/${s.orgId}/sites`, { token });
  const calls = async () => (await s.admin<Calls>('GET', '/__sim/calls')).body;
  const spent = (token: string) => s.sim.limiter.usage(token, s.sim.clock.now()).requests;

  it('rate_limit_storm sends the Retry-After it is given, none with retry_after false, the default otherwise', async () => {
    expect((await s.admin('POST', '/__sim/faults', { kind: 'rate_limit_storm', match: '/sites', count: 1, retry_after: 7 })).status).toBe(201);
    const seven = await sites();
    expect(seven.status).toBe(429);
    expect(seven.headers.get('retry-after')).toBe('7');
    await s.admin('POST', '/__sim/faults', { kind: 'rate_limit_storm', match: '/sites', count: 1, retry_after: false });
    const none = await sites();
    expect(none.status).toBe(429);
    expect(none.json<{ detail: string }>().detail).toMatch(/^Too Many Request/);
    expect(none.headers.has('retry-after')).toBe(false);
    await s.admin('POST', '/__sim/faults', { kind: 'rate_limit_storm', match: '/sites', count: 1 });
    const fallback = await sites();
    expect(Number(fallback.headers.get('retry-after'))).toBe(60); // 60 simulated seconds at speed 1
    expect((await sites()).status).toBe(200);
    expect(await calls()).toMatchObject({ total: 4, rate_limited: 3, faulted: 3 });
  });

  it.each([[-1], [86_401], [1.5], ['soon'], [true]])('refuses retry_after %j with 400', async (value) => {
    const r = await s.admin<{ detail: string }>('POST', '/__sim/faults', { kind: 'rate_limit_storm', retry_after: value });
    expect(r.status).toBe(400);
    expect(r.body.detail).toMatch(/retry_after/);
  });

  it('forbidden answers 403 with Mist\'s body on matching paths only, and spends no budget', async () => {
    await s.admin('POST', '/__sim/faults', { kind: 'forbidden', match: '/alarms/search' });
    const before = spent(A);
    const r = await s.get(`/api/v1/orgs/${s.orgId}/alarms/search`);
    expect(r.status).toBe(403);
    expect(r.json()).toEqual(FORBIDDEN);
    expect(spent(A)).toBe(before);
    expect((await sites()).status).toBe(200);
    expect(spent(A)).toBe(before + 1);
    expect(await calls()).toMatchObject({ total: 2, faulted: 1, rate_limited: 0, unauthorized: 0 });
  });

  it('a revoked token answers 401 "Invalid token." everywhere (/self too) until restored; the other token is untouched', async () => {
    const fp = tokenFingerprint(A);
    const revoked = await s.admin<{ fingerprint: string; revoked: boolean }>('POST', `/__sim/tokens/${fp}/revoke`);
    expect(revoked).toEqual({ status: 200, body: { fingerprint: fp, revoked: true } });
    const org = (await s.admin<{ tokens: { fingerprint: string; revoked: boolean }[] }>('GET', '/__sim/org')).body;
    expect(org.tokens.map((t) => [t.fingerprint, t.revoked])).toEqual([[fp, true], [tokenFingerprint(B), false]]);
    for (const path of ['/api/v1/self', `/api/v1/orgs/${s.orgId}/sites`]) {
      const r = await s.get(path, { token: A });
      expect(r.status, path).toBe(401);
      expect(r.json()).toEqual({ detail: 'Invalid token.' });
    }
    expect((await sites(B)).status).toBe(200);
    expect(await calls()).toMatchObject({ total: 3, unauthorized: 2, by_token: { [tokenFingerprint(B)]: 1 } });

    expect((await s.admin('POST', `/__sim/tokens/${fp}/restore`)).body).toEqual({ fingerprint: fp, revoked: false });
    expect((await sites(A)).status).toBe(200);
  });

  it('answers 404 for a fingerprint it does not know, and changes nothing', async () => {
    const r = await s.admin<{ detail: string }>('POST', '/__sim/tokens/0123456789ab/revoke');
    expect(r.status).toBe(404);
    expect(r.body.detail).toMatch(/fingerprint/);
    expect((await sites(A)).status).toBe(200);
    expect((await sites(B)).status).toBe(200);
  });
});
