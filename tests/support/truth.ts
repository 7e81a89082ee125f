import { expect } from 'vitest';
import { assertValidResponse, pathTemplateFor } from './openapi.js';
import type { MinuteRecord } from '../../src/sim/engine/history.js';
import type { TestSim } from './sim-server.js';
import { decodeLabels, GATEWAY_PORT_FLAPS } from '../../src/store/counters.js';

/** Typed views of GET /__sim/truth (src/sim/views/truth.ts) and helpers to compare it with the Mist-shaped API. */

/** One minute of a circuit's truth history: the simulator's own record type. */
export type TruthMinute = MinuteRecord;

export interface TruthPath {
  peer_mac: string;
  peer_port_id: string;
  peer_wan_name: string;
  type: 'ipsec' | 'svr';
  up: boolean;
  active: boolean;
  loss_pct: number;
  latency_ms: number;
  jitter_ms: number;
  mos: number;
  transitions: number;
}

export interface TruthCircuit {
  port_id: string;
  wan_name: string;
  kind: 'broadband' | 'mpls' | 'lte';
  role: 'primary' | 'secondary' | 'tertiary';
  /** The port's reported speed (link); the contract may be below it. */
  speed_mbps: number;
  contract_down_mbps: number;
  contract_up_mbps: number;
  provider: string;
  circuit_id: string;
  up: boolean;
  active: boolean;
  rx_bps: number;
  tx_bps: number;
  /** rx relative to the downstream contract. */
  utilization: number;
  /** tx relative to the upstream contract. */
  tx_utilization: number;
  demand_ratio: number;
  loss_pct: number;
  latency_ms: number;
  jitter_ms: number;
  rx_bytes: number;
  tx_bytes: number;
  transitions: number;
  last_flapped: number;
  congested_trait: boolean;
  flappy_trait: boolean;
  paths_up: number;
  paths_total: number;
  paths?: TruthPath[];
  history?: TruthMinute[];
}

export interface TruthSite {
  site_id: string;
  name: string;
  is_hub: boolean;
  outage: boolean;
  gateway: { id: string; mac: string; connected: boolean; boot_time: number; failovers: number; active_port: string | null; cpu_pct: number };
  circuits: TruthCircuit[];
}

export interface Truth {
  now: number;
  sites: TruthSite[];
}

/** Truth for some sites (with their paths), plus `minutes` of per-circuit history. */
export async function truthOf(t: TestSim, siteIds: readonly string[], minutes = 0): Promise<Truth> {
  const res = await t.admin<Truth>('GET', `/__sim/truth?site_id=${siteIds.join(',')}&minutes=${minutes}`);
  expect(res.status).toBe(200);
  return res.body;
}

export async function siteTruthOf(t: TestSim, siteId: string, minutes = 0): Promise<TruthSite> {
  return (await truthOf(t, [siteId], minutes)).sites[0]!;
}

/** GET an org endpoint (path after /api/v1/orgs/{org_id}/), check it is 200 and matches the Mist spec, return the body. */
export async function orgGet<T>(t: TestSim, path: string): Promise<T> {
  const url = `/api/v1/orgs/${t.orgId}/${path}`;
  const res = await t.get(url);
  expect(res.status, `${url}: ${res.text.slice(0, 200)}`).toBe(200);
  const body = res.json<T>();
  const template = pathTemplateFor(url);
  if (template) assertValidResponse('get', template, 200, body);
  return body;
}

/** Results of a search endpoint (one page; callers ask for a limit that holds everything). */
export async function searchRows<T = Record<string, unknown>>(t: TestSim, path: string): Promise<T[]> {
  const body = await orgGet<{ results: T[]; next?: string }>(t, path);
  expect(body.next, `${path} needs a larger limit`).toBeUndefined();
  return body.results;
}

export async function advance(t: TestSim, seconds: number): Promise<number> {
  const res = await t.admin<{ now: number }>('POST', '/__sim/advance', { seconds });
  expect(res.status).toBe(200);
  return res.body.now;
}

export interface IncidentReply {
  id: string;
  kind: string;
  start: number;
  end: number;
  site_id: string;
  port_id: string | null;
}

export async function force(t: TestSim, body: { kind: string; site_id: string; port_id?: string; duration_seconds?: number }): Promise<IncidentReply> {
  const res = await t.admin<IncidentReply>('POST', '/__sim/incidents', body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

/** A store's flap counters of one org by `mac|port_id` (summed over any other label). */
export async function flapsByPort(store: { readCounters(group: string): Promise<Record<string, number>> }, orgId: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const [field, n] of Object.entries(await store.readCounters(GATEWAY_PORT_FLAPS))) {
    const l = decodeLabels(field);
    if (l?.org_id === orgId) out.set(`${l.mac}|${l.port_id}`, (out.get(`${l.mac}|${l.port_id}`) ?? 0) + n);
  }
  return out;
}

/** The simulator's state transitions per port by `mac|port_id` (what the flap counters must equal). */
export async function transitionsByPort(t: TestSim): Promise<Map<string, number>> {
  const truth = (await t.admin<Truth>('GET', '/__sim/truth')).body;
  return new Map(truth.sites.flatMap((s) => s.circuits.map((c) => [`${s.gateway.mac}|${c.port_id}`, c.transitions])));
}
