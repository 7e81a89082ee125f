import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { circuitsFamily } from '../../src/families/circuits/index.js';
import { gatewaysFamily } from '../../src/families/gateways/index.js';
import { vpnPeersFamily } from '../../src/families/vpn-peers/index.js';
import { wanPortsFamily } from '../../src/families/wan-ports/index.js';
import type { Family } from '../../src/collect/family.js';
import type { VpnPathRecord } from '../../src/families/vpn-peers/records.js';
import type { WanPortRecord } from '../../src/families/wan-ports/records.js';
import { startExporter, type RunningExporter } from '../../src/server/exporter.js';
import type { RedisStore } from '../../src/store/redis.js';
import { collectOnce, exporterConfig, httpGet, parseSamples, readRecords, samplesOf } from '../support/exporter-harness.js';
import { captureLog, redisStoreHarness } from '../support/redis-store.js';
import { startTestSim, type TestSim } from '../support/sim-server.js';

/**
 * Every VPN path joins onto its circuit by (org_id, site_id, mac, port_id) on the full 3,208-site simulated org:
 * real collector cycles (gateways, wan-ports, vpn-peers, circuits) over HTTP into a real Redis, then the
 * exporter's /metrics. SSR svr rows report WAN names in port_id and peer_port_id; the collector resolves them to
 * port ids. Ground truth: the simulator's own paths (spoke port, hub port), not the collector's arithmetic.
 */
const FAMILIES = [gatewaysFamily, wanPortsFamily, vpnPeersFamily, circuitsFamily] as Family[];
const { log, lines } = captureLog('warn');

describe('VPN paths join onto WAN ports on the 3,208-site org (real collector, real Redis, exporter)', () => {
  let sim: TestSim;
  let store: RedisStore;
  let exporter: RunningExporter;
  let cleanup: () => Promise<void>;
  let paths: VpnPathRecord[];
  let ports: WanPortRecord[];

  beforeAll(async () => {
    sim = await startTestSim({ sites: 3208 });
    const h = await redisStoreHarness(inject('redisUrl'), 'collector-vpn-join');
    store = h.store;
    cleanup = h.cleanup;
    await collectOnce(sim, store, log, FAMILIES);
    paths = await readRecords<VpnPathRecord>(store, { orgId: sim.orgId, family: 'vpn-peers' });
    ports = await readRecords<WanPortRecord>(store, { orgId: sim.orgId, family: 'wan-ports' });
    exporter = await startExporter(store, exporterConfig(sim), log);
  }, 300_000);

  afterAll(async () => {
    await exporter?.close();
    await cleanup?.();
    await sim?.close();
  });

  /** The simulator's paths as the collector must store them: port ids on both ends, whatever the row type. */
  const truthIdentities = (): Set<string> => {
    const o = sim.sim.org;
    return new Set(o.peerPaths.map((p) => {
      const spoke = o.wanPorts[p.wanPortIndex]!;
      const hub = o.wanPorts[p.hubPortIndex]!;
      return [o.sites[spoke.siteIndex]!.id, o.gateways[spoke.gatewayIndex]!.mac, spoke.portId, o.gateways[hub.gatewayIndex]!.mac, hub.portId, p.pathType].join('|');
    }));
  };

  it('stores every path of the simulator with port ids on both ends (svr and ipsec), the WAN names beside them', () => {
    expect(paths.length).toBeGreaterThan(19_000);
    expect(paths).toHaveLength(sim.sim.org.peerPaths.length);
    const svr = paths.filter((p) => p.path_type === 'svr');
    expect(svr.length).toBeGreaterThan(5_000);
    expect(new Set(paths.map((p) => [p.site_id, p.mac, p.port_id, p.peer_mac, p.peer_port_id, p.path_type].join('|')))).toEqual(truthIdentities());
    const names = new Map(sim.sim.org.wanPorts.map((w) => [`${sim.sim.org.gateways[w.gatewayIndex]!.mac}|${w.portId}`, w.wanName]));
    const wrongNames = paths.filter((p) => p.wan_name !== names.get(`${p.mac}|${p.port_id}`) || p.peer_wan_name !== names.get(`${p.peer_mac}|${p.peer_port_id}`));
    expect(wrongNames).toEqual([]);
    expect(lines.filter((l) => l.includes('keep what Mist reports'))).toEqual([]);
  });

  it('joins every stored path onto a wan-ports port by (org_id, site_id, mac, port_id), and every peer end onto the hub\'s port', () => {
    const portKeys = new Set(ports.map((p) => `${p.site_id}|${p.mac}|${p.port_id}`));
    const byMac = new Set(ports.map((p) => `${p.mac}|${p.port_id}`));
    const joined = paths.filter((p) => portKeys.has(`${p.site_id}|${p.mac}|${p.port_id}`));
    const peerJoined = paths.filter((p) => byMac.has(`${p.peer_mac}|${p.peer_port_id}`));
    expect({ paths: paths.length, joined: joined.length, peerJoined: peerJoined.length }).toEqual({ paths: paths.length, joined: paths.length, peerJoined: paths.length });
  });

  it('joins every served mist_vpn_path_up series onto a served mist_wan_port_up series, as PromQL on (org_id, site_id, mac, port_id) would', async () => {
    await exporter.cache.refresh();
    const res = await httpGet(`${exporter.url}/metrics?family=wan-ports,vpn-peers`);
    expect(res.status).toBe(200);
    const samples = parseSamples(res.text);
    const key = (l: Record<string, string | undefined>): string => [l.org_id, l.site_id, l.mac, l.port_id].join('|');
    const portSeries = new Set(samplesOf(samples, 'mist_wan_port_up').map((s) => key(s.labels)));
    const pathSeries = samplesOf(samples, 'mist_vpn_path_up');
    const joined = pathSeries.filter((s) => portSeries.has(key(s.labels)));
    expect(pathSeries.length).toBeGreaterThan(19_000);
    expect(joined).toHaveLength(pathSeries.length);
    // The names are in the path's info metric, for svr and ipsec paths alike.
    const info = samplesOf(samples, 'mist_vpn_path_info');
    expect(info).toHaveLength(pathSeries.length);
    expect(info.filter((s) => !s.labels.wan_name || !s.labels.peer_wan_name)).toEqual([]);
  });
});
