import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { gatewaysFamily } from '../../src/families/gateways/index.js';
import { wanPortsFamily } from '../../src/families/wan-ports/index.js';
import { DEFAULT_RETRY, tokenFingerprint } from '../../src/mist/index.js';
import type { ParsedSample } from '../support/exporter-harness.js';
import type { SimCalls } from '../support/mist-sim-client.js';
import { counter, sample, startMistRig, type MistRig } from './mist-rig.js';

/**
 * Mist misbehaving, proven end to end over real HTTP: simulator → collector → Redis → exporter /metrics. For
 * every fault: no crash (the cycle returns a failure with a stable code), the API budget respected (calls per
 * cycle bounded by the retry policy, Retry-After honoured, nothing called while a token cools down), the last
 * good snapshot served byte for byte (no zeros, nothing missing), the failure visible in self-metrics
 * (mist_collector_last_success, mist_api_request_failures_total by reason, mist_api_rate_limited_total, and
 * mist_api_requests_total equal to what the simulator counted) and in one log line naming family and code,
 * never a token; and the next cycle after the fault clears publishes fresh data.
 *
 * Existing coverage this builds on: tests/integration/collector-faults.test.ts (cycle level: a 429 storm with
 * Retry-After, single 5xx/bad JSON/truncated retried) and mist-client-faults.test.ts (client level).
 */

const TOKEN = 'sim-token-hostile-0001';
const PORTS = '/stats/ports/search';
const PORTS_ROUTE = '/api/v1/orgs/:org_id/stats/ports/search';
const ENDPOINT = 'stats_ports_search';
const FAMILY = wanPortsFamily.name;
const CYCLE_FAILED = 'cycle failed; keeping the last good snapshot';

interface FaultCase {
  readonly name: string;
  readonly fault: Record<string, unknown>;
  /** The cycle's error code. */
  readonly code: string;
  /** Reason of the failed HTTP attempts in mist_api_request_failures_total (none: every attempt answered 200). */
  readonly reason?: string;
  /** HTTP calls the simulator sees per failed cycle: an exact number, or bounds. */
  readonly calls: readonly (number | readonly [number, number])[];
  /** Extra checks on the collector's sleeps during the failed cycles. */
  readonly sleeps?: (sleeps: readonly number[]) => void;
  /** What has to pass before the fault is over for the collector (a cooldown), moved on its clock. */
  readonly settle?: (r: MistRig) => void;
}

/** Seconds the collector would sleep before its token is usable again. */
const coolingLeft = (r: MistRig): number => Math.max(0, ...r.prepared.api.usage().map((u) => u.coolingUntil - (Date.now() + r.clock.offset)));

/**
 * In this order: the cases whose cycles sleep long (429 cooldowns, minutes to an hour on the collector's clock)
 * come last, since a staged walk is resumed only within one interval of the store's (wall) clock, and the
 * pagination case checks that a looping walk is not resumed.
 */
