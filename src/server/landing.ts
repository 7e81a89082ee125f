import type { StoreState } from './exposition-cache.js';

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function age(ms: number | null, now: number): string {
  if (ms === null) return 'never';
  const s = Math.max(0, Math.round((now - ms) / 1000));
  return s < 120 ? `${s} s ago` : s < 7200 ? `${Math.round(s / 60)} min ago` : `${Math.round(s / 3600)} h ago`;
}

/** The landing page: what is collected, how fresh it is, and the API budget. No scripts, no external assets. */
export function landingPage(state: StoreState, families: readonly { family: string; series: number }[], version: string, now: number): string {
  const rows = state.metas.map(({ key, meta, expiresAt }) => {
    const ok = meta.lastError === null;
    const expired = expiresAt !== null && expiresAt <= now;
    return `<tr><td>${esc(key.orgId)}</td><td><a href="/metrics?family=${encodeURIComponent(key.family)}">${esc(key.family)}</a></td>` +
      `<td>${age(meta.lastSuccess, now)}</td><td>${meta.recordsKept ?? ''}</td><td>${meta.intervalSeconds ?? ''} s</td>` +
      `<td class="${ok && !expired ? 'ok' : 'bad'}">${expired ? 'expired' : ok ? 'ok' : esc(meta.lastError ?? '')}</td></tr>`;
  }).join('');
  const budget = state.usage.map((u) => `<tr><td><code>${esc(u.fingerprint)}</code></td><td>${u.used} / ${u.limit}</td>` +
    `<td>${u.coolingUntil > now ? `cooling ${age(now - (u.coolingUntil - now), now).replace(' ago', '')}` : 'usable'}</td><td>${age(u.at, now)}</td></tr>`).join('');
  const series = families.reduce((s, f) => s + f.series, 0);
  return `<!doctype html><html><head><meta charset="utf-8"><title>mist-wan-exporter</title>
<style>body{font-family:system-ui,sans-serif;margin:2em;max-width:70em}table{border-collapse:collapse}td,th{padding:.2em .8em;border-bottom:1px solid #ddd;text-align:left}.ok{color:#1a7f37}.bad{color:#cf222e}</style></head>
<body><h1>mist-wan-exporter</h1>
<p>Version ${esc(version)}. Store ${state.up ? '<span class="ok">reachable</span>' : '<span class="bad">unreachable</span>'}, last read ${age(state.lastRefresh, now)}. Serving ${series} series.</p>
<p><a href="/metrics">/metrics</a> (all) · <a href="/metrics?family=exporter">/metrics?family=exporter</a> (self-metrics) · <a href="/health">/health</a> · <a href="/ready">/ready</a></p>
<h2>Families</h2><table><tr><th>org</th><th>family</th><th>last success</th><th>records</th><th>interval</th><th>status</th></tr>${rows || '<tr><td colspan="6">nothing collected yet</td></tr>'}</table>
<h2>API budget (this hour)</h2><table><tr><th>token</th><th>calls / limit</th><th>state</th><th>reported</th></tr>${budget || '<tr><td colspan="4">no report yet</td></tr>'}</table>
</body></html>`;
}
