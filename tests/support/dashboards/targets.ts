import { QUIET_EMPTY_MARK } from '../../../src/dashboards/build.js';
import type { Dashboard, Panel, RowPanel, Target, Variable } from '../../../src/dashboards/grafana.js';

/** Every query a generated dashboard would send to Prometheus, as Grafana declares it. */

export interface PanelTarget {
  readonly uid: string;
  readonly panelId: number;
  readonly panel: string;
  readonly refId: string;
  /** The expression as generated (variables not substituted). */
  readonly expr: string;
  /** Instant query (/api/v1/query at the range's end) or range query (/api/v1/query_range over the range). */
  readonly instant: boolean;
  /** The target's min step (Grafana's "Min interval"), e.g. '2s' in a 1/30 copy. */
  readonly interval?: string;
  /** The panel's relative time override (timeFrom), if any. */
  readonly timeFrom?: string;
  /** PanelSpec.emptyWhenQuiet: why the panel may be empty in a healthy network (undefined: never empty). */
  readonly quietReason?: string;
}

const isRow = (p: Panel | RowPanel): p is RowPanel => p.type === 'row';

/** Panels in display order, those inside collapsed rows included. */
export function panelsOf(d: Dashboard): Panel[] {
  return d.panels.flatMap((p) => (isRow(p) ? p.panels : [p]));
}

/** The reason after QUIET_EMPTY_MARK in a panel's description. */
export function quietReasonOf(p: Panel): string | undefined {
  const at = p.description.indexOf(QUIET_EMPTY_MARK);
  return at < 0 ? undefined : p.description.slice(at + QUIET_EMPTY_MARK.length).trim();
}

function targetOf(d: Dashboard, p: Panel, t: Target): PanelTarget {
  const reason = quietReasonOf(p);
  return {
    uid: d.uid, panelId: p.id, panel: p.title, refId: t.refId, expr: t.expr, instant: t.instant === true,
    ...(t.interval ? { interval: t.interval } : {}),
    ...(p.timeFrom ? { timeFrom: p.timeFrom } : {}),
    ...(reason !== undefined ? { quietReason: reason } : {}),
  };
}

/** Every Prometheus target of every panel (text panels have none). */
export function targetsOf(d: Dashboard): PanelTarget[] {
  return panelsOf(d).flatMap((p) => p.targets.map((t) => targetOf(d, p, t)));
}

/** The dashboard's variables in declaration order (Grafana resolves them in this order). */
export const variablesOf = (d: Dashboard): Variable[] => d.templating.list;