const CASES: readonly FaultCase[] = [
  {
    // The next cycle starts the walk over instead of resuming from the looping cursor (fixed: it resumed, made
    // one call, and after recovery published the looped pages again).
    name: 'a `next` link that loops: stopped on the repeated URL, two calls per cycle, never resumed from it',
    fault: { kind: 'pagination_loop' },
    code: 'E_MIST_PAGINATION',
    calls: [2, 2],
  },
  {
    name: 'an org the token can no longer read (403): one call per cycle, never retried',
    fault: { kind: 'forbidden' },
    code: 'E_MIST_FORBIDDEN', reason: 'E_MIST_FORBIDDEN',
    calls: [1, 1],
    sleeps: (s) => expect(s).toEqual([]),
  },
  {
    name: '5xx that persist: maxAttempts calls per cycle with backoff',
    fault: { kind: 'error', status: 502 },
    code: 'E_MIST_HTTP', reason: 'E_MIST_HTTP',
    calls: [DEFAULT_RETRY.maxAttempts, DEFAULT_RETRY.maxAttempts],
    sleeps: (s) => expect(s).toHaveLength(2 * (DEFAULT_RETRY.maxAttempts - 1)),
  },
  {
    name: 'hanging requests: each attempt times out, maxAttempts per cycle',
    fault: { kind: 'hang' },
    code: 'E_MIST_TIMEOUT', reason: 'E_MIST_TIMEOUT',
    calls: [DEFAULT_RETRY.maxAttempts],
  },
  {
    name: 'malformed JSON (200 with a body that is not JSON)',
    fault: { kind: 'malformed_json' },
    code: 'E_MIST_BAD_JSON', reason: 'E_MIST_BAD_JSON',
    calls: [DEFAULT_RETRY.maxAttempts],
  },
  {
    name: 'truncated JSON (the connection cut mid-body)',
    fault: { kind: 'truncated_body' },
    code: 'E_MIST_TRUNCATED', reason: 'E_MIST_TRUNCATED',
    calls: [DEFAULT_RETRY.maxAttempts],
  },
  {
    name: '429 storm with Retry-After: honours every Retry-After, gives up after maxRateLimited + 1 per cycle',
    fault: { kind: 'rate_limit_storm', retry_after: 30 },
    code: 'E_MIST_RATE_LIMITED', reason: 'E_MIST_RATE_LIMITED',
    calls: [DEFAULT_RETRY.maxRateLimited + 1, DEFAULT_RETRY.maxRateLimited + 1],
    sleeps: (s) => {
      expect(s.length).toBeGreaterThanOrEqual(2 * DEFAULT_RETRY.maxRateLimited);
      // Never sooner than Retry-After (less the milliseconds the call itself took).
      for (const ms of s) expect(ms).toBeGreaterThan(29_000);
    },
  },
  {
    name: '429 storm without Retry-After: backs off exponentially, then calls nothing while the token cools',
    fault: { kind: 'rate_limit_storm', retry_after: false },
    code: 'E_MIST_RATE_LIMITED', reason: 'E_MIST_RATE_LIMITED',
    calls: [[2, DEFAULT_RETRY.maxRateLimited + 1], 0],
    sleeps: (s) => {
      expect(s[0]).toBeGreaterThanOrEqual(2_400);
      s.slice(1).forEach((ms, i) => expect(ms).toBeGreaterThanOrEqual(s[i]! - 100));
      expect(Math.max(...s)).toBeLessThanOrEqual(DEFAULT_RETRY.maxTokenWaitMs);
    },
    settle: (r) => void (r.clock.offset += coolingLeft(r) + 1000),
  },
  {
    name: 'one 429 with Retry-After of an hour: no call at all until the hour has passed',
    fault: { kind: 'rate_limit_storm', retry_after: 3600, count: 1 },
    code: 'E_MIST_RATE_LIMITED', reason: 'E_MIST_RATE_LIMITED',
    calls: [1, 0, 0],
    sleeps: (s) => expect(s).toEqual([]),
    settle: (r) => {
      expect(coolingLeft(r)).toBeGreaterThan(3_500_000);
      r.clock.offset += coolingLeft(r) + 1000;
    },
  },
];

