import { get as httpGet } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestSim, type TestSim } from '../support/sim-server.js';
import type { SimOptions } from '../../src/sim/options.js';

/** Faults injected through POST /__sim/faults, and the validation of the /__sim admin API. */

interface Fault { id: string; kind: string; applied: number; count?: number; expiresAt?: number }
interface PortRow { mac: string; port_id: string }
interface SearchBody { total: number; limit: number; next?: string; results: unknown[] }

describe('injected faults', () => {
  let s: TestSim;
  beforeAll(async () => { s = await startTestSim({ sites: 20, rateLimit: 1000 }); });
  afterAll(() => s.close());
  afterEach(async () => {
    await s.admin('DELETE', '/__sim/faults');
    await s.admin('DELETE', '/__sim/calls');
  });
  const addFault = async (spec: Record<string, unknown>): Promise<Fault> => {
    const r = await s.admin<{ faults: Fault[] }>('POST', '/__sim/faults', spec);
    expect(r.status).toBe(201);
    return r.body.faults[0]!;
  };
  const sitesPath = () => `/api/v1/orgs/${s.orgId}/sites`;
  const portsPath = () => `/api/v1/orgs/${s.orgId}/stats/ports/search?limit=5`;

  it('latency delays the response by at least latency_ms', async () => {
    await addFault({ kind: 'latency', latency_ms: 120, match: '/sites', count: 1 });
    const t0 = performance.now();
    const r = await s.get(sitesPath());
    // A lower bound, so load can only help it; 1 ms less because Node's timers run on a millisecond loop clock
    // and may fire up to 1 ms early by performance.now().
    expect(performance.now() - t0).toBeGreaterThanOrEqual(119);
    expect(r.status).toBe(200);
    expect(r.json<unknown[]>()).toHaveLength(20);
  });

  it('error answers with the configured 5xx and an HTML body, as Mist\'s edge does', async () => {
    await addFault({ kind: 'error', status: 502 });
    const r = await s.get(sitesPath());
    expect(r.status).toBe(502);
    expect(r.headers.get('content-type')).toMatch(/^text\/html/);
    expect(r.text).toMatch(/^<html>.*502 Bad Gateway/);
    expect(() => JSON.parse(r.text)).toThrow();
  });

  it('malformed_json answers 200 with a body that is not JSON', async () => {
    await addFault({ kind: 'malformed_json', match: '/sites' });
    const r = await s.get(sitesPath());
    expect(r.status).toBe(200);
    expect(r.text.length).toBeGreaterThan(0);
    expect(() => JSON.parse(r.text)).toThrow(SyntaxError);
  });

  it('truncated_body cuts the connection after announcing the full length', async () => {
    await addFault({ kind: 'truncated_body', match: '/sites', count: 2 });
    await expect(s.get(sitesPath())).rejects.toThrow();
    // What the wire carried: a 200 announcing N bytes, fewer bytes, then a closed connection.
    const seen = await new Promise<{ status?: number; announced: number; received: number; error: boolean }>((resolve) => {
      const out = { status: undefined as number | undefined, announced: -1, received: 0, error: false };
      const req = httpGet(`${s.url}${sitesPath()}`, { headers: { authorization: `Token ${s.token}` } }, (res) => {
        out.status = res.statusCode;
        out.announced = Number(res.headers['content-length']);
        res.on('data', (chunk: Buffer) => { out.received += chunk.length; });
        res.on('error', () => { out.error = true; });
        res.on('close', () => resolve(out));
      });
      req.on('error', () => resolve({ ...out, error: true }));
    });
    expect(seen.status).toBe(200);
    expect(seen.received).toBeGreaterThan(0);
    expect(seen.received).toBeLessThan(seen.announced);
    expect(seen.error).toBe(true);
    const after = await s.get(sitesPath());
    expect(after.status).toBe(200);
    expect(after.json<unknown[]>()).toHaveLength(20);
  });

  it('hang never answers: the client gives up by aborting', async () => {
    await addFault({ kind: 'hang', match: '/sites', count: 1 });
    const err: unknown = await s.get(sitesPath(), { signal: AbortSignal.timeout(300) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DOMException);
    expect((err as DOMException).name).toBe('TimeoutError');
    expect((await s.get(sitesPath())).status).toBe(200);
  });

  it('rate_limit_storm answers 429 with Retry-After while budget remains, and spends none of it', async () => {
    const spent = () => s.sim.limiter.usage(s.token, s.sim.clock.now()).requests;
    const before = spent();
    await addFault({ kind: 'rate_limit_storm', match: '/sites', count: 3 });
    for (let i = 0; i < 3; i++) {
      const r = await s.get(sitesPath());
      expect(r.status).toBe(429);
      expect(r.json<{ detail: string }>().detail).toMatch(/^Too Many Request/);
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    }
    expect((await s.get(sitesPath())).status).toBe(200);
    expect(spent() - before).toBe(1);
    const { body: calls } = await s.admin<{ rate_limited: number; total: number }>('GET', '/__sim/calls');
    expect(calls).toMatchObject({ rate_limited: 3, faulted: 3, total: 4 });
  });

  it('pagination_loop makes a search `next` repeat the same search_after forever', async () => {
    const first = (await s.get(portsPath())).json<SearchBody>();
    expect(first.next).toBeDefined();
    const cursor = new URL(first.next!, s.url).searchParams.get('search_after');
    expect(cursor).toBeTruthy();
    await addFault({ kind: 'pagination_loop', match: '/stats/ports/search' });
    let next = first.next!;
    const pages: SearchBody[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await s.get(next);
      expect(r.status).toBe(200);
      const body = r.json<SearchBody>();
      pages.push(body);
      expect(body.next).toBeDefined();
      expect(new URL(body.next!, s.url).searchParams.get('search_after')).toBe(cursor);
      next = body.next!;
    }
    // Counters move with the clock between calls; the rows (gateway mac + port) must be the same ones.
    const keys = (b: SearchBody) => b.results.map((r) => `${(r as PortRow).mac}/${(r as PortRow).port_id}`);
    for (const p of pages) expect(keys(p)).toEqual(keys(pages[0]!));
    expect(keys(pages[0]!)).toHaveLength(5);
    expect(keys(pages[0]!)).not.toEqual(keys(first));
    // Even a page that holds every row claims another one.
    const all = (await s.get(`/api/v1/orgs/${s.orgId}/stats/ports/search?limit=1000`)).json<SearchBody>();
    expect(all.results).toHaveLength(all.total);
    expect(all.next).toBeDefined();
  });

  it('pagination_loop makes X-Page-Total (form A) and total (form C) always claim another page', async () => {
    await addFault({ kind: 'pagination_loop' });
    for (const page of [1, 2, 4, 50]) {
      const a = await s.get(`${sitesPath()}?limit=10&page=${page}`);
      expect(a.status).toBe(200);
      expect(Number(a.headers.get('x-page-total'))).toBeGreaterThan(page * 10);
      expect(a.json<unknown[]>().length).toBeGreaterThan(0);
      const c = (await s.get(`/api/v1/orgs/${s.orgId}/insights/sites-sle?sle=wan&limit=10&page=${page}`))
        .json<{ page: number; limit: number; total: number; results: unknown[] }>();
      expect(c.page * c.limit).toBeLessThan(c.total);
      expect(c.results.length).toBeGreaterThan(0);
    }
  });

  it('match limits a fault to paths containing its text', async () => {
    await addFault({ kind: 'error', match: '/sitegroups' });
    expect((await s.get(`/api/v1/orgs/${s.orgId}/sitegroups`)).status).toBe(503);
    expect((await s.get(sitesPath())).status).toBe(200);
    expect((await s.get(`/api/v1/orgs/${s.orgId}`)).status).toBe(200);
  });

  it('count limits how many calls a fault hits, then it leaves the list', async () => {
    const f = await addFault({ kind: 'error', count: 2 });
    expect((await s.get(sitesPath())).status).toBe(503);
    const listed = (await s.admin<{ faults: Fault[] }>('GET', '/__sim/faults')).body.faults;
    expect(listed).toEqual([expect.objectContaining({ id: f.id, kind: 'error', applied: 1, count: 2 })]);
    expect((await s.get(sitesPath())).status).toBe(503);
    expect((await s.get(sitesPath())).status).toBe(200);
    expect((await s.admin<{ faults: Fault[] }>('GET', '/__sim/faults')).body.faults).toEqual([]);
    const { body: calls } = await s.admin<{ faulted: number; total: number }>('GET', '/__sim/calls');
    expect(calls).toMatchObject({ faulted: 2, total: 3 });
  });

  it('rate 0.5 hits some but not all of 40 calls, in the same sequence on every simulator', async () => {
    const statuses = async (t: TestSim): Promise<number[]> => {
      await t.admin('POST', '/__sim/faults', { kind: 'error', rate: 0.5, match: '/sites' });
      const out: number[] = [];
      for (let i = 0; i < 40; i++) out.push((await t.get(`/api/v1/orgs/${t.orgId}/sites?limit=1`)).status);
      return out;
    };
    const seq = await statuses(s);
    const hits = seq.filter((st) => st === 503).length;
    expect(hits).toBeGreaterThan(0);
    expect(hits).toBeLessThan(40);
    expect(seq.filter((st) => st !== 503 && st !== 200)).toEqual([]);
    const other = await startTestSim({ sites: 2 });
    try {
      expect(await statuses(other)).toEqual(seq);
    } finally {
      await other.close();
    }
  });

  it('lists faults with their expiry when duration_seconds is set', async () => {
    const before = Date.now();
    const f = await addFault({ kind: 'latency', latency_ms: 0, duration_seconds: 30 });
    expect(f.expiresAt).toBeGreaterThanOrEqual(before + 30_000);
    expect(f.expiresAt).toBeLessThanOrEqual(Date.now() + 30_000);
  });

  it('adds several faults from {faults:[…]}, lists them, and DELETE clears them all', async () => {
    const r = await s.admin<{ faults: Fault[] }>('POST', '/__sim/faults', {
      faults: [{ kind: 'error', match: '/sitegroups' }, { kind: 'malformed_json', match: '/inventory' }],
    });
    expect(r.status).toBe(201);
    expect(r.body.faults.map((f) => f.kind)).toEqual(['error', 'malformed_json']);
    expect(new Set(r.body.faults.map((f) => f.id)).size).toBe(2);
    expect((await s.admin<{ faults: Fault[] }>('GET', '/__sim/faults')).body.faults).toHaveLength(2);
    expect((await s.get(`/api/v1/orgs/${s.orgId}/sitegroups`)).status).toBe(503);
    expect((await s.admin<{ cleared: number }>('DELETE', '/__sim/faults')).body).toEqual({ cleared: 2 });
    expect((await s.admin<{ faults: Fault[] }>('GET', '/__sim/faults')).body.faults).toEqual([]);
    expect((await s.get(`/api/v1/orgs/${s.orgId}/sitegroups`)).status).toBe(200);
  });

  it.each([
    [{ kind: 'flood' }, /kind/],
    [{ kind: 'error', status: 404 }, /status/],
    [{ kind: 'latency', rate: 2 }, /rate/],
    [{ kind: 'latency', count: 0 }, /count/],
    [{ kind: 'latency', colour: 'red' }, /colour/],
    [{ faults: [] }, /faults/],
    [{ faults: [{ kind: 'hang' }, { kind: 'nope' }] }, /faults\.1\.kind/],
    [{}, /kind/],
  ])('rejects the invalid fault body %j with 400 naming the problem', async (body, problem) => {
    const r = await s.admin<{ detail: string }>('POST', '/__sim/faults', body);
    expect(r.status).toBe(400);
    expect(r.body.detail).toMatch(problem);
    expect((await s.admin<{ faults: Fault[] }>('GET', '/__sim/faults')).body.faults).toEqual([]);
  });
});

describe('a held (hang) socket at shutdown', () => {
  it('does not keep the simulator from closing', async () => {
    const s = await startTestSim({ sites: 2 });
    await s.admin('POST', '/__sim/faults', { kind: 'hang' });
    const pending = s.get(`/api/v1/orgs/${s.orgId}`).then(() => 'answered', () => 'failed');
    // The hang fault counts as applied once the request reached the guard.
    for (let i = 0; i < 100; i++) {
      const { body } = await s.admin<{ faults: Fault[] }>('GET', '/__sim/faults');
      if (body.faults[0]?.applied === 1) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    const closed = await Promise.race([s.close().then(() => 'closed'), new Promise((r) => setTimeout(() => r('stuck'), 5000))]);
    expect(closed).toBe('closed');
    expect(await pending).toBe('failed');
  });
});

describe('/__sim admin API input validation', () => {
  let s: TestSim;
  const opts: Partial<SimOptions> = { sites: 3 };
  beforeAll(async () => { s = await startTestSim(opts); });
  afterAll(() => s.close());

  it.each([
    ['an unknown incident kind', () => ({ kind: 'meteor', site_id: s.sim.org.sites[0]!.id }), /kind/],
    ['an unknown site', () => ({ kind: 'outage', site_id: 'no-such-site' }), /site/],
    ['an unknown WAN port', () => ({ kind: 'flap', site_id: s.sim.org.sites[0]!.id, port_id: 'ge-9/9/9' }), /port/],
  ])('rejects an incident with %s with 400', async (_name, body, problem) => {
    const r = await s.admin<{ detail: string }>('POST', '/__sim/incidents', body());
    expect(r.status).toBe(400);
    expect(r.body.detail).toMatch(problem);
    expect((await s.admin<{ incidents: unknown[] }>('GET', '/__sim/incidents')).body.incidents).toEqual([]);
  });

  it.each([[{ seconds: -5 }], [{ seconds: 0 }], [{ seconds: 'ten' }], [{}]])('rejects /__sim/advance %j with 400 and leaves time alone', async (body) => {
    const before = s.sim.clock.now();
    const r = await s.admin<{ detail: string }>('POST', '/__sim/advance', body);
    expect(r.status).toBe(400);
    expect(r.body.detail).toMatch(/seconds/);
    expect(s.sim.clock.now() - before).toBeLessThan(60);
  });
});
