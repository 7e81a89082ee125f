import { COUNTER_LABELS, GATEWAY_EVENTS, GATEWAY_PORT_FLAPS } from '../../collect/counters.js';
import { EventsRecordSchema, type EventsRecord, type PortFlapRecord } from '../../collect/records.js';
import type { FamilyCatalogue, WithOrg } from '../types.js';

type R = WithOrg<EventsRecord>;
const SRC = 'GET /api/v1/orgs/{org_id}/devices/events/search?device_type=gateway';
const stored = 'Cached: counted by the collector (events family), each event once, and kept in the store, so monotonic across collector restarts; events before the collector\'s first cycle are not counted.';
const isPort = (r: R): r is WithOrg<PortFlapRecord> => r.kind === 'port';
/** Only called on records the group's `select` accepted. */
const port = (r: R): WithOrg<PortFlapRecord> => r as WithOrg<PortFlapRecord>;

/** Gateway device events: per-port flap counters and last flap times, and events by type. */
export const eventsCatalogue: FamilyCatalogue<EventsRecord> = {
  family: 'events',
  schema: EventsRecordSchema,
  groups: [
    {
      select: isPort,
      labels: ['org_id', 'site_id', 'mac', 'port_id'],
      labelValues: (r) => { const p = port(r); return [p.org_id, p.site_id, p.mac, p.port_id]; },
      metrics: [
        { name: 'mist_gateway_port_last_flap_timestamp_seconds', type: 'gauge', unit: 'timestamp', value: (r) => port(r).last_flap_seconds,
          help: `When the gateway port last went down or up, Unix time: the latest GW_PORT_DOWN/GW_PORT_UP event (${SRC} fields timestamp, mac, port_id); absent until one is seen. Cached by the collector (events family).` },
      ],
    },
  ],
  counters: [
    { name: 'mist_gateway_port_flaps_total', unit: 'count', group: GATEWAY_PORT_FLAPS, labels: COUNTER_LABELS[GATEWAY_PORT_FLAPS],
      help: `Port state changes of a gateway port: each GW_PORT_DOWN and each GW_PORT_UP event counts 1 (${SRC} fields type, mac, port_id); WAN ports start at 0. ${stored}` },
    { name: 'mist_gateway_events_total', unit: 'count', group: GATEWAY_EVENTS, labels: COUNTER_LABELS[GATEWAY_EVENTS],
      help: `Gateway device events by event type: port, VPN path and peer, tunnel, BGP neighbour up/down, cloud disconnect/connect (${SRC} field type). ${stored}` },
  ],
};
