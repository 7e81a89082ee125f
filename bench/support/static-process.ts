/**
 * The static-buffer baseline of bench:load, in its own process (forked over IPC, support/ipc.ts): `serve` takes
 * one gzip scrape of the exporter and serves those bytes, with the exporter's headers, from a bare node:http
 * server. Same bytes, same client, same machine, same moment: what serving costs when nothing else runs in the
 * serving process.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CONTENT_TYPE } from '../../src/metrics/exposition.js';
import { serve } from './ipc.js';
import { rawBody } from './load.js';

let server: Server | undefined;

serve({
  async serve(arg: { exporterUrl: string }): Promise<{ url: string; bytes: number }> {
    const gz = await rawBody(`${arg.exporterUrl}/metrics`, true);
    const headers = {
      'content-type': CONTENT_TYPE, 'content-encoding': 'gzip', 'cache-control': 'no-store', vary: 'Accept-Encoding',
      'content-length': String(gz.length),
    };
    if (server) {
      const old = server;
      old.closeAllConnections();
      await new Promise((resolve) => old.close(resolve));
    }
    server = createServer({ keepAliveTimeout: 60_000 }, (_req, res) => {
      res.writeHead(200, headers);
      res.end(gz);
    });
    const s = server;
    await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
    return { url: `http://127.0.0.1:${(s.address() as AddressInfo).port}/metrics`, bytes: gz.length };
  },
  async stop(): Promise<void> {
    server?.closeAllConnections();
    setImmediate(() => process.exit(0));
  },
});
process.send?.({ ready: true });
