import type { SimEngine } from '../engine/engine.js';
import type { SimGateway, SimWanPort } from '../model/types.js';

/** `GET /orgs/{org_id}/stats/devices?type=gateway` rows: identity, health and if_stat (the only source of wan_name). */
export function gatewayStatsView(engine: SimEngine, gw: SimGateway, now: number): Record<string, unknown> {
  const { org, state: s } = engine.ctx;
  const g = gw.index;
  const site = org.sites[gw.siteIndex]!;
  const connected = s.connected[g] === 1;
  const ports = gw.wanPortIndexes.map((p) => org.wanPorts[p]!);
  const ifStat = (node: string): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const port of ports.filter((p) => p.node === node || !gw.isHa)) out[port.ifName] = wanIfStat(engine, port);
    if (node !== 'node1') {
      gw.lanPorts.forEach((lan, k) => {
        out[`${lan.portId}.${lan.vlan}`] = {
          port_id: lan.portId, port_usage: 'lan', network_name: lan.networkName, up: connected, vlan: lan.vlan,
          address_mode: 'Static', ips: [`10.${g % 250}.${lan.vlan}.1/24`], nat_addresses: [],
          rx_bytes: Math.floor(s.lanRxBytes[g * 2 + k]!), tx_bytes: Math.floor(s.lanTxBytes[g * 2 + k]!),
          rx_pkts: Math.floor(s.lanRxBytes[g * 2 + k]! / 420), tx_pkts: Math.floor(s.lanTxBytes[g * 2 + k]! / 880),
        };
      });
    }
    return out;
  };
  const cpu = Math.round(s.cpuPct[g]!);
  const row: Record<string, unknown> = {
    id: gw.id,
    mac: gw.mac,
    type: 'gateway',
    name: gw.name,
    hostname: gw.name,
    model: gw.model,
    serial: gw.serial,
    version: gw.version,
    site_id: site.id,
    org_id: org.id,
    status: connected ? 'connected' : 'disconnected',
    uptime: connected ? Math.max(0, Math.floor(now - s.bootTime[g]!)) : 0,
    last_seen: Math.floor(s.lastSeen[g]!),
    ip: ports[0]!.publicIp,
    ext_ip: ports[0]!.publicIp,
    is_ha: gw.isHa,
    config_status: 'synced',
    created_time: gw.createdTime,
    modified_time: gw.createdTime,
    cpu_stat: { idle: 100 - cpu, user: Math.round(cpu * 0.6), system: cpu - Math.round(cpu * 0.6), interrupt: 0, usage: cpu, load_avg: [cpu / 100, cpu / 100, cpu / 100] },
    memory_stat: { usage: Math.round(s.memPct[g]!) },
    if_stat: ifStat(gw.isHa ? 'node0' : ''),
    module_stat: [{ mac: gw.mac, model: gw.model, serial: gw.serial, version: gw.version, uptime: Math.max(0, Math.floor(now - s.bootTime[g]!)), last_seen: Math.floor(s.lastSeen[g]!) }],
  };
  if (gw.platform === 'ssr') {
    row.router_name = gw.name;
    row.node_name = 'node0';
  }
  if (gw.isHa) {
    row.if2_stat = ifStat('node1');
    row.cpu2_stat = row.cpu_stat;
    row.memory2_stat = row.memory_stat;
    row.cluster_config = { configuration: 'active-passive', operational: connected ? 'Up' : 'Down', primary_node_health: 'Healthy', secondary_node_health: 'Healthy', status: 'Green' };
  }
  return row;
}

function wanIfStat(engine: SimEngine, port: SimWanPort): Record<string, unknown> {
  const s = engine.ctx.state;
  const c = engine.counters(port.index);
  return {
    port_id: port.portId,
    port_usage: 'wan',
    wan_name: port.wanName,
    wan_type: port.wanType,
    network_name: '',
    up: s.up[port.index] === 1,
    vlan: 0,
    address_mode: port.kind === 'mpls' ? 'Static' : 'DHCP',
    ips: [`${port.publicIp}/${port.kind === 'lte' ? 32 : 29}`],
    nat_addresses: [],
    redundancy_state: port.node === 'node1' ? 'backup' : 'primary',
    rx_bytes: c.rxBytes, tx_bytes: c.txBytes, rx_pkts: c.rxPkts, tx_pkts: c.txPkts,
    servp_info: { org: port.isp, asn: `AS${7000 + (port.isp.length * 97) % 900}`, country_code: engine.org.sites[port.siteIndex]!.countryCode, city: engine.org.sites[port.siteIndex]!.address.split(', ')[1] ?? '' },
  };
}
