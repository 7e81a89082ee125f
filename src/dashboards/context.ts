import type { KpiConfig } from '../rules/config.js';
import { duration } from '../rules/promql.js';

/**
 * What every dashboard builder needs: the KPI config (thresholds colour panels from the same values the rules
 * compare with) and the time base. Every duration literal in a query goes through `d()`/`w()`, multiplied by
 * timeScale (1 for the shipped dashboards; the integration test generates a time-compressed copy that reads the
 * time-compressed rules, as tests/support/alerting-rig.ts does for the alerts). Grafana's own variables
 * ($__range, $__rate_interval, $__interval) are left to Grafana (the test substitutes them).
 */
export interface DashboardOptions {
  readonly timeScale: number;
}

export const SHIPPED_DASHBOARDS: DashboardOptions = { timeScale: 1 };

export interface DashCtx {
  readonly kpi: KpiConfig;
  readonly timeScale: number;
  /** Production seconds → a Prometheus duration, scaled. */
  d(seconds: number): string;
  /** `W − 1s` (scaled): a window over a per-minute recorded series holding exactly W / 60 samples (docs/kpis.md). */
  w(seconds: number): string;
}

export const MINUTE = 60;
export const HOUR = 3600;
export const DAY = 86_400;

export function makeDashCtx(kpi: KpiConfig, options: DashboardOptions = SHIPPED_DASHBOARDS): DashCtx {
  const s = options.timeScale;
  return {
    kpi,
    timeScale: s,
    d: (seconds) => duration(seconds * s),
    w: (seconds) => duration(seconds * s - 1),
  };
}
