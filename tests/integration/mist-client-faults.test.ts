import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { listSites, searchGatewayPorts } from '../../src/mist/endpoints.js';
import { simCalls, simClient, walk, type SimClient } from '../support/mist-sim-client.js';
import { startTestSim, type TestSim } from '../support/sim-server.js';

/** The Mist client surviving the simulator's injected faults (POST /__sim/faults), over real HTTP. */

describe('Mist client under injected faults', () => {
  let t: TestSim;
  let c: SimClient;
  beforeAll(async () => {
    t = await startTestSim({ sites: 120 });
    // Short attempt timeouts so a hung request gives up quickly; the retry policy is the default one.
    c = await simClient(t, { timeouts: { headersMs: 400, bodyMs: 400 } });
  });
  afterAll(async () => {
    await c.client.close();
    await t.close();
  });
  afterEach(async () => {
    await t.admin('DELETE', '/__sim/faults');
  });

  const fault = async (spec: Record<string, unknown>): Promise<void> => {
    expect((await t.admin('POST', '/__sim/faults', spec)).status).toBe(201);
    await t.admin('DELETE', '/__sim/calls');
    c.records.length = 0;
    c.slept.length = 0;
    c.logs.lines.length = 0;
  };
  const sitesRoute = '/api/v1/orgs/:org_id/sites';

  it('survives a 429 storm: cools down for Retry-After, then gets every site', async () => {
    await fault({ kind: 'rate_limit_storm', count: 3, match: '/sites' });
    const { records } = await walk(c.client, listSites(t.orgId));
    expect(records).toHaveLength(120);
    const calls = await simCalls(t);
    expect(calls.rate_limited).toBe(3);
    expect(calls.by_route[sitesRoute]).toBe(4);
    expect(c.records.map((r) => r.status)).toEqual([429, 429, 429, 200]);
    // One token: each 429 waits out its Retry-After (60 s) on the simulator's clock.
    expect(c.slept).toHaveLength(3);
    for (const ms of c.slept) expect(ms).toBeGreaterThan(55_000);
    expect(c.logs.text()).toContain('rate limit');
  });

  it('retries 5xx (HTML bodies) and gets every site', async () => {
    await fault({ kind: 'error', status: 503, count: 2, match: '/sites' });
    const { records } = await walk(c.client, listSites(t.orgId));
    expect(records).toHaveLength(120);
    expect(c.records.map((r) => [r.status, r.failure])).toEqual([[503, 'E_MIST_HTTP'], [503, 'E_MIST_HTTP'], [200, null]]);
    expect((await simCalls(t)).by_route[sitesRoute]).toBe(3);
  });

  it.each([
    ['malformed_json', 'E_MIST_BAD_JSON'],
    ['truncated_body', 'E_MIST_TRUNCATED'],
  ] as const)('retries %s and gets every site', async (kind, code) => {
    await fault({ kind, count: 1, match: '/sites' });
    const { records } = await walk(c.client, listSites(t.orgId));
    expect(records).toHaveLength(120);
    expect(c.records.map((r) => r.failure)).toEqual([code, null]);
    expect((await simCalls(t)).by_route[sitesRoute]).toBe(2);
  });

  it('a hung request times out and the retry succeeds', async () => {
    await fault({ kind: 'hang', count: 1, match: '/sites' });
    const { records } = await walk(c.client, listSites(t.orgId));
    expect(records).toHaveLength(120);
    expect(c.records.map((r) => [r.status, r.failure])).toEqual([[null, 'E_MIST_TIMEOUT'], [200, null]]);
  });

  it('a hung request with no retries left is E_MIST_TIMEOUT', async () => {
    const once = await simClient(t, { timeouts: { headersMs: 400, bodyMs: 400 }, retry: { maxAttempts: 1 }, syncUsage: false });
    try {
      await fault({ kind: 'hang', count: 1, match: '/sites' });
      await expect(walk(once.client, listSites(t.orgId))).rejects.toMatchObject({ code: 'E_MIST_TIMEOUT', retryable: true, endpoint: 'sites' });
    } finally {
      await once.client.close();
    }
  });

  it('a looping server (form A) is E_MIST_PAGINATION after two pages, not an endless walk', async () => {
    await fault({ kind: 'pagination_loop', match: '/sites' });
    await expect(walk(c.client, { ...listSites(t.orgId), limit: 50 })).rejects.toMatchObject({ code: 'E_MIST_PAGINATION' });
    expect((await simCalls(t)).by_route[sitesRoute]).toBe(2);
  });

  it('a looping server (form B) is E_MIST_PAGINATION once `next` repeats', async () => {
    await fault({ kind: 'pagination_loop', match: '/stats/ports/search' });
    await expect(walk(c.client, { ...searchGatewayPorts(t.orgId), limit: 100 })).rejects.toMatchObject({ code: 'E_MIST_PAGINATION', message: expect.stringContaining('loop') });
    expect((await simCalls(t)).by_route['/api/v1/orgs/:org_id/stats/ports/search']).toBe(2);
  });

  it('a persistent 5xx gives up with E_MIST_HTTP, and no token reaches a log line or the error', async () => {
    await fault({ kind: 'error', status: 500, count: 10, match: '/sites' });
    const err = await walk(c.client, listSites(t.orgId)).catch((e: unknown) => e as Error);
    expect(err).toMatchObject({ code: 'E_MIST_HTTP', status: 500 });
    expect(String((err as Error).message)).not.toContain(t.token);
    expect(c.logs.text()).not.toContain(t.token);
    expect(c.logs.text()).toContain('retrying');
  });
});
