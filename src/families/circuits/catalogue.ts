import type { FamilyCatalogue, WithOrg } from '../../metrics/types.js';
import { COUNTER_LABELS, WAN_PORT_ACTIVE_CHANGES, WAN_PORT_FAILOVERS } from '../../store/counters.js';
import { circuitsRecords, type CircuitGatewayRecord, type CircuitInventoryRecord, type CircuitRecord, type CircuitsRecord, type CircuitUnmatchedRecord } from './records.js';

type R = WithOrg<CircuitsRecord>;
const FROM = 'Derived from GET /api/v1/orgs/{org_id}/stats/ports/search (WAN ports, wan_name from stats/devices if_stat) and stats/vpn_peers/search (field is_active)';
const cached = 'Cached by the collector (circuits family).';
const MATCHED = 'Entries are matched against the org\'s sites (GET /api/v1/orgs/{org_id}/sites: site id or name; site ids also from the WAN ports) and WAN ports (stats/ports/search port_id, stats/devices if_stat wan_name)';
const stored = 'Cached: counted by the collector (circuits family) between consecutive cycles and kept in the store, so monotonic across collector restarts.';

const isCircuit = (r: R): r is WithOrg<CircuitRecord> => r.kind === 'circuit';
const isGateway = (r: R): r is WithOrg<CircuitGatewayRecord> => r.kind === 'gateway';
/** Only called on records the group's `select` accepted. */
const circuit = (r: R): WithOrg<CircuitRecord> => r as WithOrg<CircuitRecord>;
const gateway = (r: R): WithOrg<CircuitGatewayRecord> => r as WithOrg<CircuitGatewayRecord>;
const isInventory = (r: R): r is WithOrg<CircuitInventoryRecord> => r.kind === 'inventory';
const isUnmatched = (r: R): r is WithOrg<CircuitUnmatchedRecord> => r.kind === 'unmatched';
const inventory = (r: R): WithOrg<CircuitInventoryRecord> => r as WithOrg<CircuitInventoryRecord>;
const unmatched = (r: R): WithOrg<CircuitUnmatchedRecord> => r as WithOrg<CircuitUnmatchedRecord>;

/**
 * Circuits: each gateway WAN port's one info metric (names, type, role, contract), which port is active, its
 * contracted bandwidth per direction (circuit inventory, else link speed), per gateway whether it runs on a
 * non-primary circuit, failover / active-circuit-change counters, and the circuit inventory's own health.
 */
