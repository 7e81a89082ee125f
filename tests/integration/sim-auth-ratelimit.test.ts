import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assertValidResponse } from '../support/openapi.js';
import { startTestSim, type TestSim } from '../support/sim-server.js';
import type { SimOptions } from '../../src/sim/options.js';

/** Mist's auth and per-token hourly budget (mist-api.md §1.2–1.4), seen over real HTTP. */

const TOKEN_A = 'token-aaaa-1111';
const TOKEN_B = 'token-bbbb-2222';
const OTHER_ID = '00000000-1111-2222-3333-444444444444';
const NO_CREDENTIALS = { detail: 'Authentication credentials were not provided.' };
const FORBIDDEN = { detail: 'You do not have permission to perform this action.' };

interface Usage { requests: number; request_limit: number; seconds: number }
interface Calls {
  total: number; rate_limited: number; unauthorized: number; faulted: number;
  by_route: Record<string, number>; by_token: Record<string, number>;
}

describe('authentication and authorisation', () => {
  let s: TestSim;
  beforeAll(async () => { s = await startTestSim({ sites: 12, tokens: [TOKEN_A, TOKEN_B] }); });
  afterAll(() => s.close());

  it('answers 401 "credentials were not provided" without an Authorization header', async () => {
    const r = await s.get('/api/v1/self', { token: null });
    expect(r.status).toBe(401);
    expect(r.json()).toEqual(NO_CREDENTIALS);
    assertValidResponse('get', '/api/v1/self', 401, r.json());
  });

  it('answers 401 "Invalid token." for a token it does not know', async () => {
    const r = await s.get(`/api/v1/orgs/${s.orgId}/sites`, { token: 'not-a-real-token' });
    expect(r.status).toBe(401);
    expect(r.json()).toEqual({ detail: 'Invalid token.' });
  });

  it('does not accept a valid token sent with the Bearer scheme', async () => {
    const res = await fetch(`${s.url}/api/v1/self`, { headers: { authorization: `Bearer ${TOKEN_A}` } });
    expect(res.status).toBe(401);
    expect(await res.json()).toHaveProperty('detail');
  });

  it('accepts every configured token', async () => {
    for (const token of [TOKEN_A, TOKEN_B]) {
      const r = await s.get(`/api/v1/orgs/${s.orgId}`, { token });
      expect(r.status).toBe(200);
      expect(r.json<{ id: string }>().id).toBe(s.orgId);
    }
  });

  it('describes each token on /self as an org token: name, org-scoped privileges, no email', async () => {
    const names = new Set<string>();
    for (const token of [TOKEN_A, TOKEN_B]) {
      const r = await s.get('/api/v1/self', { token });
      const body = r.json<{ name: string; email?: string; privileges: { scope: string; org_id: string }[] }>();
      expect(r.status).toBe(200);
      assertValidResponse('get', '/api/v1/self', 200, body);
      expect(body).not.toHaveProperty('email');
      expect(body.name).toMatch(/\S/);
      expect(body.privileges).toContainEqual(expect.objectContaining({ scope: 'org', org_id: s.orgId }));
      names.add(body.name);
    }
    expect(names.size).toBe(2);
  });

  it('forbids another org id in the path with 403', async () => {
    for (const path of [`/api/v1/orgs/${OTHER_ID}`, `/api/v1/orgs/${OTHER_ID}/sites`, `/api/v1/orgs/${OTHER_ID}/stats/ports/search`]) {
      const r = await s.get(path);
      expect(r.status, path).toBe(403);
      expect(r.json()).toEqual(FORBIDDEN);
    }
    assertValidResponse('get', '/api/v1/orgs/{org_id}/sites', 403, FORBIDDEN);
  });

  it('forbids a site id outside the org with 403', async () => {
    const gw = s.sim.org.gateways[0]!;
    for (const path of [`/api/v1/sites/${OTHER_ID}/sle/site/${OTHER_ID}/metrics`, `/api/v1/sites/${OTHER_ID}/insights/gateway/${gw.id}/stats?metrics=tx_bps`]) {
      const r = await s.get(path);
      expect(r.status, path).toBe(403);
      expect(r.json()).toEqual(FORBIDDEN);
    }
  });

  it('answers 404 for an unknown device or SLE metric in a known site', async () => {
    const site = s.sim.org.sites[0]!;
    const device = await s.get(`/api/v1/sites/${site.id}/insights/gateway/${OTHER_ID}/stats?metrics=tx_bps`);
    expect(device.status).toBe(404);
    expect(device.json()).toEqual({ id: OTHER_ID });
    const metric = await s.get(`/api/v1/sites/${site.id}/sle/site/${site.id}/metric/no-such-metric/summary-trend`);
    expect(metric.status).toBe(404);
    expect(metric.json()).toEqual({ id: 'no-such-metric' });
  });

  it.each([
    ['limit=-1', (org: string) => `/api/v1/orgs/${org}/sites?limit=-1`],
    ['page=0', (org: string) => `/api/v1/orgs/${org}/stats/devices?type=gateway&page=0`],
    ['duration=xyz', (org: string) => `/api/v1/orgs/${org}/stats/ports/search?duration=xyz`],
    ['a search_after that is not a JSON array', (org: string) => `/api/v1/orgs/${org}/alarms/search?search_after=oops`],
    ['start after end', (org: string) => `/api/v1/orgs/${org}/devices/events/search?start=2000&end=1000`],
  ])('answers 400 with a detail for %s', async (_name, path) => {
    const r = await s.get(path(s.orgId));
    expect(r.status).toBe(400);
    expect(r.json<{ detail: string }>().detail).toMatch(/\S/);
  });

  it('serves /__sim/* without any token', async () => {
    const res = await fetch(`${s.url}/__sim/org`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { org_id: string }).org_id).toBe(s.orgId);
  });
});

