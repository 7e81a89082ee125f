import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { FAMILY_NAMES } from '../../src/families/registry.js';
import {
  getSitesSle, listGatewayStats, listInventory, listSitegroups, listSites, searchAlarms, searchGatewayEvents, searchGatewayPorts, searchVpnPeers,
} from '../../src/mist/endpoints.js';
import { expositionProblems, ORG_ID, PIPELINE, runPipeline, samplesOf, type PipelineRun } from './input-support.js';

/**
 * Bad input, Mist payloads: property-based fuzzing (fast-check) of every family's Mist responses through the
 * real client (schemas, `keep` filters), the family's mapping (runCycle into a MemoryStore) and the exporter's
 * renderer. Start: the recorded bodies of tests/fixtures/mist/pipeline (the golden pipeline's). Each run applies
 * 1–3 mutations to the bodies of the endpoints the family's records come from: a field deleted, set to null or a
 * value of the wrong type, a huge or negative number, a NaN-ish string, an extra field, a whole row replaced or
 * repeated, and raw JSON numbers JSON.stringify cannot write (1e400 parses as Infinity, 30-digit integers).
 *
 * Properties, for every run:
 * - nothing throws; a mutation inside rows never fails a cycle (one bad row is dropped, its page-mates are kept);
 *   a cycle that fails says why in one line;
 * - the rendered family is well-formed exposition (strict reading, input-support.ts), no series twice, counters
 *   finite and ≥ 0, and the exporter finds no unreadable record (the collector stores only what it can render);
 * - every row a mutation made fail its Mist schema is dropped and counted (the family's drops ≥ those rows, and
 *   the metadata behind mist_collector_records_dropped says the same as the cycle);
 * - nothing else is lost: every series of the unmutated run that does not carry a value of a mutated row is
 *   still rendered;
 * - a sample of the texts passes `promtool check metrics` with no finding.
 * Seeded: FUZZ_SEED=<n> reproduces a run (printed on failure), FUZZ_RUNS=<n> changes the count (default 60),
 * FUZZ_SHRINK=1 shrinks a failure to a minimal counterexample.
 */

const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const RUNS = Number(process.env.FUZZ_RUNS ?? 60);
/** Every how many runs the text also goes to promtool. */
const PROMTOOL_EVERY = 6;

/** Row schemas of the list endpoints (the client validates their rows one by one). */
const ROW_SCHEMAS: Readonly<Record<string, z.ZodType>> = {
  sites: listSites(ORG_ID).schema,
  sitegroups: listSitegroups(ORG_ID).schema,
  inventory: listInventory(ORG_ID).schema,
  stats_devices: listGatewayStats(ORG_ID).schema,
  stats_ports_search: searchGatewayPorts(ORG_ID).schema,
  stats_vpn_peers_search: searchVpnPeers(ORG_ID).schema,
  insights_sites_sle: getSitesSle(ORG_ID).schema,
  alarms_search: searchAlarms(ORG_ID, 0).schema,
  devices_events_search: searchGatewayEvents(ORG_ID, [], 0).schema,
};
/** Arrays of rows inside an unpaged body (sle-details validates these element by element). */
const ROW_ARRAYS = ['results', 'classifiers', 'interfaces', 'gateways'];

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
const RAW = (token: string): string => `\u0000RAW:${token}\u0000`;

const hostileValue: fc.Arbitrary<Json> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom<Json>(
    null, '', 'NaN', 'Infinity', '-Infinity', '-0', '1e999', ' 42 ', '0x10', 'null', 'true', '"', '\\', '\n', 'a"b\\c\nd}',
    '🛰️ 👩‍👩‍👧', 'x'.repeat(1024), -1, -1e12, 0, 0.5, 1.5, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, true, false, [], {}, [1, 'a'], { a: null },
    RAW('1e400'), RAW('-1e400'), RAW('123456789012345678901234567890'), RAW('-0'), RAW('1E-400'),
  ) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json> },
  { weight: 1, arbitrary: fc.string({ maxLength: 40, unit: 'grapheme' }) },
  { weight: 1, arbitrary: fc.integer({ min: -1e6, max: 1e6 }) },
);

