import type { FamilyCatalogue, WithOrg } from '../../metrics/types.js';
import { sleRecords, type SleRecord } from './records.js';

type R = WithOrg<SleRecord>;
const SRC = 'GET /api/v1/orgs/{org_id}/insights/sites-sle (sle=wan, duration=1h)';
const cached = 'Cached by the collector (sle family).';

function kind<K extends R['kind']>(k: K): (r: R) => r is Extract<R, { kind: K }> {
  return (r): r is Extract<R, { kind: K }> => r.kind === k;
}
/** The record as its kind, for label and value functions of a group whose `select` already chose that kind. */
function as<K extends R['kind']>(k: K, r: R): Extract<R, { kind: K }> {
  if (!kind(k)(r)) throw new Error(`sle catalogue: expected a ${k} record, got ${r.kind}`);
  return r;
}

/** Org WAN SLE: per-site scores (one series per SLE, `sle` label), site counts, and the worst sites' ranks. */
export const sleCatalogue: FamilyCatalogue<SleRecord> = {
  family: 'sle',
  schema: sleRecords.schema,
  groups: [
    {
      select: kind('score'),
      labels: ['org_id', 'site_id', 'sle'],
      labelValues: (r) => {
        const s = as('score', r);
        return [r.org_id, s.site_id, s.sle];
      },
      metrics: [
        { name: 'mist_site_sle_ratio', type: 'gauge', unit: 'ratio', value: (r) => as('score', r).ratio,
          help: `WAN SLE score of the site over the last hour, 0-1: the share of user-minutes that were not degraded (${SRC} fields gateway-health, wan-link-health, application-health, by sle). ${cached}` },
      ],
    },
    {
      select: kind('site'),
      labels: ['org_id', 'site_id'],
      labelValues: (r) => [r.org_id, as('site', r).site_id],
      metrics: [
        { name: 'mist_site_gateways', type: 'gauge', unit: 'count', value: (r) => as('site', r).gateways,
          help: `Gateways of the site counted by Mist's WAN SLE (${SRC} field num_gateways). ${cached}` },
        { name: 'mist_site_clients', type: 'gauge', unit: 'count', value: (r) => as('site', r).clients,
          help: `Clients behind the site's gateways over the last hour (${SRC} field num_clients). ${cached}` },
      ],
    },
    {
      select: kind('worst'),
      labels: ['org_id', 'site_id', 'sle'],
      labelValues: (r) => {
        const w = as('worst', r);
        return [r.org_id, w.site_id, w.sle];
      },
      metrics: [
        { name: 'mist_site_sle_worst_rank', type: 'gauge', unit: 'count', value: (r) => as('worst', r).rank,
          help: 'Rank of the site among the worst sites for the SLE over the last hour, 1 = worst; only the sites Mist lists (its first 10) have one (GET /api/v1/orgs/{org_id}/insights/worst-sites-by-sle, one call per sle, position in results). Cached by the collector (sle family).' },
      ],
    },
  ],
};
