import { describe, expect, it } from 'vitest';
import { circuitVariable, regionVariable, siteVariable } from '../../src/dashboards/build.js';
import { interpolate, type Selection } from '../support/dashboards/interpolate.js';
import { applyRegex } from '../support/dashboards/variables.js';

/** The Grafana behaviour the dashboards proof (tests/integration/dashboards-prometheus.test.ts) stands in for. */
describe('dashboards proof: Grafana interpolation and variable regexes', () => {
  const vars = [regionVariable(), siteVariable(), circuitVariable()];
  const time = { from: 1000, to: 1600.7, intervalSeconds: 6, scrapeSeconds: 1 };
  const sel = (m: Record<string, Selection>) => new Map(Object.entries(m));

  it('substitutes dashboard and built-in variables as Grafana does', () => {
    const expr = 'x{region=~"$region", site_id="${site_id}"}[$__range] offset $__interval and rate(y[$__rate_interval]) < ${__to:date:seconds} - $__range_s';
    expect(interpolate(expr, vars, sel({ region: { values: ['US West'] }, site_id: { values: ['s-1'] } }), time))
      .toBe('x{region=~"US West", site_id="s-1"}[601s] offset 6s and rate(y[7s]) < 1600 - 601');
    // multi / includeAll: a regex; several values (a|b); All: allValue.
    expect(interpolate('$region', vars, sel({ region: { values: ['A.B', 'C'] } }), time)).toBe('(A\\\\.B|C)');
    expect(interpolate('$region', vars, sel({ region: { all: true } }), time)).toBe('.*');
  });

  it('fails on a variable with no value rather than sending a `$` to Prometheus; `$1` stays, as in Grafana', () => {
    expect(() => interpolate('x{port_id="$port_id"}', vars, sel({}), time)).toThrow(/port_id/);
    expect(interpolate('label_replace(x, "peer_mac", "$1", "mac", "(.+)")', vars, sel({}), time)).toBe('label_replace(x, "peer_mac", "$1", "mac", "(.+)")');
  });

  it('applies the site and circuit variables\' regexes to query_result lines (value = id, text = name)', () => {
    const line = (labels: string) => ({ text: `{${labels}} 1 1600000`, value: `{${labels}} 1 1600000` });
    expect(applyRegex([line('site_id="s-1",site_name="Store 1"'), line('site_id="s-2",site_name="Store 2"')], siteVariable().regex))
      .toEqual([{ value: 's-1', text: 'Store 1' }, { value: 's-2', text: 'Store 2' }]);
    expect(applyRegex([line('port_id="ge-0/0/0",wan_name="wan1"')], circuitVariable().regex)).toEqual([{ value: 'ge-0/0/0', text: 'wan1' }]);
  });
});
