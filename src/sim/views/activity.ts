import { ALARM_DEFS, type Alarm } from '../engine/alarms.js';
import type { DeviceEvent } from '../engine/events.js';
import type { SimOrg } from '../model/types.js';

/** Alarm and device-event rows, shaped like Mist's alarm_search_result and device_event. */

export function alarmRow(org: SimOrg, a: Alarm): Record<string, unknown> {
  const gw = org.gateways[a.gatewayIndex]!;
  const def = ALARM_DEFS[a.type];
  return {
    id: a.id,
    org_id: org.id,
    site_id: org.sites[a.siteIndex]!.id,
    type: a.type,
    group: def.group,
    severity: def.severity,
    count: a.count,
    timestamp: Math.floor(a.timestamp),
    last_seen: Math.floor(a.lastSeen),
    status: a.status,
    ...(a.resolvedTime !== undefined ? { resolved_time: a.resolvedTime } : {}),
    acked: false,
    gateways: [gw.mac],
    hostnames: [gw.name],
  };
}

const WARN_EVENTS = new Set(['GW_PORT_DOWN', 'GW_VPN_PATH_DOWN', 'GW_DISCONNECTED']);

export function eventRow(org: SimOrg, e: DeviceEvent): Record<string, unknown> {
  const gw = org.gateways[e.gatewayIndex]!;
  const site = org.sites[e.siteIndex]!;
  return {
    type: e.type,
    timestamp: e.timestamp,
    org_id: org.id,
    site_id: site.id,
    site_name: site.name,
    mac: gw.mac,
    device_name: gw.name,
    device_type: 'gateway',
    model: gw.model,
    version: gw.version,
    ...(e.portId !== undefined ? { port_id: e.portId } : {}),
    text: e.text,
    ev_type: WARN_EVENTS.has(e.type) ? 'warn' : 'notice',
  };
}
