import type { SimEngine } from '../engine/engine.js';
import type { SimGateway } from '../model/types.js';
import { BadRequest, type Window } from '../http/window.js';

export const GATEWAY_INSIGHT_METRICS = ['rx_bps', 'tx_bps', 'max_rx_bps', 'max_tx_bps'] as const;
type InsightMetric = (typeof GATEWAY_INSIGHT_METRICS)[number];

/**
 * `insights/gateway/{id}/stats`: per-interval traffic from the truth history. Arrays are keyed by metric name
 * (as live responses are); `results` holds the interval start times; intervals outside the history are null.
 */
export function gatewayInsightsView(engine: SimEngine, gw: SimGateway, metrics: string[], portId: string | undefined, w: Window, interval: number): Record<string, unknown> {
  for (const m of metrics) {
    if (!(GATEWAY_INSIGHT_METRICS as readonly string[]).includes(m)) throw new BadRequest(`unknown metric "${m}"`);
  }
  const ports = gw.wanPortIndexes.map((p) => engine.org.wanPorts[p]!).filter((p) => portId === undefined || p.portId === portId);
  if (ports.length === 0) throw new BadRequest(`unknown port_id "${portId}"`);
  const start = Math.floor(w.start / interval) * interval;
  const times: number[] = [];
  const out: Record<InsightMetric, (number | null)[]> = { rx_bps: [], tx_bps: [], max_rx_bps: [], max_tx_bps: [] };
  for (let t = start; t < w.end; t += interval) {
    times.push(t);
    // Sum the ports' bps per minute, then average and take the peak over the interval.
    const perMinute = new Map<number, { rx: number; tx: number }>();
    for (const port of ports) {
      for (const r of engine.ctx.history.read(port.index, t / 60, (t + interval) / 60)) {
        const cur = perMinute.get(r.minute) ?? { rx: 0, tx: 0 };
        cur.rx += r.rxUtil * port.speedMbps * 1e6;
        cur.tx += r.txUtil * port.upMbps * 1e6;
        perMinute.set(r.minute, cur);
      }
    }
    const vals = [...perMinute.values()];
    const avg = (f: (v: { rx: number; tx: number }) => number): number | null => (vals.length ? Math.round(vals.reduce((s, v) => s + f(v), 0) / vals.length) : null);
    const max = (f: (v: { rx: number; tx: number }) => number): number | null => (vals.length ? Math.round(Math.max(...vals.map(f))) : null);
    out.rx_bps.push(avg((v) => v.rx));
    out.tx_bps.push(avg((v) => v.tx));
    out.max_rx_bps.push(max((v) => v.rx));
    out.max_tx_bps.push(max((v) => v.tx));
  }
  const body: Record<string, unknown> = { start, end: Math.floor(w.end), interval, limit: times.length, page: 1, results: times };
  for (const m of metrics as InsightMetric[]) body[m] = out[m];
  return body;
}
