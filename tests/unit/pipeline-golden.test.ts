import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCycle, type CycleResult } from '../../src/collect/cycle.js';
import { defaultFamilySettings, type Family } from '../../src/collect/family.js';
import { FAMILIES } from '../../src/families/registry.js';
import { createMistClient, type MistClient } from '../../src/mist/index.js';
import { ExpositionCache } from '../../src/server/exposition-cache.js';
import { MemoryStore } from '../../src/store/index.js';
import { fakeTime } from '../support/mist-fake.js';
import { FixtureTransport, PIPELINE_FIXTURES } from '../support/mist-fixtures.js';
import { captureLog } from '../support/redis-store.js';

/**
 * Golden exposition of the whole pipeline, per family: recorded Mist JSON (tests/fixtures/mist/pipeline/, one
 * body per endpoint, served by a fake Mist behind the real client: its schemas, `keep` filters and pagination)
 * → the family's real `run` through the real runCycle → a MemoryStore → the exporter's own cache and render
 * worker → byte-for-byte equal to tests/golden/pipeline/<family>.prom.
 * Families that join others run after them, in the collector's order (wan-ports after gateways; circuits after
 * gateways, wan-ports and vpn-peers; events after gateways and wan-ports; sle-details after sle). Incremental
 * families (alarms, events, circuits) run two cycles, so their counters count: cycle 2 reads
 * <endpoint>.cycle2.json where it exists.
 * After an intended change: UPDATE_GOLDEN=1 npx vitest run tests/unit/pipeline-golden.test.ts, review the diff,
 * commit (the same variable regenerates tests/golden/*.prom in exposition-golden.test.ts).
 */
const UPDATE = process.env.UPDATE_GOLDEN === '1';
const GOLDEN = new URL('../golden/pipeline/', import.meta.url);
/** The org of every fixture (the OpenAPI examples' org id, as in tests/fixtures/mist/*.json). */
const ORG_ID = 'af010e2b-f829-4975-b49e-2e896ed1d627';
/** The fixtures' "now" (their windows end here), in ms; cycle N runs a minute after cycle N − 1. */
const NOW = 1_790_000_000_000;
/** Site groups named "Region - …" are regions (REGION_GROUP_PREFIX), so the sites mapping has one to find. */
const SETTINGS = defaultFamilySettings({ regions: { prefix: 'Region - ', names: [] } });

interface Case {
  /** Families whose snapshots this one joins (run first, in FAMILIES order). */
  readonly after: readonly string[];
  readonly cycles: number;
  /** Mist endpoints the family itself calls (the fixture files it needs). */
  readonly endpoints: readonly string[];
  /** Records the fixtures make the family drop, per cycle (invalid rows; filtered rows are not drops). */
  readonly dropped: readonly number[];
}

const CASES: Record<string, Case> = {
  org: { after: [], cycles: 1, endpoints: ['org'], dropped: [0] },
  // a sitegroup with a bad id, a site without a name
  sites: { after: [], cycles: 1, endpoints: ['sitegroups', 'sites'], dropped: [2] },
  // an inventory row without mac, a stats row without site_id (the AP and the switch are filtered, not dropped)
  gateways: { after: [], cycles: 1, endpoints: ['inventory', 'stats_devices'], dropped: [2] },
  // a port without mac (the LAN port and the switch port are filtered)
  'wan-ports': { after: ['gateways'], cycles: 1, endpoints: ['stats_ports_search'], dropped: [1] },
  // a path without peer_mac (a repeated SSR path is stored; its readers drop it, src/metrics/identity.ts)
  'vpn-peers': { after: [], cycles: 1, endpoints: ['stats_vpn_peers_search'], dropped: [1] },
  // no Mist call; cycle 2: the primary goes down and the secondary carries the VPN (a failover); each cycle
  // reads the vpn-peers snapshot's repeated SSR path and drops it (ctx.readRecords)
  circuits: { after: ['gateways', 'wan-ports', 'vpn-peers'], cycles: 2, endpoints: [], dropped: [1, 1] },
  // a repeated site, a score above 1; worst sites: the bad site id for each of 3 SLEs, a site without a wan-link-health score
  sle: { after: [], cycles: 1, endpoints: ['insights_sites_sle', 'insights_worst_sites_by_sle'], dropped: [6] },
  // 2 degraded pairs: an unnamed classifier in each trend, an interface without name, a gateway without mac
  'sle-details': { after: ['sle'], cycles: 1, endpoints: ['sle_summary_trend', 'sle_impacted_interfaces', 'sle_impacted_gateways', 'sle_threshold'], dropped: [4] },
  // cycle 1: an alarm without timestamp
  alarms: { after: [], cycles: 2, endpoints: ['alarms_search'], dropped: [1, 0] },
  // cycle 1: an event without timestamp (switch, AP and other rows are filtered)
  events: { after: ['gateways', 'wan-ports'], cycles: 2, endpoints: ['devices_events_search'], dropped: [1, 0] },
};

