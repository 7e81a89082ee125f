/**
 * A fake Mist that answers every endpoint the collector calls with a recorded response body from
 * tests/fixtures/mist/pipeline/<endpoint name>.json (the name of src/mist/endpoints.ts), for the pipeline
 * goldens. A cycle-specific body, <endpoint name>.cycle<N>.json, replaces it in cycle N (incremental families
 * need a second cycle to count anything). A call to an endpoint without a fixture fails the test loudly.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { HttpRequest, HttpResponse, Transport } from '../../src/mist/transport.js';
import { json, selfBody } from './mist-fake.js';

export const PIPELINE_FIXTURES = new URL('../fixtures/mist/pipeline/', import.meta.url);

/** Path (without query) → endpoint name, as src/mist/endpoints.ts builds them. Most specific first. */
const ROUTES: readonly [RegExp, string][] = [
  [/^\/api\/v1\/self$/, 'self'],
  [/^\/api\/v1\/self\/usage$/, 'self_usage'],
  [/^\/api\/v1\/orgs\/[^/]+$/, 'org'],
  [/^\/api\/v1\/orgs\/[^/]+\/sites$/, 'sites'],
  [/^\/api\/v1\/orgs\/[^/]+\/sitegroups$/, 'sitegroups'],
  [/^\/api\/v1\/orgs\/[^/]+\/inventory$/, 'inventory'],
  [/^\/api\/v1\/orgs\/[^/]+\/stats\/devices$/, 'stats_devices'],
  [/^\/api\/v1\/orgs\/[^/]+\/stats\/ports\/search$/, 'stats_ports_search'],
  [/^\/api\/v1\/orgs\/[^/]+\/stats\/vpn_peers\/search$/, 'stats_vpn_peers_search'],
  [/^\/api\/v1\/orgs\/[^/]+\/insights\/sites-sle$/, 'insights_sites_sle'],
  [/^\/api\/v1\/orgs\/[^/]+\/insights\/worst-sites-by-sle$/, 'insights_worst_sites_by_sle'],
  [/^\/api\/v1\/orgs\/[^/]+\/alarms\/search$/, 'alarms_search'],
  [/^\/api\/v1\/orgs\/[^/]+\/devices\/events\/search$/, 'devices_events_search'],
  [/^\/api\/v1\/sites\/[^/]+\/sle\/site\/[^/]+\/metric\/[^/]+\/summary-trend$/, 'sle_summary_trend'],
  [/^\/api\/v1\/sites\/[^/]+\/sle\/site\/[^/]+\/metric\/[^/]+\/impacted-interfaces$/, 'sle_impacted_interfaces'],
  [/^\/api\/v1\/sites\/[^/]+\/sle\/site\/[^/]+\/metric\/[^/]+\/impacted-gateways$/, 'sle_impacted_gateways'],
  [/^\/api\/v1\/sites\/[^/]+\/sle\/site\/[^/]+\/metric\/[^/]+\/threshold$/, 'sle_threshold'],
];

export function endpointOf(path: string): string | undefined {
  const bare = path.split('?')[0] ?? '';
  return ROUTES.find(([re]) => re.test(bare))?.[1];
}

/** The recorded body for an endpoint in a cycle (the cycle's own file, else the default one), or null. */
export function fixtureBody(endpoint: string, cycle: number): string | null {
  for (const name of [`${endpoint}.cycle${cycle}.json`, `${endpoint}.json`]) {
    const url = new URL(name, PIPELINE_FIXTURES);
    if (existsSync(url)) return readFileSync(url, 'utf8');
  }
  return null;
}

export class FixtureTransport implements Transport {
  /** Endpoint names called, in order (for asserting which endpoints a family used). */
  readonly called: string[] = [];
  cycle = 1;

  constructor(private readonly orgId: string) {}

  async request(req: HttpRequest): Promise<HttpResponse> {
    const endpoint = endpointOf(req.path);
    if (endpoint === 'self') return json(selfBody(this.orgId));
    if (endpoint === 'self_usage') return json({ request_limit: 5000, requests: 0 });
    if (endpoint === undefined) throw new Error(`no fixture route for ${req.path}: add one to tests/support/mist-fixtures.ts`);
    const body = fixtureBody(endpoint, this.cycle);
    if (body === null) throw new Error(`no fixture tests/fixtures/mist/pipeline/${endpoint}.json for ${req.path}`);
    this.called.push(endpoint);
    return { status: 200, headers: { 'content-type': 'application/json' }, body };
  }
}
