import type { SimEngine } from '../engine/engine.js';
import type { SimGateway, SimWanPort } from '../model/types.js';

/** `stats/ports/search` rows for gateways: WAN ports (port_usage "wan", as live Mist) and LAN ports ("lan"). */

const r3 = (v: number): number => Math.round(v * 1000) / 1000;

export function wanPortRow(engine: SimEngine, port: SimWanPort): Record<string, unknown> {
  const { org, state: s } = engine.ctx;
  const gw = org.gateways[port.gatewayIndex]!;
  const p = port.index;
  const up = s.up[p] === 1;
  const c = engine.counters(p);
  const row: Record<string, unknown> = {
    org_id: org.id,
    site_id: org.sites[port.siteIndex]!.id,
    mac: gw.mac,
    port_id: port.portId,
    port_mac: port.portMac,
    type: 'gateway',
    port_usage: 'wan',
    up,
    disabled: false,
    active: up,
    for_site: true,
    speed: port.linkSpeedMbps,
    full_duplex: true,
    rx_bytes: c.rxBytes,
    tx_bytes: c.txBytes,
    rx_pkts: c.rxPkts,
    tx_pkts: c.txPkts,
    rx_bps: Math.round(s.rxBps[p]!),
    tx_bps: Math.round(s.txBps[p]!),
    rx_errors: 0,
    tx_errors: 0,
    last_flapped: Math.floor(s.lastFlapped[p]!),
  };
  if (up) {
    row.jitter = r3(s.jitterMs[p]!);
    row.latency = r3(s.latencyMs[p]!);
    row.loss = r3(s.lossPct[p]!);
  }
  if (port.kind === 'lte') {
    const digits = gw.mac.replace(/[a-f]/g, '7').padEnd(15, '0').slice(0, 15);
    row.lte_imsi = `31041${digits.slice(0, 10)}`;
    row.lte_iccid = `8901${digits}`;
    row.lte_imei = digits;
  }
  return row;
}

export function lanPortRows(engine: SimEngine, gw: SimGateway): Record<string, unknown>[] {
  const { org, state: s } = engine.ctx;
  const connected = s.connected[gw.index] === 1;
  return gw.lanPorts.map((lan, k) => {
    const i = gw.index * 2 + k;
    return {
      org_id: org.id,
      site_id: org.sites[gw.siteIndex]!.id,
      mac: gw.mac,
      port_id: lan.portId,
      port_mac: lan.portMac,
      type: 'gateway',
      port_usage: 'lan',
      up: connected,
      disabled: false,
      active: connected,
      for_site: true,
      speed: lan.speedMbps,
      full_duplex: true,
      rx_bytes: Math.floor(s.lanRxBytes[i]!),
      tx_bytes: Math.floor(s.lanTxBytes[i]!),
      rx_pkts: Math.floor(s.lanRxBytes[i]! / 420),
      tx_pkts: Math.floor(s.lanTxBytes[i]! / 880),
      rx_bps: Math.round(s.lanRxBps[i]!),
      tx_bps: Math.round(s.lanTxBps[i]!),
      rx_errors: 0,
      tx_errors: 0,
      neighbor_mac: `0c${gw.mac.slice(2, 10)}${(k + 1).toString(16).padStart(2, '0')}`,
      neighbor_system_name: `${gw.name.replace(/-gw$/, '')}-sw${k + 1}`,
      neighbor_port_desc: `ge-0/0/${47 - k}`,
      last_flapped: Math.floor(s.bootTime[gw.index]!),
    };
  });
}
