import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { ConfigError, ENV_VARS, loadConfig } from '../../src/config/index.js';
import { measureOrg } from '../../src/collect/measure.js';
import { FAMILIES, FAMILY_CATALOGUES, FAMILY_NAMES, SIZE_PROBES } from '../../src/families/registry.js';
import type { MistApi } from '../../src/mist/types.js';

/**
 * The registry (src/families/registry.ts) is the only list of families: every family is one module folder
 * src/families/<name>/ registered by one line there, and everything else derives from it.
 */
const ROOT = new URL('../../', import.meta.url).pathname;
const SRC = join(ROOT, 'src');
const FAMILIES_DIR = join(SRC, 'families');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

const load = (env: Record<string, string>) => loadConfig(env, { envFile: join(tmpdir(), 'mist-wan-exporter-no-such-dir', '.env') });

describe('the family registry', () => {
  it('lists each family once, under the name its records, catalogue and folder carry', () => {
    expect(new Set(FAMILY_NAMES).size).toBe(FAMILIES.length);
    for (const f of FAMILIES) {
      expect(f.records.name, f.name).toBe(f.name);
      expect(f.catalogue.family, f.name).toBe(f.name);
      // The exporter validates stored records with the very schema the collector's readers use.
      expect(f.catalogue.schema, f.name).toBe(f.records.schema);
      for (const part of ['index.ts', 'records.ts', 'collect.ts', 'catalogue.ts']) expect(existsSync(join(FAMILIES_DIR, f.name, part)), `${f.name}/${part}`).toBe(true);
    }
  });

  it('registers every family folder (no module outside the list)', () => {
    const folders = readdirSync(FAMILIES_DIR, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
    expect(folders.sort()).toEqual([...FAMILY_NAMES].sort());
  });

  it('gives every family a record fixture and both goldens', () => {
    for (const name of FAMILY_NAMES) {
      for (const file of [`tests/fixtures/records/${name}.json`, `tests/golden/${name}.prom`, `tests/golden/pipeline/${name}.prom`]) {
        expect(existsSync(join(ROOT, file)), file).toBe(true);
      }
    }
  });

  it('is where the exporter\'s catalogues come from, in the same order', () => {
    expect(FAMILY_CATALOGUES.map((c) => c.family)).toEqual([...FAMILY_NAMES]);
  });

  it('declares a priority for every family; availability is what says whether a site is up and on which circuit', () => {
    // sites too: the site names and regions the availability alerts and regional KPIs carry, and the sites a
    // circuit inventory names (docs/collector.md#profiles-and-tiers).
    expect(FAMILIES.filter((f) => f.priority === 'availability').map((f) => f.name).sort()).toEqual(['circuits', 'events', 'gateways', 'sites', 'wan-ports']);
    for (const f of FAMILIES) expect(['availability', 'standard', 'full'], f.name).toContain(f.priority);
  });

  it('keys every size probe once, and the plan measures exactly them (one count call each)', async () => {
    const declared = FAMILIES.flatMap((f) => Object.keys(f.sizeProbes));
    expect(new Set(declared).size).toBe(declared.length);
    expect([...SIZE_PROBES.keys()]).toEqual(declared);
    const counted: string[] = [];
    const api = {
      count: (endpoint: { name: string }) => {
        counted.push(endpoint.name);
        return Promise.resolve(counted.length * 10);
      },
    } as unknown as MistApi;
    const size = await measureOrg(api, 'org-1');
    expect(Object.keys(size)).toEqual(declared);
    expect(counted).toHaveLength(declared.length);
    // Every family's cost is computable from the measured size (a probe it reads but nobody declares throws).
    for (const f of FAMILIES) expect(Number.isFinite(f.callsPerCycle(size)), f.name).toBe(true);
  });

  it('is what the config accepts in COLLECTOR_INTERVALS, and what its help lists', () => {
    const all = Object.fromEntries(FAMILY_NAMES.map((n) => [n, 300]));
    expect(load({ COLLECTOR_INTERVALS: FAMILY_NAMES.map((n) => `${n}=300`).join(',') }).collector.intervals).toEqual(all);
    expect(() => load({ COLLECTOR_INTERVALS: 'wan-port=300' })).toThrow(ConfigError);
    expect(ENV_VARS.find((v) => v.name === 'COLLECTOR_INTERVALS')!.description).toContain(`families: ${FAMILY_NAMES.join(', ')};`);
  });

  it('is the only list of family names in src/ (no literal list of them outside src/families/)', () => {
    const quoted = FAMILY_NAMES.map((n) => ({ n, re: new RegExp(`['"\`]${n}['"\`]`) }));
    const listed = new RegExp(`\\b(${FAMILY_NAMES.map((n) => n.replace('-', '\\-')).join('|')})\\b`, 'g');
    const offenders: string[] = [];
    for (const file of sourceFiles(SRC).filter((f) => !f.startsWith(FAMILIES_DIR))) {
      readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
        const names = quoted.filter(({ re }) => re.test(line)).map(({ n }) => n);
        // Names in one string, comma-separated ("org, sites, gateways"): a list written out by hand.
        const inText = [...line.matchAll(/(['"`])([^'"`]*)\1/g)].flatMap((m) => /,/.test(m[2]!) ? [...new Set(m[2]!.match(listed) ?? [])] : []);
        if (names.length >= 2 || inText.length >= 3) offenders.push(`${relative(ROOT, file)}:${i + 1}: ${line.trim()}`);
      });
    }
    expect(offenders).toEqual([]);
  });
});