describe('Mist faults through the pipeline (20 sites: simulator → collector → Redis → exporter)', () => {
  let r: MistRig;
  const fp = tokenFingerprint(TOKEN);
  const of = (s: readonly ParsedSample[], name: string): number | undefined => sample(s, name, { family: FAMILY, org_id: r.sim.orgId });

  beforeAll(async () => {
    r = await startMistRig({
      redisUrl: inject('redisUrl'), label: 'hostile-mist-faults', simTokens: [TOKEN], families: [gatewaysFamily, wanPortsFamily],
      // A hung request gives up after 500 ms instead of 30 s; the retry policy is the default one.
      client: { timeouts: { headersMs: 500, bodyMs: 500 } },
    });
    expect(await r.cycle(gatewaysFamily)).toMatchObject({ ok: true });
    expect(await r.cycle(wanPortsFamily)).toMatchObject({ ok: true });
  }, 60_000);
  afterAll(async () => {
    await r?.close();
  });

  for (const c of CASES) {
    it(c.name, async () => {
      const good = await r.scrape(FAMILY);
      expect(good).toContain('mist_wan_port_up{');
      const goodMeta = (await r.meta(wanPortsFamily))!;
      const before = await r.self();
      const mark = r.logs.length;
      const sleepMark = r.clock.sleeps.length;
      await r.fault({ ...c.fault, match: c.fault.kind === 'forbidden' ? `/api/v1/orgs/${r.sim.orgId}/` : PORTS });

      const perCycle: number[] = [];
      let last = (await r.calls()).total;
      for (let i = 0; i < c.calls.length; i++) {
        const result = await r.cycle(wanPortsFamily);
        // No crash: a failed cycle with the fault's stable code.
        expect(result.ok).toBe(false);
        expect(result.error).toMatch(new RegExp(`^${c.code}: `));
        const total = (await r.calls()).total;
        perCycle.push(total - last);
        last = total;
      }
      // Budget: calls per cycle as the retry policy bounds them (0 while a token cools down).
      c.calls.forEach((want, i) => {
        if (typeof want === 'number') expect(perCycle[i], `cycle ${i + 1}`).toBe(want);
        else {
          expect(perCycle[i], `cycle ${i + 1}`).toBeGreaterThanOrEqual(want[0]);
          expect(perCycle[i], `cycle ${i + 1}`).toBeLessThanOrEqual(want[1]);
        }
      });
      c.sleeps?.(r.clock.sleeps.slice(sleepMark));

      // The last good snapshot, byte for byte: no zeros for what is unknown, nothing missing.
      expect(await r.scrape(FAMILY)).toBe(good);
      expect((await r.meta(wanPortsFamily))!.generation).toBe(goodMeta.generation);

      // Self-metrics: the failure, by reason, and exactly the calls the simulator saw.
      const after = await r.self();
      const calls = perCycle.reduce((a, b) => a + b, 0);
      expect(of(after, 'mist_collector_last_success')).toBe(0);
      expect(of(after, 'mist_collector_snapshot_present')).toBe(1);
      expect(of(after, 'mist_collector_last_success_timestamp_seconds')).toBe(goodMeta.lastSuccess! / 1000);
      const delta = (name: string, labels: Record<string, string>): number => counter(after, name, labels) - counter(before, name, labels);
      expect(delta('mist_api_requests_total', { endpoint: ENDPOINT })).toBe(calls);
      const failed = delta('mist_api_request_failures_total', { endpoint: ENDPOINT, reason: c.reason ?? 'none' });
      expect(failed).toBe(c.reason === undefined ? 0 : calls);
      const limited = delta('mist_api_rate_limited_total', { token_fingerprint: fp });
      expect(limited).toBe(c.code === 'E_MIST_RATE_LIMITED' ? calls : 0);

      // Logs: one clear line per failed cycle, naming the family and the code; never a token.
      const lines = r.logLines(mark);
      const failures = lines.filter((l) => l.msg === CYCLE_FAILED);
      expect(failures).toHaveLength(c.calls.length);
      for (const l of failures) expect(l).toMatchObject({ level: 40, family: FAMILY, orgId: r.sim.orgId, error: expect.stringMatching(new RegExp(`^${c.code}: `)) });
      expect(r.logs.join('\n')).not.toContain(TOKEN);
      expect(await r.scrape()).not.toContain(TOKEN);

      // Recovery: once the fault is over, the next cycle publishes a new generation of complete data.
      await r.clearFaults();
      c.settle?.(r);
      const before2 = (await r.calls()).total;
      const recovered = await r.cycle(wanPortsFamily);
      expect(recovered).toMatchObject({ ok: true, recordsKept: r.sim.sim.org.wanPorts.length });
      expect((await r.calls()).total - before2).toBe(1);
      expect((await r.meta(wanPortsFamily))!.generation).not.toBe(goodMeta.generation);
      const fresh = await r.self();
      expect(of(fresh, 'mist_collector_last_success')).toBe(1);
      expect(of(fresh, 'mist_collector_last_success_timestamp_seconds')).toBeGreaterThan(goodMeta.lastSuccess! / 1000);
      expect((await r.scrape(FAMILY)).match(/^mist_wan_port_up\{/gm)).toHaveLength(r.sim.sim.org.wanPorts.length);
    });
  }

  it('a 5xx burst is absorbed within the cycle: retried with backoff, counted, and the cycle publishes', async () => {
    const before = await r.self();
    const generation = (await r.meta(wanPortsFamily))!.generation;
    const mark = r.logs.length;
    const start = (await r.calls()).total;
    await r.fault({ kind: 'error', status: 503, count: 2, match: PORTS });
    expect(await r.cycle(wanPortsFamily)).toMatchObject({ ok: true, recordsKept: r.sim.sim.org.wanPorts.length });
    expect((await r.calls()).total - start).toBe(3);
    const after = await r.self();
    expect(counter(after, 'mist_api_request_failures_total', { endpoint: ENDPOINT, reason: 'E_MIST_HTTP' })
      - counter(before, 'mist_api_request_failures_total', { endpoint: ENDPOINT, reason: 'E_MIST_HTTP' })).toBe(2);
    expect(of(after, 'mist_collector_last_success')).toBe(1);
    expect((await r.meta(wanPortsFamily))!.generation).not.toBe(generation);
    const lines = r.logLines(mark);
    expect(lines.filter((l) => l.msg === 'Mist call failed; retrying')).toHaveLength(2);
    expect(lines.filter((l) => l.msg === CYCLE_FAILED)).toEqual([]);
  });

  it('over the whole run: every call counted, and far within the hourly budget share', async () => {
    const calls: SimCalls = await r.calls();
    const self = await r.self();
    const counted = self.filter((s) => s.name === 'mist_api_requests_total').reduce((n, s) => n + s.value, 0);
    // Every HTTP attempt since start-up (token check, usage, org measurement included), as the simulator saw it.
    expect(counted).toBe(calls.total);
    expect(calls.by_route[PORTS_ROUTE]).toBeGreaterThan(0);
    expect(calls.total).toBeLessThanOrEqual(r.prepared.plan.allowedPerHour);
    expect(calls.unauthorized).toBe(0);
  });
});

describe('a fault longer than the TTL: the last good snapshot until it expires, then the family is gone (never zeros)', () => {
  let r: MistRig;
  /** wan-ports' interval here: its snapshot lives 3 intervals (6 s) after the last success. */
  const INTERVAL = 2;
  const of = (s: readonly ParsedSample[], name: string, family = FAMILY): number | undefined => sample(s, name, { family, org_id: r.sim.orgId });

  beforeAll(async () => {
    // No case here sleeps, so the collector's clock is the wall clock the exporter expires data by.
    r = await startMistRig({ redisUrl: inject('redisUrl'), label: 'hostile-mist-ttl', families: [gatewaysFamily, wanPortsFamily] });
    expect(await r.cycle(gatewaysFamily)).toMatchObject({ ok: true });
    expect(await r.cycle(wanPortsFamily, INTERVAL)).toMatchObject({ ok: true });
  }, 60_000);
  afterAll(async () => {
    await r?.close();
  });

  it('403 on the ports search past the TTL: served unchanged until the expiry, then absent; gateways untouched; back on recovery', async () => {
    const good = await r.scrape(FAMILY);
    const gateways = await r.scrape(gatewaysFamily.name);
    expect(good).toContain('mist_wan_port_up{');
    const meta = (await r.meta(wanPortsFamily))!;
    const expiresAt = meta.lastSuccess! + 3 * INTERVAL * 1000;
    const mark = r.logs.length;
    await r.fault({ kind: 'forbidden', match: PORTS });
    const seen: { from: number; to: number; text: string }[] = [];
    let absent = 0;
    while (absent < 2) {
      // A cycle fails every 400 ms or so (more often than the interval: failures must not extend the TTL).
      expect(await r.cycle(wanPortsFamily, INTERVAL)).toMatchObject({ ok: false, error: expect.stringMatching(/^E_MIST_FORBIDDEN: /) });
      const from = Date.now();
      const text = await r.scrape(FAMILY);
      seen.push({ from, to: Date.now(), text });
      if (text === '') absent += 1;
      if (Date.now() > expiresAt + 20_000) break;
      await new Promise((resolve) => setTimeout(resolve, 400));
    }
    // Never a partial or zeroed exposition: either the last good one, byte for byte, or nothing.
    for (const s of seen) expect(s.text === good || s.text === '').toBe(true);
    // Served until the expiry, not after it (the exporter reads its clock between `from` and `to`).
    for (const s of seen) {
      if (s.to < expiresAt) expect(s.text).toBe(good);
      if (s.from >= expiresAt) expect(s.text).toBe('');
    }
    expect(seen.filter((s) => s.text === good).length).toBeGreaterThanOrEqual(3);
    expect(absent).toBe(2);
    const self = await r.self();
    expect(of(self, 'mist_collector_snapshot_present')).toBe(0);
    expect(of(self, 'mist_collector_last_success')).toBe(0);
    expect(of(self, 'mist_collector_last_success_timestamp_seconds')).toBe(meta.lastSuccess! / 1000);
    expect(counter(self, 'mist_api_request_failures_total', { endpoint: ENDPOINT, reason: 'E_MIST_FORBIDDEN' })).toBe(seen.length);
    // The other family of the same org kept its data.
    expect(await r.scrape(gatewaysFamily.name)).toBe(gateways);
    expect(of(self, 'mist_collector_snapshot_present', gatewaysFamily.name)).toBe(1);
    // One line when the series go, from the exporter.
    const gone = r.logLines(mark).filter((l) => l.msg === 'family data expired or gone; its series are no longer served');
    expect(gone).toEqual([expect.objectContaining({ family: FAMILY })]);

    await r.clearFaults();
    expect(await r.cycle(wanPortsFamily, INTERVAL)).toMatchObject({ ok: true, recordsKept: r.sim.sim.org.wanPorts.length });
    expect((await r.scrape(FAMILY)).match(/^mist_wan_port_up\{/gm)).toHaveLength(r.sim.sim.org.wanPorts.length);
    const back = await r.self();
    expect(of(back, 'mist_collector_snapshot_present')).toBe(1);
    expect(of(back, 'mist_collector_last_success')).toBe(1);
  }, 60_000);
});
