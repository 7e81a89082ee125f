import { z } from 'zod';
import { id, optNumber, optString } from './common.js';

/**
 * SLE payloads (§2.9, §2.10, §2.13). Live sites-sle rows say `application-health` where the 2511 spec says
 * `application_health`; both are read. Scores are 0–1.
 */
const score = z.number().min(0).max(1).nullish().transform((v) => v ?? undefined);

export const SiteSleSchema = z.object({
  site_id: id,
  'gateway-health': score,
  'wan-link-health': score,
  'application-health': score,
  application_health: score,
  num_gateways: optNumber,
  num_clients: optNumber,
}).transform(({ application_health: underscore, ...rest }) => ({ ...rest, 'application-health': rest['application-health'] ?? underscore }));

/** worst-sites-by-sle rows: {site_id, <sle>: score}. */
export const WorstSiteSchema = z.object({ site_id: id }).catchall(z.unknown());

const samples = z.object({
  total: z.array(z.number().nullable()).default([]),
  degraded: z.array(z.number().nullable()).default([]),
});

/** summary-trend: the SLE's samples and each classifier's. */
export const SleSummaryTrendSchema = z.object({
  start: z.number(),
  end: z.number(),
  sle: z.object({ name: optString, samples }).optional(),
  classifiers: z.array(z.object({ name: z.string(), samples: samples.optional() })).default([]),
});

/** impacted-interfaces rows: live WAN rows use gateway_mac/gateway_name; the spec switch_*. */
export const ImpactedInterfacesSchema = z.object({
  interfaces: z.array(z.object({
    interface_name: z.string(),
    gateway_mac: optString,
    switch_mac: optString,
    degraded: optNumber,
    total: optNumber,
    duration: optNumber,
  })).default([]),
});

export const ImpactedGatewaysSchema = z.object({
  gateways: z.array(z.object({ gateway_mac: z.string(), degraded: optNumber, total: optNumber, duration: optNumber })).default([]),
});

/** threshold: a number live, a string in the spec. */
export const SleThresholdSchema = z.object({
  metric: optString,
  threshold: z.union([z.number(), z.string()]).nullish().transform((v) => (v === null || v === undefined || v === '' ? undefined : Number(v))),
  units: optString,
  direction: optString,
});

export type MistSiteSle = z.output<typeof SiteSleSchema>;
export type MistWorstSite = z.output<typeof WorstSiteSchema>;
export type MistSleSummaryTrend = z.output<typeof SleSummaryTrendSchema>;
export type MistImpactedInterfaces = z.output<typeof ImpactedInterfacesSchema>;
export type MistImpactedGateways = z.output<typeof ImpactedGatewaysSchema>;
export type MistSleThreshold = z.output<typeof SleThresholdSchema>;
