import { createConnection, createServer, type Socket } from 'node:net';

/**
 * A TCP proxy on a free loopback port in front of a real server, that can stop forwarding without closing
 * either side: a half-open connection as a client sees it when its peer or a middlebox dies silently. While
 * halted, neither side's bytes are read (they wait in the kernel's buffers, as TCP would retransmit them), new
 * connections are accepted and stalled too; `resume()` lets everything through again.
 */
export interface TcpProxy {
  readonly port: number;
  /** Stops forwarding in both directions; no connection is closed. */
  halt(): void;
  resume(): void;
  /** Connections currently open through the proxy. */
  readonly connections: number;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  let halted = false;
  const pairs = new Set<[Socket, Socket]>();
  const server = createServer((client) => {
    const upstream = createConnection(target);
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    // Plain data handlers, not pipe(): pipe() resumes a paused source on its own when the destination drains.
    client.on('data', (d: Buffer) => upstream.write(d));
    upstream.on('data', (d: Buffer) => client.write(d));
    if (halted) for (const s of pair) s.pause();
    const end = (): void => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    for (const s of pair) {
      s.on('close', end);
      s.on('error', end);
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (!address || typeof address !== 'object') throw new Error('proxy has no port');
  return {
    port: address.port,
    halt() {
      halted = true;
      for (const pair of pairs) for (const s of pair) s.pause();
    },
    resume() {
      halted = false;
      for (const pair of pairs) for (const s of pair) s.resume();
    },
    get connections() {
      return pairs.size;
    },
    async close() {
      for (const [a, b] of pairs) {
        a.destroy();
        b.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
