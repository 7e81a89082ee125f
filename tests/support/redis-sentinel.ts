import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort, pingRedis } from './redis.js';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.js';

/**
 * A real Redis Sentinel deployment for tests (Debian's redis-server and redis-sentinel): a master, one replica
 * and three Sentinels (quorum 2) on free loopback ports, each in a temp directory. The replica replicates through
 * a TCP proxy the test can halt: replication then lags, as it does under load, and the writes the master
 * acknowledged meanwhile are exactly what a failover loses. A missing binary is a failure, never a skip
 * (scripts/ensure-test-services.sh installs both).
 */

export const MASTER_NAME = 'mist';
/** Sentinel timings of the rig. */
export const DOWN_AFTER_MS = 1_000;
/**
 * Long on purpose: a Sentinel "fixes" a replica that replicates from another address than the master's
 * (+fix-slave-config: REPLICAOF the master directly) once failover-timeout has passed since it found it, and this
 * replica replicates through the proxy. A successful failover does not wait for it.
 */
export const FAILOVER_TIMEOUT_MS = 60_000;

const SERVER_BIN = process.env.REDIS_SERVER_BIN ?? 'redis-server';
const SENTINEL_BIN = process.env.REDIS_SENTINEL_BIN ?? 'redis-sentinel';

/**
 * The sentinel.conf each Sentinel of the rig starts from (Sentinel rewrites its copy as it learns). docs/store.md
 * shows the same file for a production host; the failover test checks the two agree.
 */
export function sentinelConf(opts: {
  port: number; dir: string; masterHost?: string; masterPort: number; bind?: string; name?: string; downAfterMs?: number; failoverTimeoutMs?: number;
  /** The Sentinels' requirepass (and the password they use with each other). */
  password?: string;
}): string {
  const name = opts.name ?? MASTER_NAME;
  return [
    ...(opts.password ? [`requirepass ${opts.password}`, `sentinel sentinel-pass ${opts.password}`] : []),
    `port ${opts.port}`,
    `bind ${opts.bind ?? '127.0.0.1'}`,
    `dir ${opts.dir}`,
    `sentinel monitor ${name} ${opts.masterHost ?? '127.0.0.1'} ${opts.masterPort} 2`,
    `sentinel down-after-milliseconds ${name} ${opts.downAfterMs ?? DOWN_AFTER_MS}`,
    `sentinel failover-timeout ${name} ${opts.failoverTimeoutMs ?? FAILOVER_TIMEOUT_MS}`,
    `sentinel parallel-syncs ${name} 1`,
    '',
  ].join('\n');
}

export interface Proc {
  readonly port: number;
  readonly running: boolean;
  /** SIGKILL by default: a crash. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export interface SentinelRig {
  readonly masterName: string;
  readonly master: Proc;
  readonly replica: Proc;
  readonly sentinels: readonly Proc[];
  /** For config: `127.0.0.1:p1,127.0.0.1:p2,…`. */
  readonly sentinelList: string;
  /** The proxy the replica replicates through: halt() stalls replication without closing the link. */
  readonly replicationLink: TcpProxy;
  /** The master's port as the Sentinels' majority says (get-master-addr-by-name), or null when they disagree. */
  masterPort(): Promise<number | null>;
  /** A plain client on a data node (no retries), for inspecting; closed by stop(). */
  client(port: number): Redis;
  stop(): Promise<void>;
}

