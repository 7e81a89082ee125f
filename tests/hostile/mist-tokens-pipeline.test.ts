import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CollectorRefused, prepareCollector } from '../../src/collect/collector.js';
import { gatewaysFamily } from '../../src/families/gateways/index.js';
import { wanPortsFamily } from '../../src/families/wan-ports/index.js';
import { tokenFingerprint } from '../../src/mist/index.js';
import { REJECTED_BASE_MS } from '../../src/mist/token-pool.js';
import { exporterConfig, type ParsedSample } from '../support/exporter-harness.js';
import { captureLog } from '../support/redis-store.js';
import { sample, startMistRig, type MistRig } from './mist-rig.js';

/**
 * Tokens dying, end to end (simulator → collector → Redis → exporter /metrics): one of three configured tokens
 * dead from the start, one of two revoked mid-run (401 after it was valid), then both, then both accepted again.
 * Client-level coverage of the start-up checks is in tests/integration/mist-client-tokens.test.ts.
 */

const A = 'sim-token-alpha-0001';
const B = 'sim-token-bravo-0002';
const DEAD = 'sim-token-dead-00003';
const FAMILY = wanPortsFamily.name;
const CYCLE_FAILED = 'cycle failed; keeping the last good snapshot';

describe('tokens dying mid-run (20 sites, 2 live tokens and a dead one)', () => {
  let r: MistRig;
  const of = (s: readonly ParsedSample[], name: string): number | undefined => sample(s, name, { family: FAMILY, org_id: r.sim.orgId });
  const authFailures = (s: readonly ParsedSample[]): number => s.filter((x) => x.name === 'mist_api_request_failures_total' && x.labels.reason === 'E_MIST_AUTH').reduce((n, x) => n + x.value, 0);
  const revoke = async (token: string, action: 'revoke' | 'restore' = 'revoke'): Promise<void> => {
    expect((await r.sim.admin('POST', `/__sim/tokens/${tokenFingerprint(token)}/${action}`)).status).toBe(200);
  };
  const noTokenAnywhere = async (): Promise<void> => {
    const text = `${r.logs.join('\n')}\n${await r.scrape()}`;
    for (const t of [A, B, DEAD]) expect(text).not.toContain(t);
  };

  beforeAll(async () => {
    r = await startMistRig({ redisUrl: inject('redisUrl'), label: 'hostile-mist-tokens', simTokens: [A, B], tokens: [A, DEAD, B], families: [gatewaysFamily, wanPortsFamily] });
    expect(await r.cycle(gatewaysFamily)).toMatchObject({ ok: true });
    expect(await r.cycle(wanPortsFamily)).toMatchObject({ ok: true });
  }, 60_000);
  afterAll(async () => {
    await r?.close();
  });

  it('a token dead from the start is left out by fingerprint, and the budget is planned on the two live ones', async () => {
    expect(r.prepared.api.usage().map((u) => u.fingerprint)).toEqual([tokenFingerprint(A), tokenFingerprint(B)]);
    expect(r.prepared.plan.budgetPerHour).toBe(2 * 5000);
    const warned = r.logLines(0).filter((l) => l.fingerprint === tokenFingerprint(DEAD));
    expect(warned).toEqual([expect.objectContaining({ level: 40, msg: expect.stringContaining('invalid') })]);
    expect((await r.calls()).unauthorized).toBe(1);
    await noTokenAnywhere();
  });

  it('an org the tokens cannot read is refused at start, naming the org and never a token', async () => {
    const other = '00000000-1111-2222-3333-444444444444';
    const { log, lines } = captureLog('info');
    const config = exporterConfig(r.sim, { MIST_API_TOKENS: `${A},${B}`, MIST_ORG_ID: `${r.sim.orgId},${other}` });
    const err = await prepareCollector(config, log, { store: r.store }).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(CollectorRefused);
    expect((err as Error).message).toContain(other);
    for (const t of [A, B]) expect(`${(err as Error).message}\n${lines.join('\n')}`).not.toContain(t);
  });

  it('one of two tokens revoked mid-run: one 401, the call moves to the other token, nothing is lost', async () => {
    const before = await r.self();
    const calls0 = await r.calls();
    const mark = r.logs.length;
    await revoke(B);
    // Enough calls that both tokens would be used (the one with most budget left goes next).
    for (let i = 0; i < 3; i++) {
      expect(await r.cycle(wanPortsFamily)).toMatchObject({ ok: true, recordsKept: r.sim.sim.org.wanPorts.length });
      expect(await r.cycle(gatewaysFamily)).toMatchObject({ ok: true });
    }
    const calls = await r.calls();
    expect(calls.unauthorized - calls0.unauthorized).toBe(1);
    // Every later call went out on A (B's count moved by nothing: its 401 counts as unauthorized, not as B's).
    expect((calls.by_token[tokenFingerprint(B)] ?? 0) - (calls0.by_token[tokenFingerprint(B)] ?? 0)).toBe(0);
    expect(calls.by_token[tokenFingerprint(A)]! - calls0.by_token[tokenFingerprint(A)]!).toBe(calls.total - calls0.total - 1);
    const after = await r.self();
    expect(authFailures(after) - authFailures(before)).toBe(1);
    expect(of(after, 'mist_collector_last_success')).toBe(1);
    const rejected = r.logLines(mark).filter((l) => typeof l.msg === 'string' && l.msg.startsWith('Mist rejected a token (401)'));
    expect(rejected).toEqual([expect.objectContaining({ level: 40, fingerprint: tokenFingerprint(B), tokensLeft: 1 })]);
    expect(r.logLines(mark).filter((l) => l.msg === CYCLE_FAILED)).toEqual([]);
    expect(r.prepared.api.usage().map((u) => u.fingerprint)).toEqual([tokenFingerprint(A)]);
    await noTokenAnywhere();
  });

  it('every token revoked: cycles fail at once with E_MIST_AUTH (one 401, then no call), the last good snapshot is served', async () => {
    const good = await r.scrape(FAMILY);
    const generation = (await r.meta(wanPortsFamily))!.generation;
    const before = await r.self();
    const mark = r.logs.length;
    await revoke(A);
    const perCycle: number[] = [];
    for (let i = 0; i < 3; i++) {
      const total = (await r.calls()).total;
      expect(await r.cycle(wanPortsFamily)).toMatchObject({ ok: false, error: expect.stringMatching(/^E_MIST_AUTH: .*no valid Mist API token left/) });
      perCycle.push((await r.calls()).total - total);
    }
    expect(perCycle).toEqual([1, 0, 0]);
    expect(await r.scrape(FAMILY)).toBe(good);
    expect((await r.meta(wanPortsFamily))!.generation).toBe(generation);
    const after = await r.self();
    expect(of(after, 'mist_collector_last_success')).toBe(0);
    expect(of(after, 'mist_collector_snapshot_present')).toBe(1);
    expect(authFailures(after) - authFailures(before)).toBe(1);
    const lines = r.logLines(mark);
    expect(lines.filter((l) => l.msg === CYCLE_FAILED)).toHaveLength(3);
    expect(lines.filter((l) => typeof l.msg === 'string' && l.msg.startsWith('Mist rejected a token (401)'))).toEqual([
      expect.objectContaining({ fingerprint: tokenFingerprint(A), tokensLeft: 0 }),
    ]);
    await noTokenAnywhere();
  });

  it('tokens accepted again: tried again after the period and collection resumes without a restart (fixed: they were dropped for good)', async () => {
    const generation = (await r.meta(wanPortsFamily))!.generation;
    const mark = r.logs.length;
    await revoke(A, 'restore');
    await revoke(B, 'restore');
    // Within the period: still no call.
    const total = (await r.calls()).total;
    expect(await r.cycle(wanPortsFamily)).toMatchObject({ ok: false, error: expect.stringMatching(/^E_MIST_AUTH: /) });
    expect((await r.calls()).total).toBe(total);
    r.clock.offset += REJECTED_BASE_MS;
    expect(await r.cycle(wanPortsFamily)).toMatchObject({ ok: true, recordsKept: r.sim.sim.org.wanPorts.length });
    expect(await r.cycle(gatewaysFamily)).toMatchObject({ ok: true });
    const calls = await r.calls();
    expect(calls.unauthorized).toBe(3); // the dead token at start, B, A: nothing since
    expect((await r.meta(wanPortsFamily))!.generation).not.toBe(generation);
    const self = await r.self();
    expect(of(self, 'mist_collector_last_success')).toBe(1);
    // Both back in the published budget use (the calls of this hour of the collector's clock).
    const used = [A, B].map((t) => sample(self, 'mist_api_budget_used_requests', { token_fingerprint: tokenFingerprint(t) }));
    expect(used.every((u) => u !== undefined)).toBe(true);
    expect(used.reduce((n, u) => n! + u!, 0)).toBeGreaterThan(0);
    expect(r.prepared.api.usage().map((u) => u.fingerprint).sort()).toEqual([tokenFingerprint(A), tokenFingerprint(B)].sort());
    expect(r.logLines(mark).filter((l) => l.msg === 'Mist accepts a token it had rejected (401): it is used again').length).toBeGreaterThanOrEqual(1);
    await noTokenAnywhere();
  });
});
