import { z } from 'zod';
import { optBoolean, optId, optNumber, optString } from './common.js';

/**
 * GET /orgs/{org_id}/stats/vpn_peers/search rows (vpn_peer_stat, §2.8). latency/jitter ms, loss percent,
 * mos 0–5; rows may lack any quality field. SSR rows name ports by WAN interface name. Consumed fields only.
 */
export const PeerPathSchema = z.object({
  org_id: optId,
  site_id: optId,
  mac: z.string().min(1),
  router_name: optString,
  port_id: z.string().min(1),
  peer_mac: z.string().min(1),
  peer_router_name: optString,
  peer_port_id: z.string().min(1),
  peer_site_id: optId,
  type: optString,
  up: optBoolean,
  is_active: optBoolean,
  latency: optNumber,
  jitter: optNumber,
  loss: optNumber,
  mos: optNumber,
  mtu: optNumber,
  uptime: optNumber,
  last_seen: optNumber,
});

export type PeerPath = z.output<typeof PeerPathSchema>;
