import { runCycle, type CycleResult } from '../../src/collect/cycle.js';
import { defaultFamilySettings, type Family, type FamilySettings } from '../../src/collect/family.js';
import { FAMILIES, FAMILY_CATALOGUES } from '../../src/families/registry.js';
import { renderFamily } from '../../src/metrics/exposition.js';
import { createMistClient, type MistClient } from '../../src/mist/index.js';
import type { HttpRequest, HttpResponse, Transport } from '../../src/mist/transport.js';
import { MemoryStore } from '../../src/store/index.js';
import { fakeTime } from '../support/mist-fake.js';
import { endpointOf, FixtureTransport } from '../support/mist-fixtures.js';
import { captureLog } from '../support/redis-store.js';

/**
 * Shared by the bad-input tests (tests/hostile/input-*.test.ts): the recorded-fixture pipeline of
 * tests/unit/pipeline-golden.test.ts (fake Mist behind the real client → the family's real run through runCycle →
 * MemoryStore → the exporter's renderFamily), with a hook that rewrites response bodies on their way in, and a
 * strict reading of the exposition text format 0.0.4 (what Prometheus' text parser requires, plus counters ≥ 0).
 */

/** The fixtures' org (tests/fixtures/mist/pipeline) and "now". */
export const ORG_ID = 'af010e2b-f829-4975-b49e-2e896ed1d627';
export const NOW = 1_790_000_000_000;
const SETTINGS = defaultFamilySettings({ regions: { prefix: 'Region - ', names: [] } });

/** Per family: the families it joins (run first), its cycles, and the Mist endpoints its records come from. */
export const PIPELINE: Readonly<Record<string, { after: readonly string[]; cycles: number; endpoints: readonly string[] }>> = {
  org: { after: [], cycles: 1, endpoints: ['org'] },
  sites: { after: [], cycles: 1, endpoints: ['sitegroups', 'sites'] },
  gateways: { after: [], cycles: 1, endpoints: ['inventory', 'stats_devices'] },
  'wan-ports': { after: ['gateways'], cycles: 1, endpoints: ['stats_ports_search'] },
  'vpn-peers': { after: [], cycles: 1, endpoints: ['stats_vpn_peers_search'] },
  // No Mist call of its own: its records come from the ports and paths the families it joins collected.
  circuits: { after: ['gateways', 'wan-ports', 'vpn-peers'], cycles: 2, endpoints: ['stats_ports_search', 'stats_vpn_peers_search'] },
  sle: { after: [], cycles: 1, endpoints: ['insights_sites_sle', 'insights_worst_sites_by_sle'] },
  'sle-details': { after: ['sle'], cycles: 1, endpoints: ['sle_summary_trend', 'sle_impacted_interfaces', 'sle_impacted_gateways', 'sle_threshold'] },
  alarms: { after: [], cycles: 2, endpoints: ['alarms_search'] },
  events: { after: ['gateways', 'wan-ports'], cycles: 2, endpoints: ['devices_events_search'] },
};

/** Rewrites a response body (parsed JSON) of `endpoint`; `family` is the family whose cycle made the call. */
export type BodyHook = (endpoint: string, body: unknown, ctx: { family: string; cycle: number }) => string | undefined;

export interface PipelineRun {
  /** Every cycle of every family of the chain, in order. */
  readonly results: readonly { family: string; cycle: number; result: CycleResult }[];
  /** The target family rendered from the store as the exporter does (null: no snapshot). */
  readonly rendered: { text: string; series: number; invalid: number; duplicates: number } | null;
  /** recordsDropped of the target family's metadata (what mist_collector_records_dropped shows). */
  readonly metaDropped: number | null;
  /** Error-level log lines (none expected: every bad record is a warning). */
  readonly errors: readonly string[];
}

class HookedTransport implements Transport {
  family = '';
  constructor(private readonly inner: FixtureTransport, private readonly hook: BodyHook | undefined) {}

  get cycle(): number {
    return this.inner.cycle;
  }

  set cycle(n: number) {
    this.inner.cycle = n;
  }