describe('per-token hourly rate limit', () => {
  let s: TestSim;
  const fresh = async (o: Partial<SimOptions> = {}): Promise<TestSim> => {
    s = await startTestSim({ sites: 3, tokens: [TOKEN_A, TOKEN_B], rateLimit: 5, ...o });
    return s;
  };
  afterEach(() => s.close());
  const sites = (token = TOKEN_A) => s.get(`/api/v1/orgs/${s.orgId}/sites`, { token });
  const usage = async (token = TOKEN_A) => (await s.get('/api/v1/self/usage', { token })).json<Usage>();
  const calls = async () => (await s.admin<Calls>('GET', '/__sim/calls')).body;

  it('answers call N+1 with 429 and the spec body, and Retry-After in real seconds to the end of the hour', async () => {
    await fresh({ speed: 10 });
    for (let i = 0; i < 5; i++) expect((await sites()).status).toBe(200);
    const before = s.sim.clock.now();
    const r = await sites();
    const after = s.sim.clock.now();
    expect(r.status).toBe(429);
    expect(r.json<{ detail: string }>().detail).toMatch(/^Too Many Request\. /);
    assertValidResponse('get', '/api/v1/orgs/{org_id}/sites', 429, r.json());
    const hourEnd = (Math.floor(before / 3600) + 1) * 3600;
    const retryAfter = Number(r.headers.get('retry-after'));
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThanOrEqual(Math.floor((hourEnd - after) / 10));
    expect(retryAfter).toBeLessThanOrEqual(Math.ceil((hourEnd - before) / 10));
  });

  it('sends no Retry-After when retryAfter is off', async () => {
    await fresh({ retryAfter: false });
    for (let i = 0; i < 5; i++) await sites();
    const r = await sites();
    expect(r.status).toBe(429);
    expect(r.headers.has('retry-after')).toBe(false);
  });

  it('does not charge a 429 against the budget and keeps tokens independent', async () => {
    await fresh();
    for (let i = 0; i < 5; i++) await sites();
    for (let i = 0; i < 3; i++) expect((await sites()).status).toBe(429);
    expect((await sites(TOKEN_B)).status).toBe(200);
    expect(await usage(TOKEN_B)).toMatchObject({ requests: 2, request_limit: 5 });
    // /self/usage is itself budgeted (A would get a 429), so read A's window from the simulator.
    expect(s.sim.limiter.usage(TOKEN_A, s.sim.clock.now()).requests).toBe(5);
  });

  it('reports the calling token\'s requests and limit on /self/usage, counting that call', async () => {
    await fresh({ rateLimit: 50 });
    for (let i = 0; i < 3; i++) await sites();
    const a = await s.get('/api/v1/self/usage');
    expect(a.status).toBe(200);
    assertValidResponse('get', '/api/v1/self/usage', 200, a.json());
    expect(a.json<Usage>()).toMatchObject({ requests: 4, request_limit: 50 });
    expect(await usage(TOKEN_B)).toMatchObject({ requests: 1, request_limit: 50 });
  });

  it('restores the budget once simulated time crosses the hour boundary', async () => {
    await fresh();
    for (let i = 0; i < 5; i++) await sites();
    expect((await sites()).status).toBe(429);
    const now = s.sim.clock.now();
    await s.admin('POST', '/__sim/advance', { seconds: Math.ceil(3600 - (now % 3600)) + 1 });
    expect((await sites()).status).toBe(200);
    expect((await usage()).requests).toBe(2);
  });

  it('charges no budget for calls rejected with 401', async () => {
    await fresh();
    for (let i = 0; i < 8; i++) await sites('wrong-token-zzz');
    for (let i = 0; i < 3; i++) await s.get('/api/v1/self', { token: null });
    expect(await usage(TOKEN_A)).toMatchObject({ requests: 1 });
    expect(await usage(TOKEN_B)).toMatchObject({ requests: 1 });
  });

  it('counts calls by route template and token fingerprint in /__sim/calls, never the raw token', async () => {
    await fresh();
    for (let i = 0; i < 6; i++) await sites();
    await sites(TOKEN_B);
    await s.get(`/api/v1/orgs/${s.orgId}`, { token: TOKEN_B });
    await s.get('/api/v1/self', { token: 'wrong-token-zzz' });
    await s.admin('GET', '/__sim/org'); // admin calls are not counted
    const c = await calls();
    expect(c).toMatchObject({ total: 9, rate_limited: 1, unauthorized: 1, faulted: 0 });
    expect(c.by_route).toEqual({ '/api/v1/orgs/:org_id/sites': 7, '/api/v1/orgs/:org_id': 1, '/api/v1/self': 1 });
    const { body: org } = await s.admin<{ tokens: { token: string; fingerprint: string }[] }>('GET', '/__sim/org');
    const fp = Object.fromEntries(org.tokens.map((t) => [t.token, t.fingerprint]));
    expect(c.by_token).toEqual({ [fp[TOKEN_A]!]: 6, [fp[TOKEN_B]!]: 2 });
    const text = JSON.stringify(c);
    for (const raw of [TOKEN_A, TOKEN_B, 'wrong-token-zzz']) expect(text).not.toContain(raw);
    expect((await s.admin('DELETE', '/__sim/calls')).status).toBe(200);
    expect(await calls()).toEqual({ total: 0, rate_limited: 0, unauthorized: 0, faulted: 0, by_route: {}, by_token: {} });
  });
});