interface Outcome {
  readonly text: string;
  readonly results: CycleResult[];
  readonly called: Set<string>;
}

/** Runs `family` (after what it joins) for its cycles against the fixtures, then renders it as the exporter does. */
async function pipeline(name: string): Promise<Outcome> {
  const c = CASES[name]!;
  const chain = FAMILIES.filter((f) => f.name === name || c.after.includes(f.name));
  expect(chain.map((f) => f.name)).toEqual(expect.arrayContaining([...c.after, name]));
  const store = new MemoryStore({ now: () => clock });
  const transport = new FixtureTransport(ORG_ID);
  const time = fakeTime(NOW);
  const { log } = captureLog('error');
  let clock = NOW;
  const client: MistClient = await createMistClient({
    baseUrl: 'https://api.mist.com', tokens: ['token-aaaaaaaa'], syncUsage: false, random: () => 0.5, now: time.now, sleep: time.sleep, transport,
  }, log);
  const results: CycleResult[] = [];
  const called = new Set<string>();
  const cache = new ExpositionCache(store, log, () => clock);
  try {
    for (let cycle = 1; cycle <= c.cycles; cycle++) {
      transport.cycle = cycle;
      clock = NOW + (cycle - 1) * 60_000;
      for (const family of chain as Family[]) {
        const before = transport.called.length;
        const deps = { store, api: client, log, settings: SETTINGS, now: () => clock };
        const result = await runCycle(deps, family, ORG_ID, family.defaultIntervalSeconds, new AbortController().signal);
        expect(result, `${family.name} cycle ${cycle}: ${result.error ?? ''}`).toMatchObject({ ok: true });
        if (family.name === name) {
          results.push(result);
          transport.called.slice(before).forEach((e) => called.add(e));
        }
      }
    }
    await cache.refresh();
    const view = cache.families().find((f) => f.family === name);
    expect(view, `the exporter rendered nothing for ${name}`).toBeDefined();
    return { text: view!.chunk.body.toString('utf8'), results, called };
  } finally {
    await cache.close();
    await client.close();
  }
}

/** Every endpoint any family called, across the cases (to find fixtures nothing reads). */
const everCalled = new Set<string>();

describe.each(Object.keys(CASES))('pipeline golden of family %s (recorded Mist JSON → run → store → exporter)', (name) => {
  const goldenFile = new URL(`${name}.prom`, GOLDEN);
  let out: Outcome;
  beforeAll(async () => {
    out = await pipeline(name);
    out.called.forEach((e) => everCalled.add(e));
    if (UPDATE) {
      mkdirSync(GOLDEN, { recursive: true });
      writeFileSync(goldenFile, out.text);
    }
  }, 60_000);

  it('renders byte-for-byte what tests/golden/pipeline holds', () => {
    expect(existsSync(goldenFile), `tests/golden/pipeline/${name}.prom is missing: run UPDATE_GOLDEN=1 npx vitest run ${import.meta.filename}`).toBe(true);
    expect(out.text).toBe(readFileSync(goldenFile, 'utf8'));
  });

  it('calls exactly the endpoints its fixtures record, and drops exactly the invalid records they hold', () => {
    expect([...out.called].sort()).toEqual([...CASES[name]!.endpoints].sort());
    expect(out.results.map((r) => r.recordsDropped)).toEqual(CASES[name]!.dropped);
    expect(out.results.every((r) => r.recordsKept > 0)).toBe(true);
  });

  it('renders data of the fixtures\' org, accepted by promtool check metrics with zero findings', () => {
    expect(out.text).toContain(`org_id="${ORG_ID}"`);
    const res = spawnSync('promtool', ['check', 'metrics'], { input: out.text, encoding: 'utf8' });
    expect(res.error, 'promtool missing: run scripts/ensure-test-services.sh').toBeUndefined();
    expect({ status: res.status, out: res.stdout + res.stderr }).toEqual({ status: 0, out: '' });
  });
});

describe('pipeline golden coverage', () => {
  it('has a case for every registered family, and every fixture file is read by one', () => {
    expect(Object.keys(CASES).sort()).toEqual(FAMILIES.map((f) => f.name).sort());
    const files = new Set(readdirSync(PIPELINE_FIXTURES).map((f) => f.replace(/(\.cycle\d+)?\.json$/, '')));
    expect([...files].sort()).toEqual([...everCalled].sort());
  });
});
