import { describe, expect, it } from 'vitest';
import { catalogueEntries } from '../../src/metrics/catalogue/index.js';
import { DEFAULT_KPI_CONFIG, parseKpiConfig } from '../../src/rules/config.js';
import { CHRONIC_KPIS, GROUPS, R } from '../../src/rules/names.js';
import { counterDelta, lagged } from '../../src/rules/promql.js';
import { recordingRuleFiles } from '../../src/rules/recording/index.js';
import { isAlert, type RecordingRule, type RuleFile } from '../../src/rules/types.js';
import { selectorNames } from '../support/promql-names.js';

const SHIPPED = recordingRuleFiles(DEFAULT_KPI_CONFIG, { timeScale: 1 });
const rulesOf = (files: readonly RuleFile[]): RecordingRule[] =>
  files.flatMap((f) => f.groups.flatMap((g) => g.rules.filter((r): r is RecordingRule => !isAlert(r))));
const RECORDED = new Set<string>(Object.values(R));

describe('selectorNames (the PromQL reader the catalogue test relies on)', () => {
  it('finds selectors and nothing else in a rule-shaped expression', () => {
    const expr = 'max by (org_id, site_id) (mist_site_info{region="a b"} offset 1m) * on (org_id) group_left (region) '
      + 'sum_over_time(site_circuit:x:bool1m[59m59s]) / count_over_time(y[1d:1h]) >= bool 1e-12 '
      + 'or vector(time() % 86400) < 3600 and on () quantile by (k) (0.95, z) unless w offset 2m';
    expect(selectorNames(expr).sort()).toEqual(['mist_site_info', 'site_circuit:x:bool1m', 'w', 'y', 'z']);
  });
});

