import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it, expect } from 'vitest';
import {
  LOCAL_PATHS,
  SPEC_DEVIATIONS,
  SPEC_FILE,
  assertValidResponse,
  pathTemplateFor,
  validateResponse,
  validateSchema,
} from '../support/openapi.js';

const FIXTURES = join(dirname(SPEC_FILE), 'fixtures');
const fixture = (file: string): unknown => JSON.parse(readFileSync(join(FIXTURES, file), 'utf8'));
/** A deep copy of a fixture, typed loosely enough to mutate in negative tests. */
const mutable = (file: string): Record<string, unknown> & { results: Record<string, unknown>[] } =>
  structuredClone(fixture(file)) as Record<string, unknown> & { results: Record<string, unknown>[] };

interface ManifestRow { endpoint: string; file: string }

const MANIFEST: ManifestRow[] = readFileSync(join(FIXTURES, 'MANIFEST.md'), 'utf8')
  .split('\n')
  .map((line) => /^\| `([^`]+)` \| [^|]+ \| `([^`]+\.json)` \|/.exec(line))
  .filter((m): m is RegExpExecArray => m !== null)
  .map((m) => ({ endpoint: m[1] ?? '', file: m[2] ?? '' }));
const GET_ROWS = MANIFEST.filter((r) => r.endpoint.startsWith('/'));
const ERROR_ROWS = MANIFEST.filter((r) => r.endpoint === '(error responses)');

/**
 * Spec examples that do not validate against their own spec, with the reason and the error
 * fragments they must produce (asserted, so this list cannot rot). Currently none: all 33 GET
 * examples and the 4 error examples of 2511.1.5 validate.
 */
const KNOWN_BAD_EXAMPLES: Record<string, { reason: string; errors: string[] }> = {};

const PORTS = '/api/v1/orgs/{org_id}/stats/ports/search';
const SITE_PORTS = '/api/v1/sites/{site_id}/stats/ports/search';
const SITES_SLE = '/api/v1/orgs/{org_id}/insights/sites-sle';
const SLE = '/api/v1/sites/{site_id}/sle/{scope}/{scope_id}/metric/{metric}';
const GW_STATS = '/api/v1/sites/{site_id}/insights/gateway/{device_id}/stats';

describe('Mist OpenAPI 2511 spec examples (fixtures/MANIFEST.md)', () => {
  it('parses the manifest', () => {
    expect(GET_ROWS.length).toBe(33);
    expect(ERROR_ROWS.length).toBe(4);
    for (const file of Object.keys(KNOWN_BAD_EXAMPLES)) expect(MANIFEST.map((r) => r.file)).toContain(file);
  });

  for (const { endpoint, file } of GET_ROWS) {
    const bad = KNOWN_BAD_EXAMPLES[file];
    it(`${file} ${bad ? 'fails (known bad)' : 'validates'} against GET ${endpoint} 200`, () => {
      const r = validateResponse('get', endpoint, 200, fixture(file));
      if (bad) {
        expect(r.ok, bad.reason).toBe(false);
        for (const fragment of bad.errors) expect(r.errors.join('\n')).toContain(fragment);
      } else {
        expect(r.errors).toEqual([]);
        expect(r.ok).toBe(true);
      }
    });
  }

  for (const { file } of ERROR_ROWS) {
    const status = Number(/^HTTP(\d{3})Example\.json$/.exec(file)?.[1]);
    it(`${file} validates as response_http${status} and as a ${status} of GET /api/v1/self`, () => {
      expect(validateSchema(`response_http${status}`, fixture(file)).errors).toEqual([]);
      assertValidResponse('get', '/api/v1/self', status, fixture(file));
    });
  }
});

describe('the validator catches problems', () => {
  it('rejects a ports row with port_usage "bogus"', () => {
    const body = mutable('SwitchPortsSearchExample.json');
    body.results[0] = { ...body.results[0], port_usage: 'bogus' };
    const r = validateResponse('get', PORTS, 200, body);
    expect(r.ok).toBe(false);
    expect(r.errors).toEqual([
      expect.stringContaining('/results/0/port_usage must be equal to one of the allowed values ["lan","wan"], got "bogus"'),
    ]);
  });

  it('rejects a vpn_peer_stat with loss "x"', () => {
    const r = validateSchema('vpn_peer_stat', { mac: '5c5b35000001', loss: 'x' });
    expect(r.errors).toEqual([expect.stringMatching(/^\/loss must be number, got "x"/)]);
  });

  it('rejects an unknown property where additionalProperties is false, naming it', () => {
    const body = mutable('VpnPeersStatsExample.json');
    body.results[0] = { ...body.results[0], hop_count: 2 };
    const r = validateResponse('get', '/api/v1/orgs/{org_id}/stats/vpn_peers/search', 200, body);
    expect(r.errors).toEqual([expect.stringContaining("/results/0 must NOT have additional properties: 'hop_count'")]);
  });

  it('rejects missing required fields, bad formats and undocumented statuses', () => {
    expect(validateSchema('org_site_sle_wan_result', { 'gateway-health': 1 }).errors)
      .toEqual([expect.stringContaining("must have required property 'site_id'")]);
    expect(validateSchema('site_id', 'not-a-uuid').errors).toEqual([expect.stringContaining('must match format "uuid"')]);
    expect(validateResponse('get', '/api/v1/self', 500, {}))
      .toEqual({ ok: false, errors: ['no 500 response for GET /api/v1/self'] });
    expect(() => validateResponse('get', '/api/v1/nope', 200, {})).toThrow(/no GET \/api\/v1\/nope/);
    expect(() => assertValidResponse('get', '/api/v1/self', 401, { detail: 1 }))
      .toThrow(/\/detail must be string, got 1/);
  });
});

describe('SPEC_DEVIATIONS (mist-api.md "Known differences")', () => {
  it('lists exactly the documented differences, each with a description', () => {
    expect(SPEC_DEVIATIONS.map((d) => d.id)).toEqual([
      'ports-port-usage-wan',
      'ports-gateway-macs-optional',
      'sites-sle-wan-application-health-hyphen',
      'sle-impacted-interfaces-gateway-fields',
      'sle-threshold-number',
      'sle-summary-deprecated',
    ]);
    for (const d of SPEC_DEVIATIONS) expect(d.description.length).toBeGreaterThan(20);
  });

  // Each case: accepted with the deviations, rejected by the spec as published.
  const gatewayWanRow = (): Record<string, unknown> => {
    const base = mutable('SwitchPortsSearchExample.json').results[0];
    const row: Record<string, unknown> = { ...base, port_usage: 'wan', type: 'gateway' };
    delete row.neighbor_mac;
    delete row.port_mac;
    return row;
  };
  const ports = (row: Record<string, unknown>) => ({ start: 1, end: 2, limit: 100, total: 1, results: [row] });
  const cases: [string, () => [string, unknown]][] = [
    ['ports row with port_usage "wan" and no neighbor_mac/port_mac (gateway)', () => [PORTS, ports(gatewayWanRow())]],
    ['site ports row, same', () => [SITE_PORTS, ports(gatewayWanRow())]],
    ['sites-sle wan row with application-health', () => {
      const body = mutable('OrgSiteSleWANSLE.json');
      const { application_health: score, ...rest } = body.results[0] ?? {};
      body.results[0] = { ...rest, 'application-health': score };
      return [SITES_SLE, body];
    }],
    ['impacted-interfaces row with gateway_mac/gateway_name', () => [`${SLE}/impacted-interfaces`, {
      metric: 'wan-link-health', interfaces: [
        { interface_name: 'ge-0/0/1', gateway_mac: '5c5b35000001', gateway_name: 'gw-1',
          degraded: 1, duration: 60, total: 60 }],
    }]],
    ['threshold as a number', () => [`${SLE}/threshold`, { ...mutable('SleThresholdExample.json'), threshold: 0 }]],
  ];
  for (const [name, make] of cases) {
    it(`accepts ${name}; the unpatched spec does not`, () => {
      const [template, body] = make();
      expect(validateResponse('get', template, 200, body).errors).toEqual([]);
      expect(validateResponse('get', template, 200, body, { unpatched: true }).ok).toBe(false);
    });
  }

  it('still requires neighbor_mac/port_mac on non-gateway rows, and rejects other port_usage values', () => {
    const row = { ...gatewayWanRow(), type: 'switch', port_usage: 'lan' };
    expect(validateResponse('get', PORTS, 200, ports(row)).errors).toEqual([
      expect.stringContaining("must have required property 'neighbor_mac'"),
      expect.stringContaining("must have required property 'port_mac'"),
      expect.stringContaining('must match "else" schema'),
    ]);
    expect(validateResponse('get', PORTS, 200, ports({ ...gatewayWanRow(), port_usage: 'lte' })).ok).toBe(false);
  });
});

describe('local schemas for endpoints newer than the 2511 spec', () => {
  const sle = (fixture('SleSummaryExample.json') as { sle: unknown }).sle;
  const classifier = { name: 'network-loss', interval: 3600, x_label: 'time', y_label: 'seconds',
    samples: { total: [60, null], degraded: [0, null], duration: [60, 0] } };

  it('are listed as LOCAL_PATHS and resolvable', () => {
    expect(LOCAL_PATHS.map((p) => p.template)).toEqual([`${SLE}/summary-trend`, GW_STATS]);
    expect(() => validateResponse('get', GW_STATS, 200, {}, { unpatched: true })).toThrow(/no GET/);
    expect(validateResponse('get', GW_STATS, 429, { detail: 'slow down' }).errors).toEqual([]);
  });

  it('summary-trend: {start, end, sle (as in /summary), classifiers[] without impact}', () => {
    const { samples: _samples, ...bare } = classifier;
    const body = { start: 1, end: 2, sle, classifiers: [classifier, { ...bare, name: 'no-samples' }] };
    expect(validateResponse('get', `${SLE}/summary-trend`, 200, body).errors).toEqual([]);
    expect(validateResponse('get', `${SLE}/summary-trend`, 200, { start: 1, end: 2, sle }).errors)
      .toEqual([expect.stringContaining("must have required property 'classifiers'")]);
    const withImpact = { start: 1, end: 2, sle, classifiers: [{ ...classifier, impact: {} }] };
    expect(validateResponse('get', `${SLE}/summary-trend`, 200, withImpact).errors)
      .toEqual([expect.stringContaining("must NOT have additional properties: 'impact'")]);
  });

  it('gateway insights stats: response_device_metrics plus per-metric arrays of number|null', () => {
    const body = { start: 0, end: 7200, interval: 3600, limit: 100, page: 1, results: [],
      rx_bps: [1e6, null], tx_bps: [2e6, 3] };
    expect(validateResponse('get', GW_STATS, 200, body).errors).toEqual([]);
    expect(validateResponse('get', GW_STATS, 200, { ...body, rx_bps: ['x'] }).ok).toBe(false);
    const { interval: _interval, ...noInterval } = body;
    expect(validateResponse('get', GW_STATS, 200, noInterval).errors)
      .toEqual([expect.stringContaining("must have required property 'interval'")]);
  });
});

describe('pathTemplateFor', () => {
  it.each([
    ['/api/v1/orgs/o1/stats/ports/search', PORTS],
    ['/api/v1/sites/s1/stats/ports/search?limit=1000', SITE_PORTS],
    ['/api/v1/orgs/o1/insights/sites-sle', SITES_SLE],
    ['/api/v1/orgs/o1/insights/worst-sites-by-sle', '/api/v1/orgs/{org_id}/insights/{metric}'],
    ['/api/v1/sites/s1/sle/site/s1/metric/wan-link-health/summary-trend', `${SLE}/summary-trend`],
    ['/api/v1/sites/s1/sle/site/s1/metric/wan-link-health/threshold/', `${SLE}/threshold`],
    ['/api/v1/sites/s1/insights/gateway/d1/stats', GW_STATS],
    ['/api/v1/sites/s1/devices/d1/image2', '/api/v1/sites/{site_id}/devices/{device_id}/image{image_number}'],
    ['/api/v1/self', '/api/v1/self'],
  ])('%s -> %s', (url, template) => {
    expect(pathTemplateFor(url)).toBe(template);
  });

  it('returns undefined for unknown paths', () => {
    expect(pathTemplateFor('/api/v1/nope/x')).toBeUndefined();
    expect(pathTemplateFor('/api/v1/orgs//stats/ports/search')).toBeUndefined();
  });
});