interface Mutation {
  readonly endpoint: number;
  /** Inside one row (then only that row can lose series), or anywhere in the body. */
  readonly scope: 'row' | 'body';
  readonly row: number;
  readonly node: number;
  readonly kind: 'delete' | 'replace' | 'extra' | 'negate' | 'duplicate';
  readonly value: Json;
}

const mutation: fc.Arbitrary<Mutation> = fc.record({
  endpoint: fc.nat(),
  scope: fc.constantFrom<Mutation['scope']>('row', 'row', 'row', 'row', 'body'),
  row: fc.nat(),
  node: fc.nat(),
  kind: fc.constantFrom<Mutation['kind']>('delete', 'replace', 'replace', 'extra', 'negate', 'duplicate'),
  value: hostileValue,
});

type Path = (string | number)[];

function paths(node: Json, at: Path = []): Path[] {
  const out: Path[] = [at];
  if (Array.isArray(node)) node.forEach((v, i) => out.push(...paths(v, [...at, i])));
  else if (node !== null && typeof node === 'object') for (const [k, v] of Object.entries(node)) out.push(...paths(v, [...at, k]));
  return out;
}

/** The array of rows of a body, with its path: the body itself, or its first row array. */
function rowArray(body: Json): { at: Path; rows: Json[] } | null {
  if (Array.isArray(body)) return { at: [], rows: body };
  if (body !== null && typeof body === 'object') {
    for (const key of ROW_ARRAYS) {
      const rows = body[key];
      if (Array.isArray(rows) && rows.length > 0) return { at: [key], rows };
    }
  }
  return null;
}

function get(root: Json, path: Path): Json {
  return path.reduce<Json>((node, key) => (node as Record<string | number, Json>)[key] as Json, root);
}

/** Applies one mutation at `path` of `root` (in place; the root itself is replaced through the return value). */
function apply(root: Json, path: Path, m: Mutation): Json {
  const value = structuredClone(m.value);
  if (path.length === 0) return m.kind === 'delete' || m.kind === 'duplicate' ? root : value;
  const parent = get(root, path.slice(0, -1)) as Record<string | number, Json> | Json[];
  const key = path.at(-1)!;
  const node = (parent as Record<string | number, Json>)[key] as Json;
  switch (m.kind) {
    case 'delete':
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete parent[key as string];
      break;
    case 'duplicate':
      if (Array.isArray(parent)) parent.splice((key as number) + 1, 0, structuredClone(node));
      else (parent as Record<string, Json>)[`${String(key)}_copy`] = structuredClone(node);
      break;
    case 'extra':
      if (Array.isArray(node)) node.push(value);
      else if (node !== null && typeof node === 'object') node[`fuzz_extra_${String(key)}`] = value;
      else (parent as Record<string | number, Json>)[key] = value;
      break;
    case 'negate':
      (parent as Record<string | number, Json>)[key] = typeof node === 'number' ? (node === 0 ? -1 : -node) : -1;
      break;
    default:
      (parent as Record<string | number, Json>)[key] = value;
  }
  return root;
}

/** Strings of a value (ids, macs, names…), for the rows whose series may go. */
function stringsOf(node: Json, out: Set<string>): Set<string> {
  if (typeof node === 'string') out.add(node);
  else if (typeof node === 'number') out.add(String(node));
  else if (Array.isArray(node)) node.forEach((v) => stringsOf(v, out));
  else if (node !== null && typeof node === 'object') Object.values(node).forEach((v) => stringsOf(v, out));
  return out;
}

interface Observed {
  /** Rows the mutations made fail their endpoint's schema (for the summary). */
  madeInvalid: number;
  /** Rows failing their endpoint's schema in the bodies served (mutated or not), by the family and cycle whose call got them. */
  readonly invalidServed: Map<string, number>;
  /** Values of every row a mutation touched (their series may go). */
  readonly touched: Set<string>;
  /** A mutation outside the rows (envelope, unpaged body): the call itself may fail. */
  bodyLevel: boolean;
}