export const circuitsCatalogue: FamilyCatalogue<CircuitsRecord> = {
  family: 'circuits',
  schema: circuitsRecords.schema,
  groups: [
    {
      select: isCircuit,
      labels: ['org_id', 'site_id', 'mac', 'port_id', 'wan_name', 'wan_type', 'role', 'provider', 'circuit_id', 'bandwidth_source'],
      labelValues: (r) => {
        const c = circuit(r);
        return [c.org_id, c.site_id, c.mac, c.port_id, c.wan_name, c.wan_type, c.role, c.provider ?? '', c.circuit_id ?? '', c.bandwidth_source];
      },
      metrics: [
        { name: 'mist_wan_port_info', type: 'gauge', unit: 'info', value: () => 1,
          help: `WAN port metadata, value 1, one per port: wan_name and wan_type (stats/devices if_stat, joined on mac and port_id; fallbacks when the gateways snapshot does not know the port (gateway not in it, or its if_stat without the port, its wan_name or its wan_type): wan_name is the port_id and wan_type is "unknown"); role (from the circuit inventory, else CIRCUIT_ROLES by wan_name or port_id, else positional); provider and circuit_id (circuit inventory, empty without an entry); bandwidth_source: inventory (both directions' contracted bandwidth from the circuit inventory), port_speed (both are the link speed) or mixed (the inventory gives one direction only). ${FROM}. ${cached}` },
      ],
    },
    {
      select: isCircuit,
      labels: ['org_id', 'site_id', 'mac', 'port_id'],
      labelValues: (r) => { const c = circuit(r); return [c.org_id, c.site_id, c.mac, c.port_id]; },
      metrics: [
        { name: 'mist_wan_port_active', type: 'gauge', unit: 'boolean', value: (r) => circuit(r).active,
          help: `1 for the gateway's active circuit: the port carrying its active VPN paths, else its first up circuit by role; 0 for its other WAN ports. ${FROM}. ${cached}` },
        { name: 'mist_wan_port_receive_bandwidth_bytes_per_second', type: 'gauge', unit: 'bytes_per_second', value: (r) => circuit(r).receive_bandwidth_bytes_per_second,
          help: `Contracted receive (downstream) bandwidth of the WAN port's circuit: the circuit inventory's down bandwidth where given, else the link speed (field speed, Mbps, converted to bytes/s); mist_wan_port_info's bandwidth_source says which. Divide rate(mist_wan_port_receive_bytes_total) by it for utilisation. Absent when neither is known. ${FROM}. ${cached}` },
        { name: 'mist_wan_port_transmit_bandwidth_bytes_per_second', type: 'gauge', unit: 'bytes_per_second', value: (r) => circuit(r).transmit_bandwidth_bytes_per_second,
          help: `Contracted transmit (upstream) bandwidth of the WAN port's circuit: the circuit inventory's up bandwidth where given, else the link speed (field speed, Mbps, converted to bytes/s); mist_wan_port_info's bandwidth_source says which. Divide rate(mist_wan_port_transmit_bytes_total) by it for utilisation. Absent when neither is known. ${FROM}. ${cached}` },
      ],
    },
    {
      select: isInventory,
      labels: ['org_id'],
      labelValues: (r) => [r.org_id],
      metrics: [
        { name: 'mist_wan_inventory_entries', type: 'gauge', unit: 'count', value: (r) => inventory(r).entries,
          help: `Entries of the circuit inventory (CIRCUIT_INVENTORY_FILE) in use that apply to the org: those without an org column and those whose org is this org's id (a file shared by several orgs counts its unscoped entries in each); absent without one; count(mist_wan_inventory_unmatched_entry) of them match no WAN port. ${MATCHED}. ${cached}` },
        { name: 'mist_wan_inventory_loaded_timestamp_seconds', type: 'gauge', unit: 'timestamp', value: (r) => inventory(r).loaded_seconds,
          help: `When the circuit inventory file the circuits are matched with was read, Unix time (it is re-read when it changes; a bad file keeps the last good one). ${MATCHED}. ${cached}` },
        { name: 'mist_wan_inventory_load_success', type: 'gauge', unit: 'boolean', value: (r) => inventory(r).load_ok ?? null,
          help: `1 when the collector's last read of the circuit inventory file was accepted, 0 when it was rejected (bad content, unreadable or deleted file: the last good inventory stays in use, see the collector's error log for every problem). Not a Mist value: the collector's file loader, the same in every org (${MATCHED}). ${cached}` },
        { name: 'mist_wan_inventory_load_failures', type: 'gauge', unit: 'count', value: (r) => inventory(r).load_failures ?? null,
          help: `Reads of the circuit inventory file rejected since the collector process started (a bad version counts once however often it is re-checked). A gauge, not a counter: it starts again from 0 when the collector restarts or another collector takes over; alert on mist_wan_inventory_load_success == 0 instead. Not a Mist value: the collector's file loader (${MATCHED}). ${cached}` },
        { name: 'mist_wan_inventory_load_problems', type: 'gauge', unit: 'count', value: (r) => inventory(r).load_problems ?? null,
          help: `Problems found in the last rejected read of the circuit inventory file while it is the latest read (0 once a good version is read). Not a Mist value: the collector's file loader (${MATCHED}). ${cached}` },
      ],
    },
    {
      select: isUnmatched,
      labels: ['org_id', 'site', 'port', 'line', 'reason'],
      labelValues: (r) => { const u = unmatched(r); return [u.org_id, u.site, u.port, String(u.line), u.reason]; },
      metrics: [
        { name: 'mist_wan_inventory_unmatched_entry', type: 'gauge', unit: 'boolean', value: () => 1,
          help: `1 for each circuit inventory entry that applies to the org (no org column, or this org's id) and matches no WAN port of the org: site and port as written in the file, its line (CSV) or entry number (YAML), and the reason (unknown site, ambiguous site: a name two sites share, unknown port: no WAN port of the site's gateways has that port_id or wan_name). ${MATCHED}. ${cached}` },
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
