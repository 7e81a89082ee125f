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

/**
 * worst-sites-by-sle: `{start, end, interval, limit, results: [{site_id, <sle>: score, …}]}`, worst first. The body
 * is read whole (no page/total: not a paged form); its rows are validated one by one with worstSiteRowSchema.
 */
export const WorstSitesSchema = z.object({
  start: optNumber,
  end: optNumber,
  limit: optNumber,
  results: z.array(z.unknown()).nullish().transform((v) => v ?? []),
});

/** A worst-sites row for one SLE: its score under the hyphen or the underscore spelling; a row without one is invalid. */
export function worstSiteRowSchema(sle: string) {
  const underscore = sle.replace(/-/g, '_');
  return z.object({ site_id: id }).catchall(z.unknown()).transform((row, ctx) => {
    const value = row[sle] ?? row[underscore];
    if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
      ctx.addIssue({ code: 'custom', message: 'no SLE score (0-1) for the requested sle', path: [sle] });
      return z.NEVER;
    }
    return { site_id: row.site_id, score: value };
  });
}

/** Time-weighted sample arrays (index i covers start + i × interval); null entries are buckets without data. */
const sampleList = z.array(z.number().nullable()).nullish().transform((v) => v ?? []);
const samples = z.object({ total: sampleList, degraded: sampleList });

/** Rows of a list validated one by one by the caller (a bad row is dropped and counted, not the whole body). */
const rows = z.array(z.unknown()).nullish().transform((v) => v ?? []);

/** summary-trend: the SLE's samples and each classifier's (classifier rows: SleClassifierSchema). */
export const SleSummaryTrendSchema = z.object({
  start: z.number(),
  end: z.number(),
  sle: z.object({ name: optString, samples: samples.optional() }).nullish().transform((v) => v ?? undefined),
  classifiers: rows,
});

export const SleClassifierSchema = z.object({ name: z.string().min(1), samples: samples.nullish().transform((v) => v ?? undefined) });

/** impacted-interfaces (rows: ImpactedInterfaceSchema). */
export const ImpactedInterfacesSchema = z.object({ interfaces: rows });

/** An impacted-interfaces row: live WAN rows use gateway_mac/gateway_name; the spec switch_*. */
export const ImpactedInterfaceSchema = z.object({
  interface_name: z.string().min(1),
  gateway_mac: optString,
  switch_mac: optString,
  degraded: optNumber,
  total: optNumber,
  duration: optNumber,
});

/** impacted-gateways (rows: ImpactedGatewaySchema). */
export const ImpactedGatewaysSchema = z.object({ gateways: rows });

export const ImpactedGatewaySchema = z.object({ gateway_mac: z.string().min(1), degraded: optNumber, total: optNumber, duration: optNumber });

/** threshold: a number live, a string in the spec. */
export const SleThresholdSchema = z.object({
  metric: optString,
  threshold: z.union([z.number(), z.string()]).nullish().transform((v) => (v === null || v === undefined || v === '' ? undefined : Number(v))),
  units: optString,
  direction: optString,
});

export type MistSiteSle = z.output<typeof SiteSleSchema>;
export type MistWorstSites = z.output<typeof WorstSitesSchema>;
export type MistSleSummaryTrend = z.output<typeof SleSummaryTrendSchema>;
export type MistSleClassifier = z.output<typeof SleClassifierSchema>;
export type MistImpactedInterfaces = z.output<typeof ImpactedInterfacesSchema>;
export type MistImpactedInterface = z.output<typeof ImpactedInterfaceSchema>;
export type MistImpactedGateways = z.output<typeof ImpactedGatewaysSchema>;
export type MistImpactedGateway = z.output<typeof ImpactedGatewaySchema>;
export type MistSleThreshold = z.output<typeof SleThresholdSchema>;
