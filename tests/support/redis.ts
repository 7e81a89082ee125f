import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import type { RedisOptions } from 'ioredis';

/**
 * Real redis-server processes for tests. globalSetup starts the shared one (tests read its URL with
 * `inject('redisUrl')`); a test that needs a differently configured server (password, TLS) starts its own.
 */

export interface RedisServer {
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

export interface RedisServerOptions {
  /** Extra redis-server arguments, e.g. ['--requirepass', 'x']. */
  args?: readonly string[];
  /** Builds the URL from the port the server got (default redis://127.0.0.1:PORT). */
  url?: (port: number) => string;
  /** ioredis options for the readiness PING (TLS trust, ...). */
  pingOptions?: RedisOptions;
}

const BIN = process.env.REDIS_SERVER_BIN ?? 'redis-server';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (address && typeof address === 'object' ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** PINGs a URL once; resolves with the error instead of throwing. */
export async function pingRedis(url: string, options: RedisOptions = {}): Promise<Error | null> {
  const client = new Redis(url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0, connectTimeout: 2_000, ...options });
  // The command's own error is often just "Connection is closed"; the connection's error says why.
  let cause: Error | null = null;
  client.on('error', (err: Error) => (cause ??= err));
  try {
    await client.ping();
    return null;
  } catch (err) {
    return cause ?? (err instanceof Error ? err : new Error(String(err)));
  } finally {
    client.disconnect();
  }
}

/** Starts redis-server on a free loopback port, without persistence; throws if the binary is missing. */
export async function startRedisServer(opts: RedisServerOptions = {}): Promise<RedisServer> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(opts);
    } catch (err) {
      // Another process may take the port between freePort() and the server's bind.
      if (attempt >= 3 || !(err instanceof Error) || !err.message.includes('Address already in use')) throw err;
    }
  }
}

async function startOnce(opts: RedisServerOptions): Promise<RedisServer> {
  const dir = await mkdtemp(join(tmpdir(), 'mist-redis-'));
  const port = await freePort();
  const url = opts.url?.(port) ?? `redis://127.0.0.1:${port}`;
  const portArgs = opts.args?.includes('--tls-port') ? ['--port', '0', '--tls-port', String(port)] : ['--port', String(port)];
  const extra = (opts.args ?? []).filter((a, i, all) => a !== '--tls-port' && all[i - 1] !== '--tls-port');
  const child = spawn(BIN, [...portArgs, '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no', ...extra], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<Error>((resolve) => {
    child.once('error', (err) => resolve(new Error(`cannot run ${BIN} (${err.message}); install redis-server (scripts/ensure-test-services.sh)`)));
    child.once('exit', (code) => resolve(new Error(`${BIN} exited with code ${code}: ${output.slice(-500)}`)));
  });
  const stop = () => stopServer(child, dir);
  const deadline = Date.now() + 10_000;
  for (;;) {
    const failure = await Promise.race([exited, delay(50).then(() => null)]);
    if (failure) {
      await rm(dir, { recursive: true, force: true });
      throw failure;
    }
    // The URL carries the password and the TLS scheme, so this PING is exactly what the store will do.
    if ((await pingRedis(url, opts.pingOptions)) === null) return { url, port, stop };
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${BIN} did not answer PING on ${port} within 10 s: ${output.slice(-500)}`);
    }
  }
}

async function stopServer(child: ChildProcess, dir: string): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
    await gone;
    clearTimeout(timer);
  }
  await rm(dir, { recursive: true, force: true });
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
