import { z } from 'zod';
import { id, optBoolean, optId, optNumber, optString } from './common.js';

/**
 * GET /orgs/{org_id}/stats/ports/search rows (stats_switch_port, §2.7), as live gateways send them:
 * `port_usage` may be "wan" (the 2511 enum says only "lan"), `neighbor_mac`/`port_mac` may be missing,
 * counters may be null, the device type may come as `type` or `device_type`. Consumed fields only.
 */
export const PortSchema = z.object({
  org_id: optId,
  site_id: id,
  mac: z.string().min(1),
  port_id: z.string().min(1),
  port_mac: optString,
  type: optString,
  device_type: optString,
  port_usage: optString,
  port_desc: optString,
  up: optBoolean,
  disabled: optBoolean,
  active: optBoolean,
  /** Mbps. */
  speed: optNumber,
  full_duplex: optBoolean,
  /** Counters since the device booted. */
  rx_bytes: optNumber,
  tx_bytes: optNumber,
  rx_pkts: optNumber,
  tx_pkts: optNumber,
  rx_errors: optNumber,
  tx_errors: optNumber,
  /** Last known rates, bits/s. */
  rx_bps: optNumber,
  tx_bps: optNumber,
  /** WAN quality, last sample: ms, ms, percent. */
  jitter: optNumber,
  latency: optNumber,
  loss: optNumber,
  /** Epoch seconds. */
  last_flapped: optNumber,
  neighbor_mac: optString,
}).transform(({ device_type: deviceType, ...rest }) => ({ ...rest, type: rest.type ?? deviceType }));

export type GatewayPort = z.output<typeof PortSchema>;

/**
 * A gateway WAN port: `port_usage` "wan", or an LTE port (some rows carry no usage; [MWP] keeps `lte*` ports).
 * Rows of other device types are left out; a row without a type passes (the query asked for gateways).
 */
export function isGatewayWanPort(port: GatewayPort): boolean {
  if (port.type !== undefined && port.type !== 'gateway') return false;
  return port.port_usage === 'wan' || port.port_id.startsWith('lte');
}
