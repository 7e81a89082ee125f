import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DAY, HOUR, makeDashCtx } from '../../src/dashboards/context.js';
import { generateDashboards, UID } from '../../src/dashboards/index.js';
import { CIRCUIT_ROWS, rankedTable } from '../../src/dashboards/offenders.js';
import {
  calendarDays, calendarHours, clockHours, lastDays, latestDaily, longestRunRolling, MONTHS_13, timeAboveRolling,
} from '../../src/dashboards/periods.js';
import { R } from '../../src/rules/names.js';
import { DEFAULT_KPI_CONFIG } from '../../src/rules/config.js';
import type { Panel } from '../../src/dashboards/grafana.js';

/**
 * The period forms the executive boards read are docs/kpis.md's, verbatim at time scale 1 and scaled in the
 * time-compressed copy (durations and the clock the window start is computed in scale; data seconds do not), and
 * the ranked tables keep every column to the rows the first column ranks.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const KPIS_MD = readFileSync(`${ROOT}docs/kpis.md`, 'utf8').replace(/\s+/g, ' ');
const one = (s: string): string => s.replace(/\s+/g, ' ').trim();
const shipped = makeDashCtx(DEFAULT_KPI_CONFIG);
const compressed = makeDashCtx(DEFAULT_KPI_CONFIG, { timeScale: 1 / 30 });

describe('period forms (docs/kpis.md)', () => {
  it('rolling, clock-hour, calendar, 13-month and latest-daily forms are the documented ones', () => {
    expect(timeAboveRolling(shipped, `${R.utilizationBreach}{level="major"}`, 3 * HOUR))
      .toBe('sum_over_time(site_circuit:mist_wan_utilization_breach:bool5m{level="major"}[2h59m59s]) * 60');
    const avail24h = `${clockHours(shipped, 'sum_over_time', R.upMinutes1h, DAY)} / ${clockHours(shipped, 'sum_over_time', R.knownMinutes1h, DAY)}`;
    expect(KPIS_MD).toContain(avail24h);
    expect(KPIS_MD).toContain(calendarHours(shipped, 'sum_over_time', R.upMinutes1h));
    expect(KPIS_MD).toContain(calendarDays(shipped, 'sum_over_time', R.upMinutes1d));
    expect(KPIS_MD).toContain(calendarDays(shipped, 'sum_over_time', R.regionFlaps1d, 2));
    expect(KPIS_MD).toContain(lastDays(shipped, 'sum_over_time', R.failovers1d, MONTHS_13.seconds));
    expect(latestDaily(shipped, R.chronicOffender)).toBe('last_over_time(site_circuit:mist_wan_chronic_offender:bool1d[1d])');
  });

  it('the longest run by clock hours is the documented form, T0 = the end of the range − W', () => {
    const doc = /```\s*(max without \(part\) \(.*?"now", "", ""\)\))\s*```/.exec(KPIS_MD)?.[1];
    expect(doc).toBeDefined();
    const expected = one(doc!)
      .replace(/M\[/g, `${R.utilizationLongestRun1h}{level="major"}[`)
      .replace(/\(M,/g, `(${R.utilizationLongestRun1h}{level="major"},`)
      .replace(/\bR\b/g, `${R.utilizationRun}{level="major"}`)
      .replace(/T0/g, '(${__to:date:seconds} - 10800)');
    expect(one(longestRunRolling(shipped, '{level="major"}', 3 * HOUR))).toBe(expected);
  });

  it('scale windows, subquery steps, offsets and the window start; never the data seconds', () => {
    expect(timeAboveRolling(compressed, 'x', 3 * HOUR)).toBe('sum_over_time(x[5m59s]) * 60');
    expect(clockHours(compressed, 'sum_over_time', 'x', DAY)).toBe('sum_over_time(x[47m59s:2m])');
    expect(calendarHours(compressed, 'sum_over_time', 'x')).toBe('sum_over_time(x[$__range:2m] offset -2m)');
    expect(calendarDays(compressed, 'sum_over_time', 'x', 2)).toBe('sum_over_time(x[$__range] offset -4m)');
    expect(lastDays(compressed, 'sum_over_time', 'x', MONTHS_13.seconds)).toBe('sum_over_time(x[13d4h])');
    const run = one(longestRunRolling(compressed, '', 3 * HOUR));
    expect(run).toContain('[5m59s:2m]');
    expect(run).toContain('(${__to:date:seconds} - 360)');
    expect(run).toContain('/ 2) + 1) * 60');
    expect(run).toContain('clamp_max(site_circuit:mist_wan_utilization_breach_run:seconds, 10800)');
  });
});

describe('ranked tables', () => {
  const t = rankedTable({
    title: 'T', description: 'D.', rows: CIRCUIT_ROWS, rank: 'bottom', n: 7,
    columns: [{ title: 'First', expr: 'a', unit: 'percentunit' }, { title: 'Second', expr: 'b', unit: 'm' }],
  }).panel;

  it('ranks by the first column and keeps the others to its rows', () => {
    const [first, second] = t.targets.map((x) => x.expr);
    expect(first).toMatch(/^bottomk\(7, /);
    expect(second).toContain(`(b) and on (org_id, site_id, mac, port_id) ${first}`);
    expect(t.targets.every((x) => x.instant && x.format === 'table')).toBe(true);
  });

  it('merges, names the value columns, sorts by the ranking, keeps the ids the links read', () => {
    expect(t.transformations?.map((x) => x.id)).toEqual(['merge', 'organize']);
    const organize = t.transformations![1]!.options as { renameByName: Record<string, string>; excludeByName: Record<string, boolean> };
    expect(organize.renameByName).toEqual({ 'Value #A': 'First', 'Value #B': 'Second' });
    expect(organize.excludeByName.site_id).toBeUndefined();
    expect(organize.excludeByName.port_id).toBeUndefined();
    expect(t.options.sortBy).toEqual([{ displayName: 'First', desc: false }]);
    expect(t.description).toContain('CSV');
  });
});

describe('executive boards', () => {
  const boards = generateDashboards(DEFAULT_KPI_CONFIG);
  const panels = (uid: string): Panel[] =>
    boards.find((b) => b.uid === uid)!.panels.filter((p): p is Panel => p.type !== 'row' && p.type !== 'text');

  it.each([UID.overview, UID.availability, UID.thresholds])('%s: every table is ranked or per region, sorted and CSV-exportable', (uid) => {
    const tables = panels(uid).filter((p) => p.type === 'table');
    expect(tables.length).toBeGreaterThan(2);
    for (const p of tables) {
      expect(p.options.sortBy, p.title).toHaveLength(1);
      expect(p.description, p.title).toContain('CSV');
    }
  });

  it('time above threshold: both modes, every rolling window, calendar, today and 13 months, every level via $level', () => {
    const exprs = panels(UID.thresholds).flatMap((p) => p.targets.map((x) => x.expr));
    for (const w of ['[2h59m59s]', '[11h59m59s]', '[23h59m59s]', '[2h59m59s:1h]', '[11h59m59s:1h]', '[23h59m59s:1h]', '[$__range:1h] offset -1h', '[$__range] offset -1h', '[395d]']) {
      expect(exprs.some((e) => e.includes(w)), w).toBe(true);
    }
    for (const name of [R.utilizationBreach, R.utilizationRun, R.utilizationLongestRun1h, R.utilizationLongestRun1d, R.utilizationRunDay,
      R.lossBreach, R.latencyBreach, R.jitterBreach, R.lossBreachSeconds1d, R.lossBreachSeconds1h]) {
      expect(exprs.some((e) => e.includes(`${name}{level="$level"}`)), name).toBe(true);
    }
  });
});