/** `sentinelPassword`: the Sentinels' requirepass (the data nodes have none). */
export async function startSentinelRig(opts: { sentinelPassword?: string } = {}): Promise<SentinelRig> {
  const password = opts.sentinelPassword;
  const dir = await mkdtemp(join(tmpdir(), 'mist-sentinel-'));
  const procs: Proc[] = [];
  const clients: Redis[] = [];
  let proxy: TcpProxy | null = null;
  const stopAll = async (): Promise<void> => {
    for (const c of clients) c.disconnect();
    await Promise.all(procs.map((p) => p.stop('SIGKILL')));
    await proxy?.close();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const masterPort = await freePort();
    const master = await startProc(SERVER_BIN, dataArgs(masterPort, join(dir, 'master')), masterPort, dir, 'master');
    procs.push(master);
    proxy = await startTcpProxy({ host: '127.0.0.1', port: masterPort });
    const replicaPort = await freePort();
    const replica = await startProc(SERVER_BIN, [...dataArgs(replicaPort, join(dir, 'replica')), '--replicaof', '127.0.0.1', String(proxy.port)], replicaPort, dir, 'replica');
    procs.push(replica);
    await until('the replica is in sync', async () => (await info(replica.port, 'replication')).includes('master_link_status:up'), 15_000);

    const sentinels: Proc[] = [];
    for (let i = 0; i < 3; i += 1) {
      const port = await freePort();
      const conf = join(dir, `sentinel-${i}.conf`);
      await writeFile(conf, sentinelConf({ port, dir, masterPort, ...(password ? { password } : {}) }));
      const s = await startProc(SENTINEL_BIN, [conf], port, dir, `sentinel ${i}`, password);
      procs.push(s);
      sentinels.push(s);
    }
    const sentinelList = sentinels.map((s) => `127.0.0.1:${s.port}`).join(',');
    const masterPortNow = async (): Promise<number | null> => {
      const seen = await Promise.all(sentinels.filter((s) => s.running).map(async (s) => {
        const c = new Redis({ port: s.port, host: '127.0.0.1', password, lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0, connectTimeout: 1_000 });
        c.on('error', () => undefined);
        try {
          const reply = (await c.call('SENTINEL', 'get-master-addr-by-name', MASTER_NAME)) as [string, string] | null;
          return reply ? Number(reply[1]) : null;
        } catch {
          return null;
        } finally {
          c.disconnect();
        }
      }));
      const votes = new Map<number, number>();
      for (const p of seen) if (p !== null) votes.set(p, (votes.get(p) ?? 0) + 1);
      return [...votes].find(([, n]) => n >= 2)?.[0] ?? null;
    };
    // Every Sentinel has found the replica and the other Sentinels (else a failover cannot be authorised).
    await until('the Sentinels know the replica and each other', async () => {
      const views = await Promise.all(sentinels.map(async (s) => sentinelView(s.port, password)));
      return views.every((v) => v.replicas >= 1 && v.sentinels >= 2);
    }, 20_000);
    const replicationLink = proxy;
    return {
      masterName: MASTER_NAME, master, replica, sentinels, sentinelList, replicationLink,
      masterPort: masterPortNow,
      client(port) {
        const c = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 0, retryStrategy: () => null });
        c.on('error', () => undefined);
        clients.push(c);
        return c;
      },
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

function dataArgs(port: number, dir: string): string[] {
  return ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no',
    // The replica is promoted by the Sentinels, not refused: a replica with priority 0 never is.
    '--replica-priority', '100'];
}

async function startProc(bin: string, args: string[], port: number, dir: string, what: string, password?: string): Promise<Proc> {
  if (args.includes('--dir')) {
    await mkdir(args[args.indexOf('--dir') + 1]!, { recursive: true });
  }
  const child: ChildProcess = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir });
  let output = '';
  const keep = (c: Buffer): void => {
    output = (output + c.toString()).slice(-4_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited = false;
  const gone = new Promise<Error>((resolve) => {
    child.once('error', (err) => {
      exited = true;
      resolve(new Error(`cannot run ${bin} for the ${what} (${err.message}); install it (scripts/ensure-test-services.sh)`));
    });
    child.once('exit', (code, signal) => {
      exited = true;
      resolve(new Error(`${bin} (${what}) exited (${code ?? signal}): ${output.slice(-800)}`));
    });
  });
  const deadline = Date.now() + 10_000;
  while ((await pingRedis(`redis://${password ? `:${password}@` : ''}127.0.0.1:${port}`)) !== null) {
    const failed = await Promise.race([gone, delay(50).then(() => null)]);
    if (failed) throw failed;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${bin} (${what}) did not answer PING on ${port} within 10 s: ${output.slice(-800)}`);
    }
  }
  return {
    port,
    get running() {
      return !exited;
    },
    async stop(signal: NodeJS.Signals = 'SIGKILL') {
      if (exited) return;
      const done = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill(signal);
      await done;
    },
  };
}

async function info(port: number, section: string, password?: string): Promise<string> {
  const c = new Redis({ port, host: '127.0.0.1', password, lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
  c.on('error', () => undefined);
  try {
    return await c.info(section);
  } catch {
    return '';
  } finally {
    c.disconnect();
  }
}

async function sentinelView(port: number, password?: string): Promise<{ replicas: number; sentinels: number }> {
  const text = await info(port, 'sentinel', password);
  const m = /master0:.*slaves=(\d+),sentinels=(\d+)/.exec(text);
  // `sentinels` counts this one too.
  return { replicas: Number(m?.[1] ?? 0), sentinels: Number(m?.[2] ?? 1) - 1 };
}

export async function until(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await delay(50);
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