  async request(req: HttpRequest): Promise<HttpResponse> {
    const res = await this.inner.request(req);
    const endpoint = endpointOf(req.path);
    if (!this.hook || endpoint === undefined || endpoint === 'self' || endpoint === 'self_usage') return res;
    const body = this.hook(endpoint, JSON.parse(res.body) as unknown, { family: this.family, cycle: this.inner.cycle });
    return body === undefined ? res : { ...res, body };
  }
}

export interface PipelineOptions {
  /** Settings over the defaults (REGION_GROUP_PREFIX "Region - "), e.g. a circuit inventory. */
  readonly settings?: Partial<FamilySettings>;
  /** Further families to run first (e.g. sites, for inventory entries naming a site). */
  readonly after?: readonly string[];
}

/** Runs `name` (after what it joins) for its cycles on the fixtures, bodies passed through `hook`, then renders it. */
export async function runPipeline(name: string, hook?: BodyHook, opts: PipelineOptions = {}): Promise<PipelineRun> {
  const c = PIPELINE[name]!;
  const after = [...c.after, ...(opts.after ?? [])];
  const chain = FAMILIES.filter((f) => f.name === name || after.includes(f.name)) as readonly Family[];
  const settings = { ...SETTINGS, ...opts.settings };
  let clock = NOW;
  const store = new MemoryStore({ now: () => clock });
  const transport = new HookedTransport(new FixtureTransport(ORG_ID), hook);
  const time = fakeTime(NOW);
  const { log, lines } = captureLog('warn');
  const client: MistClient = await createMistClient({
    baseUrl: 'https://api.mist.com', tokens: ['token-aaaaaaaa'], syncUsage: false, random: () => 0.5, now: time.now, sleep: time.sleep, transport,
  }, log);
  const results: { family: string; cycle: number; result: CycleResult }[] = [];
  try {
    for (let cycle = 1; cycle <= c.cycles; cycle++) {
      transport.cycle = cycle;
      clock = NOW + (cycle - 1) * 60_000;
      for (const family of chain) {
        transport.family = family.name;
        const deps = { store, api: client, log, settings, now: () => clock };
        results.push({ family: family.name, cycle, result: await runCycle(deps, family, ORG_ID, family.defaultIntervalSeconds, new AbortController().signal) });
      }
    }
  } finally {
    await client.close();
  }
  const key = { orgId: ORG_ID, family: name };
  const snap = await store.readSnapshot(key);
  const catalogue = FAMILY_CATALOGUES.find((x) => x.family === name)!;
  const counters: Record<string, Record<string, number>> = {};
  for (const group of new Set((catalogue.counters ?? []).map((d) => d.group))) counters[group] = await store.readCounters(group);
  const rendered = snap ? await renderFamily(catalogue, [{ orgId: ORG_ID, pages: snap.pages }], counters) : null;
  const meta = await store.readMeta(key);
  const errors = lines.filter((l) => (JSON.parse(l) as { level: number }).level >= 50);
  return { results, rendered, metaDropped: meta?.recordsDropped ?? null, errors };
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
/** Go's ParseFloat as Prometheus' text parser takes it (no hex, no underscores). */
const VALUE = /^([+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|[+-]?Inf|NaN)$/;

export interface Series {
  readonly name: string;
  readonly labels: ReadonlyMap<string, string>;
  readonly value: number;
}

/**
 * Reads one sample line strictly: name, optional {name="value",…} with only \\ \" \n escapes in values, one
 * space, a float. Throws saying what is wrong.
 */
export function parseSample(line: string): Series {
  const m = /^([^{ ]+)/.exec(line);
  const name = m?.[1] ?? '';
  if (!METRIC_NAME.test(name)) throw new Error(`bad metric name ${JSON.stringify(name)}`);
  let i = name.length;
  const labels = new Map<string, string>();
  if (line[i] === '{') {
    i++;
    while (line[i] !== '}') {
      const eq = line.indexOf('=', i);
      if (eq < 0) throw new Error('label without =');
      const label = line.slice(i, eq);
      if (!LABEL_NAME.test(label) || label.startsWith('__')) throw new Error(`bad label name ${JSON.stringify(label)}`);
      if (labels.has(label)) throw new Error(`label ${label} twice`);
      if (line[eq + 1] !== '"') throw new Error(`label ${label}: value not quoted`);
      let j = eq + 2;
      let value = '';
      for (;;) {
        const ch = line[j];
        if (ch === undefined) throw new Error(`label ${label}: value not closed`);
        if (ch === '"') break;
        if (ch === '\n') throw new Error(`label ${label}: raw line feed`);
        if (ch === '\\') {
          const next = line[j + 1];
          if (next === '\\') value += '\\';
          else if (next === '"') value += '"';
          else if (next === 'n') value += '\n';
          else throw new Error(`label ${label}: bad escape \\${next ?? ''}`);
          j += 2;
          continue;
        }
        value += ch;
        j++;
      }
      labels.set(label, value);
      i = j + 1;
      if (line[i] === ',') i++;
      else if (line[i] !== '}') throw new Error(`label ${label}: expected , or } after the value`);
    }
    i++;
  }
  if (line[i] !== ' ') throw new Error('expected one space before the value');
  const rest = line.slice(i + 1).split(' ');
  if (rest.length > 2 || !VALUE.test(rest[0] ?? '') || (rest[1] !== undefined && !/^-?\d+$/.test(rest[1]))) throw new Error(`bad value ${JSON.stringify(line.slice(i + 1))}`);
  const raw = rest[0]!;
  return { name, labels, value: raw.endsWith('Inf') ? (raw.startsWith('-') ? -Infinity : Infinity) : Number(raw) };
}

/**
 * Every problem of an exposition text, by line: malformed lines, HELP/TYPE repeated or after samples, a metric's
 * samples not contiguous, a series repeated, a counter below zero or not finite. [] when it is all well formed.
 */
export function expositionProblems(text: string): string[] {
  const problems: string[] = [];
  if (text !== '' && !text.endsWith('\n')) problems.push('does not end with a line feed');
  const types = new Map<string, string>();
  const helps = new Set<string>();
  const sampled = new Set<string>();
  const seen = new Set<string>();
  let current = '';
  text.split('\n').forEach((line, n) => {
    const at = `line ${n + 1}`;
    if (line === '') return;
    if (line.startsWith('#')) {
      const meta = /^# (HELP|TYPE) ([^ ]+) (.*)$/.exec(line);
      if (!meta) return void problems.push(`${at}: bad comment line`);
      const [, kind, name, rest] = meta as unknown as [string, string, string, string];
      if (!METRIC_NAME.test(name)) problems.push(`${at}: bad metric name in ${kind}`);
      if (sampled.has(name)) problems.push(`${at}: ${kind} ${name} after its samples`);
      if (kind === 'HELP') {
        if (helps.has(name)) problems.push(`${at}: HELP ${name} twice`);
        helps.add(name);
        if (/\\[^\\n]/.test(rest.replace(/\\\\/g, ''))) problems.push(`${at}: bad escape in HELP`);
      } else {
        if (types.has(name)) problems.push(`${at}: TYPE ${name} twice`);
        if (!['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(rest)) problems.push(`${at}: bad type ${rest}`);
        types.set(name, rest);
      }
      return;
    }
    let s: Series;
    try {
      s = parseSample(line);
    } catch (err) {
      return void problems.push(`${at}: ${(err as Error).message}`);
    }
    if (s.name !== current && sampled.has(s.name)) problems.push(`${at}: samples of ${s.name} are not contiguous`);
    current = s.name;
    sampled.add(s.name);
    const id = `${s.name}${JSON.stringify([...s.labels].sort())}`;
    if (seen.has(id)) problems.push(`${at}: series repeated: ${line.slice(0, 200)}`);
    seen.add(id);
    if (types.get(s.name) === 'counter' && !(s.value >= 0 && s.value < Infinity)) problems.push(`${at}: counter ${s.name} is ${s.value}`);
  });
  return problems;
}

/** The sample lines of a text, parsed (the text must be well formed). */
export function samplesOf(text: string): Series[] {
  return text.split('\n').filter((l) => l !== '' && !l.startsWith('#')).map(parseSample);
}
