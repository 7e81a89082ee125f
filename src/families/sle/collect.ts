import { addDrops, type FamilyContext, type FamilyPage } from '../../collect/family.js';
import { getSitesSle, getWorstSites } from '../../mist/endpoints.js';
import { worstSiteRowSchema } from '../../mist/schemas/sle.js';
import type { Cursor } from '../../mist/types.js';
import { validateRecords } from '../../mist/validate.js';
import type { SleRecord } from './records.js';

/** The WAN SLEs, as Mist names them in live sites-sle rows and in the site SLE paths. */
export const WAN_SLES = ['gateway-health', 'wan-link-health', 'application-health'] as const;
export type WanSle = (typeof WAN_SLES)[number];

/**
 * The window every SLE call covers. Scores are Mist's aggregate over the last hour: long enough to smooth the
 * 10-minute buckets, short enough that a recovered site leaves the degraded set within the hour.
 */
export const SLE_WINDOW = '1h';

export interface SiteSleIn {
  readonly site_id: string;
  readonly 'gateway-health'?: number | null | undefined;
  readonly 'wan-link-health'?: number | null | undefined;
  readonly 'application-health'?: number | null | undefined;
  readonly num_gateways?: number | null | undefined;
  readonly num_clients?: number | null | undefined;
}

const finite = (v: number | null | undefined): number | null => (v === null || v === undefined || !Number.isFinite(v) ? null : v);

/**
 * A sites-sle row as records: one score per SLE Mist reported (an SLE without a score has no record: unknown is
 * absent), and the site's gateway and client counts. Scores are already ratios (0–1). Pure.
 */
export function mapSiteSle(row: SiteSleIn): SleRecord[] {
  const out: SleRecord[] = [];
  for (const sle of WAN_SLES) {
    const ratio = finite(row[sle]);
    if (ratio !== null) out.push({ kind: 'score', site_id: row.site_id, sle, ratio });
  }
  out.push({ kind: 'site', site_id: row.site_id, gateways: finite(row.num_gateways), clients: finite(row.num_clients) });
  return out;
}

/**
 * worst-sites-by-sle rows as ranks (1 = worst: the row's position in Mist's answer, which is worst first). Rows
 * without a score for this SLE (e.g. a Wi-Fi answer) or repeating a site are dropped and counted. Pure.
 */
export function mapWorstSites(sle: string, rows: readonly unknown[]): { records: SleRecord[]; dropped: Record<string, number> } {
  const schema = worstSiteRowSchema(sle);
  const records: SleRecord[] = [];
  const dropped: Record<string, number> = {};
  const seen = new Set<string>();
  rows.forEach((row, i) => {
    const v = validateRecords([row], schema);
    addDrops(dropped, v.dropped);
    const site = v.records[0];
    if (!site) return;
    if (seen.has(site.site_id)) {
      dropped['site_id: repeated in worst-sites-by-sle'] = (dropped['site_id: repeated in worst-sites-by-sle'] ?? 0) + 1;
      return;
    }
    seen.add(site.site_id);
    records.push({ kind: 'worst', site_id: site.site_id, sle, rank: i + 1 });
  });
  return { records, dropped };
}

/**
 * Org WAN SLE: insights/sites-sle?sle=wan (scores per site, 1,000 sites a page, resumable), then the worst
 * sites of each WAN SLE (one unpaged call each), stored with the last page so a resumed walk never repeats them.
 */
export async function* collectSle(ctx: FamilyContext, from: Cursor | null): AsyncGenerator<FamilyPage<SleRecord>> {
  const seen = new Set<string>();
  for await (const page of ctx.api.pages(getSitesSle(ctx.orgId, SLE_WINDOW), { signal: ctx.signal, ...(from ? { from } : {}) })) {
    const records: SleRecord[] = [];
    const dropped: Record<string, number> = { ...page.dropped };
    for (const row of page.records) {
      if (seen.has(row.site_id)) {
        dropped['site_id: repeated in sites-sle'] = (dropped['site_id: repeated in sites-sle'] ?? 0) + 1;
        continue;
      }
      seen.add(row.site_id);
      records.push(...mapSiteSle(row));
    }
    if (page.cursor === null) {
      for (const sle of WAN_SLES) {
        const body = await ctx.api.getOne(getWorstSites(ctx.orgId, sle, SLE_WINDOW), { signal: ctx.signal });
        const worst = mapWorstSites(sle, body.results);
        records.push(...worst.records);
        addDrops(dropped, worst.dropped);
      }
    }
    yield { records, dropped, cursor: page.cursor };
  }
}
