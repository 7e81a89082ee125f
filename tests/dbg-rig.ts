import { startRedisServer } from './support/redis.js';
import { startAlertingRig } from './support/alerting-rig.js';
import { captureLog } from './support/redis-store.js';
import { R } from '../src/rules/index.js';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const redis = await startRedisServer();
const { log } = captureLog('error');
const rig = await startAlertingRig({ redisUrl: redis.url, timeScale: 1 / 30, log, sim: { sites: Number(process.env.SITES ?? 24) } });
try {
  await rig.prom.waitForTargetsUp({ count: 2 });
  for (let i = 0; i < 4; i++) {
    await sleep(10000);
    for (const q of [`count(${R.onSecondary})`, `${R.fresh}`, `count(mist_gateway_failed_over)`, `count(${R.circuitUp})`, 'time() - max by (family) (mist_collector_last_success_timestamp_seconds)', 'max by (family) (mist_collector_last_duration_seconds)', 'max by (family) (mist_collector_last_calls)']) {
      console.log(q, JSON.stringify((await rig.prom.query(q)).map((s) => [s.metric.family ?? '', s.value])));
    }
  }
} finally { await rig.close(); await redis.stop(); }
