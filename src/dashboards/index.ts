import type { KpiConfig } from '../rules/config.js';
import { availabilityDashboard } from './boards/availability.js';
import { circuitDashboard } from './boards/circuit.js';
import { healthDashboard } from './boards/health.js';
import { nocDashboard } from './boards/noc.js';
import { overviewDashboard } from './boards/overview.js';
import { regionDashboard } from './boards/region.js';
import { siteDashboard } from './boards/site.js';
import { thresholdsDashboard } from './boards/thresholds.js';
import { makeDashCtx, SHIPPED_DASHBOARDS, type DashboardOptions, type DashCtx } from './context.js';
import type { Dashboard } from './grafana.js';

export { DATASOURCE_UID, TAG, UID } from './uids.js';
export { makeDashCtx, SHIPPED_DASHBOARDS, type DashboardOptions, type DashCtx } from './context.js';
export type { Dashboard } from './grafana.js';

/** Every dashboard, in the order docs/dashboards.md presents them; file name = `<uid>.json`. */
export const BOARDS: readonly ((ctx: DashCtx) => Dashboard)[] = [
  overviewDashboard,
  nocDashboard,
  regionDashboard,
  siteDashboard,
  circuitDashboard,
  thresholdsDashboard,
  availabilityDashboard,
  healthDashboard,
];

export function generateDashboards(kpi: KpiConfig, options: DashboardOptions = SHIPPED_DASHBOARDS): Dashboard[] {
  const ctx = makeDashCtx(kpi, options);
  return BOARDS.map((b) => b(ctx));
}

/** file name (grafana/dashboards/…) → JSON text (2-space indent, trailing newline). */
export function renderDashboards(kpi: KpiConfig, options: DashboardOptions = SHIPPED_DASHBOARDS): Map<string, string> {
  return new Map(generateDashboards(kpi, options).map((d) => [`${d.uid}.json`, `${JSON.stringify(d, null, 2)}\n`]));
}
