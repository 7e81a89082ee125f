import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort, pingRedis } from './redis.js';

/**
 * A redis-server that can be crashed (SIGKILL), stopped, restarted on the same port and data directory, and
 * configured like the shipped compose stack (appendonly yes, appendfsync everysec): for Redis fault tests.
 * tests/support/redis.ts starts throw-away servers without persistence; this one keeps its directory until
 * destroy().
 */
export interface DurableRedis {
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  /** Whether a server process is running. */
  readonly running: boolean;
  /** Starts the server on its port (or on `port`: the same data served where no client of the test looks). */
  start(port?: number): Promise<void>;
  /** Ends the server: SIGKILL (a crash, default) or SIGTERM (a clean shutdown, which rewrites nothing here). */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** A plain client on `port` (default the server's), no retries: for setting up faults and inspecting. */
  client(port?: number): Redis;
  /** Stops the server and removes its directory. */
  destroy(): Promise<void>;
}

const BIN = process.env.REDIS_SERVER_BIN ?? 'redis-server';

export async function startDurableRedis(extraArgs: readonly string[] = []): Promise<DurableRedis> {
  const dir = await mkdtemp(join(tmpdir(), 'mist-redis-durable-'));
  const port = await freePort();
  let child: ChildProcess | null = null;
  const clients: Redis[] = [];

  const start = async (at = port): Promise<void> => {
    if (child) throw new Error('redis-server is already running');
    const proc = spawn(BIN, ['--port', String(at), '--bind', '127.0.0.1', '--dir', dir, '--daemonize', 'no', '--save', '',
      '--appendonly', 'yes', '--appendfsync', 'everysec', ...extraArgs], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    proc.stdout?.on('data', (c: Buffer) => (output = (output + c.toString()).slice(-2_000)));
    proc.stderr?.on('data', (c: Buffer) => (output = (output + c.toString()).slice(-2_000)));
    const exited = new Promise<Error>((resolve) => proc.once('exit', (code, signal) => resolve(new Error(`${BIN} exited (${code ?? signal}): ${output}`))));
    child = proc;
    proc.once('exit', () => {
      if (child === proc) child = null;
    });
    const deadline = Date.now() + 15_000;
    // PING fails with LOADING while the AOF is replayed: ready means the data is back.
    while ((await pingRedis(`redis://127.0.0.1:${at}`)) !== null) {
      const failed = await Promise.race([exited, new Promise<null>((r) => setTimeout(() => r(null), 50))]);
      if (failed) throw failed;
      if (Date.now() > deadline) throw new Error(`${BIN} did not answer PING on ${at} within 15 s: ${output}`);
    }
  };

  const stop = async (signal: NodeJS.Signals = 'SIGKILL'): Promise<void> => {
    const proc = child;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const gone = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill(signal);
    const timer = setTimeout(() => proc.kill('SIGKILL'), 5_000);
    await gone;
    clearTimeout(timer);
  };

  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    get running() {
      return child !== null;
    },
    start,
    stop,
    client(at = port) {
      const c = new Redis(`redis://127.0.0.1:${at}`, { maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: true });
      c.on('error', () => undefined);
      clients.push(c);
      return c;
    },
    async destroy() {
      for (const c of clients) c.disconnect();
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A field of INFO's text (`INFO replication` → role, master_link_status…). */
export async function infoField(client: Redis, section: string, field: string): Promise<string | undefined> {
  const text = await client.info(section);
  return new RegExp(`^${field}:(.*)$`, 'm').exec(text)?.[1]?.trim();
}