describe('recording rules', () => {
  it('read only metrics the catalogue declares, and recorded names from names.ts (parsed from the expressions)', () => {
    const declared = new Set(catalogueEntries().map((e) => e.name));
    const read = new Set(rulesOf(SHIPPED).flatMap((r) => selectorNames(r.expr)));
    const raw = [...read].filter((n) => !n.includes(':'));
    expect(raw.length).toBeGreaterThan(15);
    expect(raw.filter((n) => !declared.has(n))).toEqual([]);
    expect([...read].filter((n) => n.includes(':') && !RECORDED.has(n))).toEqual([]);
    expect(raw).toEqual(expect.arrayContaining(['mist_wan_port_up', 'mist_gateway_up', 'mist_wan_port_flaps_total', 'mist_vpn_path_loss_ratio']));
  });

  it('record every name in names.ts, and only those', () => {
    const records = new Set(rulesOf(SHIPPED).map((r) => r.record));
    expect([...RECORDED].filter((n) => !records.has(n))).toEqual([]);
    expect([...records].filter((n) => !RECORDED.has(n))).toEqual([]);
  });

  it('read every raw metric through the lagged, replica-folding helper (no bare selector of a raw metric)', () => {
    for (const r of rulesOf(SHIPPED)) {
      const bare = r.expr.replace(/max (?:by|without) \([^)]*\) \(mist_[a-z_]+(?:\{[^}]*\})? offset \d+[smhd]\)/g, '');
      expect(bare, r.record).not.toMatch(/\bmist_[a-z_]+\b(?!:)/);
    }
  });

  it('put groups in the files and intervals of the design', () => {
    const groups = SHIPPED.flatMap((f) => f.groups.map((g) => `${f.path} ${g.name} ${g.interval}`));
    expect(groups).toEqual([
      `rules/mist-wan-minute.yml ${GROUPS.minute} 1m`, `rules/mist-wan-hour.yml ${GROUPS.hour} 1m`,
      `rules/mist-wan-day.yml ${GROUPS.day} 1h`, `rules/mist-wan-region.yml ${GROUPS.regionMinute} 1m`,
      `rules/mist-wan-region.yml ${GROUPS.regionDay} 1h`, `rules/mist-wan-region.yml ${GROUPS.thresholds} 1m`,
    ]);
  });

  it('record the daily series only in the first hour of a UTC day (region rollups in the second)', () => {
    const day = SHIPPED.find((f) => f.path === 'rules/mist-wan-day.yml')!.groups[0]!.rules as RecordingRule[];
    for (const r of day) expect(r.expr, r.record).toMatch(/and on \(\) \(vector\(time\(\) % 86400\) < 3600\)$/);
    const regionDay = SHIPPED.find((f) => f.path === 'rules/mist-wan-region.yml')!.groups[1]!.rules as RecordingRule[];
    for (const r of regionDay) expect(r.expr, r.record).toMatch(/and on \(\) \(3600 <= vector\(time\(\) % 86400\) < 7200\)$/);
  });

  it('use no rate/increase/irate and no negative offset', () => {
    for (const r of rulesOf(SHIPPED)) {
      expect(r.expr, r.record).not.toMatch(/\b(rate|irate|increase)\(/);
      expect(r.expr, r.record).not.toMatch(/offset\s*-/);
    }
  });

  it('scale every duration with timeScale (a 1/30 copy: 2 s grain, no shipped duration left)', () => {
    const durations = (files: readonly RuleFile[]): number[] => files.flatMap((f) => f.groups.flatMap((g) =>
      [g.interval, ...g.rules.flatMap((r) => [...r.expr.matchAll(/(?:\[|:|offset )((?:\d+[dhms])+)/g)].map((m) => m[1]!))]))
      .map((d) => [...d.matchAll(/(\d+)([dhms])/g)].reduce((s, [, n, u]) => s + Number(n) * { d: 86400, h: 3600, m: 60, s: 1 }[u as 'd']!, 0));
    const fast = recordingRuleFiles(DEFAULT_KPI_CONFIG, { timeScale: 1 / 30 });
    const shipped = durations(SHIPPED);
    const scaled = durations(fast);
    expect(scaled).toHaveLength(shipped.length);
    // Each duration is the shipped one / 30, or (a `[W − 1s]` window) (shipped + 1) / 30 − 1.
    scaled.forEach((d, i) => expect([shipped[i]! / 30, (shipped[i]! + 1) / 30 - 1], `duration ${i}`).toContainEqual(d));
    expect(fast[0]!.groups[0]!.interval).toBe('2s');
    expect(() => recordingRuleFiles(DEFAULT_KPI_CONFIG, { timeScale: 1 / 60 })).toThrow(/grain/);
  });

  it('compile region overrides to explicit branches and record the thresholds per region', () => {
    const config = parseKpiConfig({ region_overrides: { LATAM: { utilization: { major: 0.75 } }, 'A "b"': { utilization: { major: 0.85 } } } });
    const rules = rulesOf(recordingRuleFiles(config, { timeScale: 1 }));
    const major = rules.find((r) => r.record === R.utilizationBreach && r.labels?.level === 'major')!;
    expect(major.expr).toContain('unless on (org_id, site_id) max by (org_id, site_id) (mist_site_info{region="LATAM"} offset 1m)');
    expect(major.expr).toContain('(site_circuit:mist_wan_utilization:ratio5m and on (org_id, site_id) max by (org_id, site_id) (mist_site_info{region="A \\"b\\""} offset 1m)) >= bool 0.85');
    expect(major.expr).toMatch(/\) >= bool 0\.8 or /);
    const warning = rules.find((r) => r.record === R.utilizationBreach && r.labels?.level === 'warning')!;
    expect(warning.expr).toBe(`${R.utilization5m} >= bool 0.7`);
    const thresholds = rules.filter((r) => r.record === R.utilizationThreshold).map((r) => `${r.labels?.level}/${r.labels?.region}=${r.expr}`);
    expect(thresholds).toEqual(['warning/=vector(0.7)', 'major/=vector(0.8)', 'major/A "b"=vector(0.85)', 'major/LATAM=vector(0.75)', 'critical/=vector(0.9)']);
  });

  it('take the chronic-offender N of M, level and minimum minutes from the config', () => {
    const config = parseKpiConfig({ chronic: { days: 4, of_days: 10, level: 'critical', min_minutes: 30, availability_below: 0.99 } });
    const rules = rulesOf(recordingRuleFiles(config, { timeScale: 1 }));
    const breach = rules.filter((r) => r.record === R.breachDay);
    expect(breach.map((r) => r.labels?.kpi)).toEqual([...CHRONIC_KPIS]);
    expect(breach[0]!.expr).toContain(`${R.utilizationBreachSeconds1d}{level="critical"} >= bool 1800`);
    expect(breach.find((r) => r.labels?.kpi === 'availability')!.expr).toContain('< bool 0.99');
    expect(rules.find((r) => r.record === R.breachDays)!.expr).toContain('[9d23h59m59s]');
    expect(rules.find((r) => r.record === R.chronicOffender)!.expr).toContain('>= bool 4');
  });
});

describe('promql helpers', () => {
  it('lagged folds replicas and lags by one grain', () => {
    expect(lagged('mist_wan_port_up', 60)).toBe('max without (instance, job) (mist_wan_port_up offset 1m)');
    expect(lagged('mist_site_info', 2, { by: ['org_id', 'site_id'], matchers: 'region="X"' }))
      .toBe('max by (org_id, site_id) (mist_site_info{region="X"} offset 2s)');
    expect(() => lagged('mist_not_a_metric', 60)).toThrow(/catalogue/);
  });

  it('counterDelta is reset-proof: the delta, or the value after a reset', () => {
    const a = 'max without (instance, job) (mist_wan_port_flaps_total offset 1m)';
    const b = 'max without (instance, job) (mist_wan_port_flaps_total offset 2m)';
    expect(counterDelta('mist_wan_port_flaps_total', 60)).toBe(`${a} - ${b} >= 0 or ${a} < ${b}`);
  });
});

describe('docs/kpis.md (the contract)', () => {
  it('names every recorded series and every rule group', async () => {
    const { readFile } = await import('node:fs/promises');
    const doc = await readFile(new URL('../../docs/kpis.md', import.meta.url), 'utf8');
    expect(Object.values(R).filter((name) => !doc.includes(`\`${name}\``))).toEqual([]);
    expect(Object.values(GROUPS).filter((name) => !doc.includes(`\`${name}\``))).toEqual([]);
  });
});
