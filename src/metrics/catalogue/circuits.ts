import { COUNTER_LABELS, WAN_PORT_ACTIVE_CHANGES, WAN_PORT_FAILOVERS } from '../../collect/counters.js';
import { CircuitsRecordSchema, type CircuitGatewayRecord, type CircuitRecord, type CircuitsRecord } from '../../collect/records.js';
import type { FamilyCatalogue, WithOrg } from '../types.js';

type R = WithOrg<CircuitsRecord>;
const FROM = 'Derived from GET /api/v1/orgs/{org_id}/stats/ports/search (WAN ports, wan_name from stats/devices if_stat) and stats/vpn_peers/search (field is_active)';
const cached = 'Cached by the collector (circuits family).';
const stored = 'Cached: counted by the collector (circuits family) between consecutive cycles and kept in the store, so monotonic across collector restarts.';

const isCircuit = (r: R): r is WithOrg<CircuitRecord> => r.kind === 'circuit';
const isGateway = (r: R): r is WithOrg<CircuitGatewayRecord> => r.kind === 'gateway';
/** Only called on records the group's `select` accepted. */
const circuit = (r: R): WithOrg<CircuitRecord> => r as WithOrg<CircuitRecord>;
const gateway = (r: R): WithOrg<CircuitGatewayRecord> => r as WithOrg<CircuitGatewayRecord>;

/**
 * Circuits: each gateway WAN port's role (primary, secondary, …: CIRCUIT_ROLES) and which one is active, per
 * gateway whether it runs on a non-primary circuit, and failover / active-circuit-change counters.
 */
export const circuitsCatalogue: FamilyCatalogue<CircuitsRecord> = {
  family: 'circuits',
  schema: CircuitsRecordSchema,
  groups: [
    {
      select: isCircuit,
      labels: ['org_id', 'site_id', 'mac', 'port_id', 'wan_name', 'role'],
      labelValues: (r) => { const c = circuit(r); return [c.org_id, c.site_id, c.mac, c.port_id, c.wan_name, c.role]; },
      metrics: [
        { name: 'mist_wan_circuit_info', type: 'gauge', unit: 'info', value: () => 1,
          help: `WAN circuit metadata, value 1: the port's role (primary, secondary, ... from CIRCUIT_ROLES by wan_name or port_id, else positional). ${FROM}. ${cached}` },
      ],
    },
    {
      select: isCircuit,
      labels: ['org_id', 'site_id', 'mac', 'port_id'],
      labelValues: (r) => { const c = circuit(r); return [c.org_id, c.site_id, c.mac, c.port_id]; },
      metrics: [
        { name: 'mist_wan_circuit_active', type: 'gauge', unit: 'boolean', value: (r) => circuit(r).active,
          help: `1 for the gateway's active circuit: the port carrying its active VPN paths, else its first up circuit by role; 0 for its other circuits. ${FROM}. ${cached}` },
      ],
    },
    {
      select: isGateway,
      labels: ['org_id', 'site_id', 'mac'],
      labelValues: (r) => { const g = gateway(r); return [g.org_id, g.site_id, g.mac]; },
      metrics: [
        { name: 'mist_gateway_failed_over', type: 'gauge', unit: 'boolean',
          value: (r) => { const g = gateway(r); return g.active_role === null ? null : g.active_role !== 'primary'; },
          help: `1 while the gateway's active circuit is not its primary, 0 while it is; absent when no circuit is active (gateway down). ${FROM}. ${cached}` },
      ],
    },
  ],
  counters: [
    { name: 'mist_wan_port_failovers_total', unit: 'count', group: WAN_PORT_FAILOVERS, labels: COUNTER_LABELS[WAN_PORT_FAILOVERS],
      help: `Failovers per circuit: the gateway's active circuit moved from the primary circuit port_id to the non-primary circuit to_port_id (fail-backs are not counted), between two collections or, replayed from the ports' GW_PORT_DOWN/UP events, in between; 0 for every pair of the gateway's ports that can occur. ${FROM}. ${stored}` },
    { name: 'mist_wan_port_active_changes_total', unit: 'count', group: WAN_PORT_ACTIVE_CHANGES, labels: COUNTER_LABELS[WAN_PORT_ACTIVE_CHANGES],
      help: `Moves of the gateway's active circuit from port_id to to_port_id (failovers, fail-backs and any other move), between two collections or, replayed from the ports' GW_PORT_DOWN/UP events, in between; 0 for every pair of the gateway's ports. ${FROM}. ${stored}` },
  ],
};
