import { anyIsBad, dashboard, jobVariable, q, stat, table, timeseries, UID } from '../build.js';
import type { DashCtx } from '../context.js';
import type { Dashboard } from '../grafana.js';

/** Exporter and collector health: is the data the other dashboards show fresh, and is the pipeline healthy? */
export function healthDashboard(ctx: DashCtx): Dashboard {
  void ctx;
  return dashboard({
    uid: UID.health,
    title: 'Mist WAN / Exporter and collector health',
    description: 'Freshness per family, Mist API budget and 429s per token, collection durations, scrape size and render time, store up.',
    questions: [
      'Is every family fresh, and if not, since when?',
    ],
    variables: [jobVariable()],
    sections: [{
      row: 'Store',
      panels: [
        stat({
          title: 'Exporters without their store', description: 'Exporter replicas whose last read of the store failed (mist_store_up 0): they serve their last snapshot or nothing.',
          unit: 'none', thresholds: anyIsBad(), queries: [q('count(mist_store_up{job=~"$job"} == 0) or vector(0)')],
        }),
        timeseries({
          title: 'Series served per family', description: 'Series each exporter serves per family (mist_exporter_series).',
          unit: 'short', queries: [q('max by (family) (mist_exporter_series{job=~"$job"})', { legend: '{{family}}' })],
        }, 20),
        table({
          title: 'Mist API requests per endpoint', description: 'Requests per second by endpoint over the range.',
          unit: 'reqps', queries: [q('sum by (endpoint) (rate(mist_api_requests_total{job=~"$job"}[$__rate_interval]))')],
        }, 24),
      ],
    }],
  });
}
