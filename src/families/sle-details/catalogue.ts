import type { FamilyCatalogue, WithOrg } from '../../metrics/types.js';
import { sleDetailsRecords, type SleDetailsRecord } from './records.js';

type R = WithOrg<SleDetailsRecord>;
const SITE_SLE = 'GET /api/v1/sites/{site_id}/sle/site/{site_id}/metric/{sle}';
const cached = 'Cached by the collector (sle-details family: only (site, SLE) pairs scoring below SLE_DEGRADED_THRESHOLD, worst first, within the API budget the other families leave; details of a pair not reached are carried for at most 2 cycles).';
const cycle = 'Cached by the collector (sle-details family), from its last cycle.';

function kind<K extends R['kind']>(k: K): (r: R) => r is Extract<R, { kind: K }> {
  return (r): r is Extract<R, { kind: K }> => r.kind === k;
}
/** The record as its kind, for label and value functions of a group whose `select` already chose that kind. */
function as<K extends R['kind']>(k: K, r: R): Extract<R, { kind: K }> {
  if (!kind(k)(r)) throw new Error(`sle-details catalogue: expected a ${k} record, got ${r.kind}`);
  return r;
}

/** Details of degraded sites' SLEs: what degrades them (classifiers), where (interfaces, gateways), thresholds. */
export const sleDetailsCatalogue: FamilyCatalogue<SleDetailsRecord> = {
  family: 'sle-details',
  schema: sleDetailsRecords.schema,
  groups: [
    {
      select: kind('details'),
      labels: ['org_id', 'site_id', 'sle'],
      labelValues: (r) => {
        const d = as('details', r);
        return [r.org_id, d.site_id, d.sle];
      },
      metrics: [
        { name: 'mist_site_sle_details_timestamp_seconds', type: 'gauge', unit: 'timestamp', value: (r) => as('details', r).window_end_seconds,
          help: `End of the one-hour window the site's SLE details cover, Unix time (${SITE_SLE}/summary-trend field end): their age is time() minus this. ${cached}` },
      ],
    },
    {
      select: kind('classifier'),
      labels: ['org_id', 'site_id', 'sle', 'classifier'],
      labelValues: (r) => {
        const c = as('classifier', r);
        return [r.org_id, c.site_id, c.sle, c.classifier];
      },
      metrics: [
        { name: 'mist_site_sle_classifier_degraded_ratio', type: 'gauge', unit: 'ratio', value: (r) => as('classifier', r).degraded_ratio,
          help: `Share of the SLE's user-minutes over the last hour that the classifier degraded, 0-1 (${SITE_SLE}/summary-trend fields classifiers[].samples.degraded / samples.total, summed over the window; classifiers overlap). ${cached}` },
      ],
    },
    {
      select: kind('interface'),
      labels: ['org_id', 'site_id', 'sle', 'mac', 'port_id'],
      labelValues: (r) => {
        const i = as('interface', r);
        return [r.org_id, i.site_id, i.sle, i.mac, i.port_id];
      },
      metrics: [
        { name: 'mist_site_sle_interface_degraded_ratio', type: 'gauge', unit: 'ratio', value: (r) => as('interface', r).degraded_ratio,
          help: `Share of the gateway interface's wan-link-health minutes over the last hour that were degraded, 0-1; impacted interfaces only (${SITE_SLE}/impacted-interfaces fields interfaces[].degraded / total; mac is the gateway MAC, port_id its interface_name resolved to the port id through stats/devices if_stat of the gateway (a WAN interface name becomes its port id, as for VPN paths; one not found is kept as Mist reports it and logged), so it joins onto mist_wan_port_* by (org_id, site_id, mac, port_id)). ${cached}` },
      ],
    },
    {
      select: kind('gateway'),
      labels: ['org_id', 'site_id', 'sle', 'mac'],
      labelValues: (r) => {
        const g = as('gateway', r);
        return [r.org_id, g.site_id, g.sle, g.mac];
      },
      metrics: [
        { name: 'mist_site_sle_gateway_degraded_ratio', type: 'gauge', unit: 'ratio', value: (r) => as('gateway', r).degraded_ratio,
          help: `Share of the gateway's SLE minutes over the last hour that were degraded, 0-1, for gateway-health and application-health; impacted gateways only (${SITE_SLE}/impacted-gateways fields gateways[].degraded / total). ${cached}` },
      ],
    },
    {
      select: kind('threshold'),
      labels: ['org_id', 'site_id', 'sle', 'threshold', 'units', 'direction'],
      labelValues: (r) => {
        const t = as('threshold', r);
        return [r.org_id, t.site_id, t.sle, t.threshold === null ? '' : String(t.threshold), t.units, t.direction];
      },
      metrics: [
        { name: 'mist_site_sle_threshold_info', type: 'gauge', unit: 'info', value: () => 1,
          help: `The site's SLE threshold, value 1: threshold in Mist's units (the units label: %, ms, … as Mist gives them) and direction, as labels because units differ by SLE (${SITE_SLE}/threshold fields threshold, units, direction; refetched daily). ${cached}` },
      ],
    },
    {
      select: kind('state'),
      labels: ['org_id', 'state'],
      labelValues: (r) => [r.org_id, as('state', r).state],
      metrics: [
        { name: 'mist_sle_details_pairs', type: 'gauge', unit: 'count', value: (r) => as('state', r).pairs,
          help: `Degraded (site, SLE) pairs, i.e. scores in GET /api/v1/orgs/{org_id}/insights/sites-sle below SLE_DEGRADED_THRESHOLD, by state: polled (details fetched in the last cycle), carried (earlier details kept: not reached within the budget), missing (no details). ${cycle}` },
      ],
    },
    {
      select: kind('cycle'),
      labels: ['org_id'],
      labelValues: (r) => [r.org_id],
      metrics: [
        { name: 'mist_sle_details_degraded_threshold_ratio', type: 'gauge', unit: 'ratio', value: (r) => as('cycle', r).threshold_ratio,
          help: `SLE_DEGRADED_THRESHOLD: sites whose SLE score (GET /api/v1/orgs/{org_id}/insights/sites-sle) is below it get SLE details. ${cycle}` },
        { name: 'mist_sle_details_budget_requests', type: 'gauge', unit: 'requests', value: (r) => as('cycle', r).call_budget,
          help: `Mist API calls (${SITE_SLE}/…) the last SLE details cycle was allowed: its share of the budget the other families leave; absent when unbounded. ${cycle}` },
        { name: 'mist_sle_details_used_requests', type: 'gauge', unit: 'requests', value: (r) => as('cycle', r).calls,
          help: `Mist API calls (${SITE_SLE}/summary-trend, impacted-*, threshold) the last SLE details cycle made; never more than its budget. ${cycle}` },
      ],
    },
  ],
};