function mutateBody(endpoint: string, body: Json, ms: readonly Mutation[], seen: Observed): Json {
  let root = structuredClone(body);
  for (const m of ms) {
    const rows = rowArray(root);
    if (m.scope === 'row' && rows && rows.rows.length > 0) {
      const index = m.row % rows.rows.length;
      const rowPath = [...rows.at, index];
      const before = structuredClone(rows.rows[index]!);
      const inner = paths(before);
      const path = [...rowPath, ...inner[m.node % inner.length]!];
      stringsOf(before, seen.touched);
      root = apply(root, path, m);
      const schema = ROW_SCHEMAS[endpoint];
      if (schema && rows.at.length <= 1) {
        const after = get(root, rows.at);
        const now = Array.isArray(after) ? after : [];
        // The rows now where the touched one was (deleted: none; duplicated: two copies, both as valid as it).
        const slots = m.kind === 'delete' && inner[m.node % inner.length]!.length === 0 ? [] : [index];
        for (const i of slots) {
          if (schema.safeParse(before).success && !schema.safeParse(now[i]).success) {
            seen.madeInvalid += 1;
          }
        }
      }
    } else {
      seen.bodyLevel = true;
      const all = paths(root);
      root = apply(root, all[m.node % all.length]!, m);
    }
  }
  return root;
}

/** The body as Mist would send it: JSON, with the raw number tokens JSON.stringify cannot write put in. */
const serialise = (body: Json): string => JSON.stringify(body).replace(/"\\u0000RAW:([^"\\]+)\\u0000"/g, '$1');

/** Rows of a served body that fail their endpoint's schema (as the client parses the text: raw tokens included). */
function invalidRows(endpoint: string, text: string): number {
  const schema = ROW_SCHEMAS[endpoint];
  const body = JSON.parse(text) as Json;
  const rows = Array.isArray(body) ? body : body !== null && typeof body === 'object' && Array.isArray(body.results) ? body.results : null;
  if (!schema || !rows) return 0;
  return rows.filter((r) => !schema.safeParse(r).success).length;
}

/** Fails with every item in full (vitest would shorten a diff of long strings). */
function none(items: readonly string[], what: string): void {
  if (items.length > 0) throw new Error(`${what}:\n${items.join('\n')}`);
}

/** Series of a text as "name{labels}" identities, with their label values. */
function seriesOf(text: string): Map<string, string[]> {
  return new Map(samplesOf(text).map((s) => [`${s.name}${JSON.stringify([...s.labels].sort())}`, [...s.labels.values()]]));
}

/** A label value that a touched row may explain: equal to, inside, or containing one of its values. */
function explained(value: string, touched: ReadonlySet<string>): boolean {
  if (value.length < 4) return false;
  for (const t of touched) if (t.includes(value) || (t.length >= 6 && value.includes(t))) return true;
  return false;
}

