import { unit } from '../random.js';
import type { EngineContext } from './context.js';
import { STREAM } from './context.js';
import { mosOf } from './traffic.js';

/**
 * Re-evaluates VPN peer paths: a path is up when both ends' ports are up, active when it leaves through the
 * spoke's active circuit, and inherits loss/latency/jitter from both circuits plus distance.
 */
export function stepPaths(ctx: EngineContext, pathIndexes: Iterable<number>, at: number, minute: number): void {
  const { org, state: s } = ctx;
  for (const v of pathIndexes) {
    const path = org.peerPaths[v]!;
    const spoke = org.wanPorts[path.wanPortIndex]!;
    const hub = org.wanPorts[path.hubPortIndex]!;
    const up = s.up[spoke.index] === 1 && s.up[hub.index] === 1;
    if (up !== (s.pathUp[v] === 1)) {
      s.pathUp[v] = up ? 1 : 0;
      s.pathTransitions[v]! += 1;
      if (up) s.pathUpSince[v] = at;
      const hubGw = org.gateways[hub.gatewayIndex]!;
      ctx.events.add({
        type: up ? 'GW_VPN_PATH_UP' : 'GW_VPN_PATH_DOWN', timestamp: at, siteIndex: spoke.siteIndex, gatewayIndex: spoke.gatewayIndex,
        portId: spoke.portId,
        text: `${path.pathType} path ${spoke.portId} -> ${hubGw.name}:${hub.portId} is ${up ? 'up' : 'down'}`,
      });
    }
    const spokeActive = s.activePort[spoke.gatewayIndex] === spoke.index;
    const hubActive = s.activePort[hub.gatewayIndex] === hub.index || path.pathType === 'ipsec';
    s.pathActive[v] = up && spokeActive && hubActive ? 1 : 0;
    if (!up) continue;
    const noise = 0.9 + 0.2 * unit(ctx.seed, STREAM.pathQuality, v, minute);
    const q = {
      lossPct: Math.min(100, (s.lossPct[spoke.index]! + s.lossPct[hub.index]!) * noise),
      latencyMs: (s.latencyMs[spoke.index]! + s.latencyMs[hub.index]! + ctx.pathPropagationMs[v]!) * noise,
      jitterMs: (s.jitterMs[spoke.index]! + s.jitterMs[hub.index]!) * noise,
    };
    s.pathLossPct[v] = q.lossPct;
    s.pathLatencyMs[v] = q.latencyMs;
    s.pathJitterMs[v] = q.jitterMs;
    s.pathMos[v] = mosOf(q);
  }
}
