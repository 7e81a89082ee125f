import { afterEach, describe, expect, it } from 'vitest';
import { listGatewayStats, listSites, searchGatewayPorts } from '../../src/mist/endpoints.js';
import { tokenFingerprint } from '../../src/mist/fingerprint.js';
import { simCalls, simClient, walk, type SimClient } from '../support/mist-sim-client.js';
import { startTestSim, type TestSim } from '../support/sim-server.js';

/** Several tokens against the simulator's per-token hourly limit, over real HTTP. */

const A = 'sim-token-alpha-0001';
const B = 'sim-token-bravo-0002';
const UNKNOWN = 'sim-token-unknown-0003';

describe('Mist client with several tokens', () => {
  let t: TestSim | undefined;
  let c: SimClient | undefined;
  afterEach(async () => {
    await c?.client.close();
    await t?.close();
    c = undefined;
    t = undefined;
  });

  /** Sites (in pages of 50), gateway stats (pages of 50) and WAN ports (pages of 200): 6 + 6 + ~4 calls for 300 sites. */
  async function walkEverything(s: SimClient, orgId: string) {
    const sites = await walk(s.client, { ...listSites(orgId), limit: 50 });
    const stats = await walk(s.client, { ...listGatewayStats(orgId), limit: 50 });
    const ports = await walk(s.client, { ...searchGatewayPorts(orgId), limit: 200 });
    return { sites: sites.records.length, gateways: stats.records.length, wanPorts: ports.records.length };
  }

  it('two tokens limited to 5 calls an hour: 429s rotate to the other token, both are used, all data arrives', async () => {
    t = await startTestSim({ sites: 300, tokens: [A, B], rateLimit: 5 });
    // The client assumes Mist's 5,000 and does not read usage, so it learns the real limit from 429s.
    c = await simClient(t, { tokens: [A, B], syncUsage: false, retry: { maxTokenWaitMs: 3_600_000 } });
    const got = await walkEverything(c, t.orgId);
    expect(got).toEqual({ sites: 300, gateways: 300, wanPorts: t.sim.org.wanPorts.length });

    const calls = await simCalls(t);
    const served = calls.total - calls.rate_limited;
    expect(calls.rate_limited).toBeGreaterThan(0);
    expect(Object.keys(calls.by_token).sort()).toEqual([tokenFingerprint(A), tokenFingerprint(B)].sort());
    // Every 429 the simulator sent was seen (and recorded) by the client, and no call was lost or doubled.
    expect(c.records.filter((r) => r.status === 429)).toHaveLength(calls.rate_limited);
    expect(c.records.filter((r) => r.status === 200)).toHaveLength(served);
    // A 429 on one token moved the next call to the other one at once.
    const rotations = c.records.slice(0, -1).filter((r, i) => r.status === 429 && c!.records[i + 1]!.fingerprint !== r.fingerprint);
    expect(rotations.length).toBeGreaterThan(0);
    // Only when both cooled did it wait (for the hour to end on the simulator's clock), never longer than that.
    expect(c.slept.length).toBeGreaterThan(0);
    for (const ms of c.slept) expect(ms).toBeLessThanOrEqual(3_600_000);
    expect(c.logs.text()).not.toContain(A);
    expect(c.logs.text()).not.toContain(B);
  });

  it('reading usage at start, it learns the limit and spreads calls over the hours without a single 429', async () => {
    t = await startTestSim({ sites: 300, tokens: [A, B], rateLimit: 5 });
    c = await simClient(t, { tokens: [A, B], retry: { maxTokenWaitMs: 3_600_000 } });
    expect(c.client.usage().map((u) => [u.used, u.limit])).toEqual([[2, 5], [2, 5]]);
    const got = await walkEverything(c, t.orgId);
    expect(got).toEqual({ sites: 300, gateways: 300, wanPorts: t.sim.org.wanPorts.length });
    const calls = await simCalls(t);
    expect(calls.rate_limited).toBe(0);
    const perToken = Object.values(calls.by_token);
    expect(perToken).toHaveLength(2);
    // Evenly spread: the token with most budget left goes next.
    expect(Math.abs(perToken[0]! - perToken[1]!)).toBeLessThanOrEqual(1);
  });

  it('an invalid token among valid ones is dropped at start, by fingerprint, and never used again', async () => {
    t = await startTestSim({ sites: 20, tokens: [A, B] });
    c = await simClient(t, { tokens: [A, UNKNOWN, B] });
    expect(c.client.usage().map((u) => u.fingerprint)).toEqual([tokenFingerprint(A), tokenFingerprint(B)]);
    const warning = c.logs.lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.fingerprint === tokenFingerprint(UNKNOWN));
    expect(warning).toMatchObject({ level: 40, msg: expect.stringContaining('invalid') });
    await t.admin('DELETE', '/__sim/calls');
    expect((await walk(c.client, listSites(t.orgId))).records).toHaveLength(20);
    const calls = await simCalls(t);
    expect(calls.unauthorized).toBe(0);
    expect(Object.keys(calls.by_token)).not.toContain(tokenFingerprint(UNKNOWN));
    for (const token of [A, B, UNKNOWN]) expect(c.logs.text()).not.toContain(token);
  });

  it('no valid token: start fails with E_MIST_AUTH that names fingerprints, never tokens', async () => {
    t = await startTestSim({ sites: 20, tokens: [A] });
    const err = (await simClient(t, { tokens: [UNKNOWN, 'sim-token-unknown-0004'] }).then(() => undefined, (e: unknown) => e)) as Error;
    expect(err).toMatchObject({ code: 'E_MIST_AUTH' });
    expect(err.message).toContain(tokenFingerprint(UNKNOWN));
    expect(err.message).not.toContain(UNKNOWN);
    expect((await simCalls(t)).unauthorized).toBe(2);
  });
});