describe.each(FAMILY_NAMES.map((f) => [f]))('fuzzed Mist payloads of family %s', (family) => {
  const endpoints = PIPELINE[family]!.endpoints;
  let baseline: PipelineRun;
  let baseSeries: Map<string, string[]>;

  beforeAll(async () => {
    baseline = await runPipeline(family);
    baseSeries = seriesOf(baseline.rendered!.text);
  }, 30_000);

  it('the unmutated run is the golden pipeline\'s: well formed, every cycle ok, series rendered', () => {
    expect(baseline.results.every((r) => r.result.ok)).toBe(true);
    expect(expositionProblems(baseline.rendered!.text)).toEqual([]);
    expect(baseSeries.size).toBeGreaterThan(0);
  });

  it(`arbitrary and mutated payloads render valid exposition or are dropped and counted (seed ${SEED})`, async () => {
    const texts: string[] = [];
    let runs = 0;
    let dropping = 0;
    let failing = 0;
    let presence = 0;
    const property = fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 3 }), async (ms) => {
      runs += 1;
      const seen: Observed = { madeInvalid: 0, invalidServed: new Map(), touched: new Set(), bodyLevel: false };
      const run = await runPipeline(family, (endpoint, body, ctx) => {
        const mine = ms.filter((m) => endpoints[m.endpoint % endpoints.length] === endpoint);
        const text = serialise(mine.length === 0 ? (body as Json) : mutateBody(endpoint, body as Json, mine, seen));
        const key = `${ctx.family}#${ctx.cycle}`;
        seen.invalidServed.set(key, (seen.invalidServed.get(key) ?? 0) + invalidRows(endpoint, text));
        return text;
      });
      const context = JSON.stringify(ms).slice(0, 2000);
      for (const { family: f, cycle, result } of run.results) {
        if (!result.ok) {
          expect(seen.bodyLevel, `${f} cycle ${cycle} failed on a mutation inside rows: ${result.error} (${context})`).toBe(true);
          expect(result.error ?? '', `${f}: a failed cycle says why in one line`).toMatch(/^[^\n]+$/);
        }
      }
      if (run.results.some((r) => !r.result.ok)) failing += 1;
      none(run.errors, 'error-level log lines for bad data');
      // Every row failing its schema in what was served is dropped and counted (family-level drops only add).
      for (const [key, n] of seen.invalidServed) {
        const cycle = run.results.find((r) => `${r.family}#${r.cycle}` === key)!.result;
        if (cycle.ok && cycle.recordsDropped < n) {
          throw new Error(`${key}: ${n} row(s) failing their schema were served, ${cycle.recordsDropped} dropped and counted (${context})`);
        }
      }
      if (seen.madeInvalid > 0) dropping += 1;
      const own = run.results.filter((r) => r.family === family);
      const last = own.at(-1)!.result;
      if (last.ok) expect(run.metaDropped, 'mist_collector_records_dropped says what the cycle counted').toBe(last.recordsDropped);
      if (!run.rendered) return;
      none(expositionProblems(run.rendered.text), `malformed exposition (${context})`);
      expect(run.rendered.invalid, `the collector stored records the exporter cannot read (${context})`).toBe(0);
      if (runs % PROMTOOL_EVERY === 1) texts.push(run.rendered.text);
      if (!seen.bodyLevel && run.results.every((r) => r.result.ok)) {
        presence += 1;
        const now = seriesOf(run.rendered.text);
        const lost = [...baseSeries].filter(([id, values]) => !now.has(id) && !values.some((v) => explained(v, seen.touched))).map(([id]) => id);
        none(lost, `series lost that no mutated row explains (${context})`);
      }
    });
    try {
      // Stops at the first failure (its seed and counterexample printed); FUZZ_SHRINK=1 shrinks it to a minimal one.
      await fc.assert(property, { seed: SEED, numRuns: RUNS, endOnFailure: process.env.FUZZ_SHRINK !== '1' });
    } catch (err) {
      const cause = (err as Error).cause instanceof Error ? `\n${((err as Error).cause as Error).message}` : '';
      throw new Error(`fuzzing ${family} failed; reproduce with FUZZ_SEED=${SEED} npx vitest run tests/hostile/input-payload-fuzz.test.ts -t "${family}"\n${(err as Error).message}${cause}`, { cause: err });
    }
    expect(runs).toBeGreaterThanOrEqual(RUNS);
    for (const text of texts) {
      const res = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
      expect(res.error, 'promtool missing: run scripts/ensure-test-services.sh').toBeUndefined();
      expect({ status: res.status, out: res.stdout + res.stderr }).toEqual({ status: 0, out: '' });
    }
    expect(texts.length).toBeGreaterThan(0);
    // Row-only mutations (80% of them) leave every cycle ok: the lost-series check ran (org's one object has no rows).
    if (family !== 'org') expect(presence).toBeGreaterThan(0);
    // Printed for the reliability report: what the runs exercised.
    console.log(`fuzz ${family}: seed ${SEED}, ${runs} runs, ${dropping} with rows made invalid, ${failing} with a failed cycle, ${presence} checked for lost series, ${texts.length} checked by promtool`);
  }, 60_000);
});
