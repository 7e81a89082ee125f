import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyServerOptions } from 'fastify';
import type { Logger } from '../log.js';

/**
 * The exporter's HTTP limits (docs/security.md). Its clients are Prometheus (one kept-alive connection per
 * target, small GET requests), a browser on the landing page and health probes: none sends a body or large
 * headers, and none needs long to send its request. What is refused or closed:
 */
export const HTTP_LIMITS = {
  /** Request bodies (no route takes one): a larger one is refused before it is read. */
  bodyLimitBytes: 1024,
  /** Request line plus headers; past it 431. Node's own default, pinned so a NODE_OPTIONS flag cannot raise it. */
  maxHeaderBytes: 16 * 1024,
  /** The whole header section must arrive within this, however slowly it trickles in (slowloris): then 408, closed. */
  headersTimeoutMs: 10_000,
  /** The whole request must arrive within this (no route takes a body, so this bounds the same as the headers). */
  requestTimeoutMs: 15_000,
  /** How often Node checks the two timeouts above (its default, 30 s, would let a slow header live 40 s). */
  connectionsCheckingIntervalMs: 1_000,
  /** A socket on which nothing moves (no bytes in or out) this long is closed, e.g. a reader that stopped reading. */
  idleSocketTimeoutMs: 60_000,
  /** A kept-alive connection with no request this long is closed: above a 60 s scrape interval, so Prometheus reuses it. */
  keepAliveTimeoutMs: 72_000,
} as const;

/**
 * Fastify options carrying HTTP_LIMITS. Not limited, on purpose: the number of connections (a cap is the
 * resource slow clients would exhaust to lock out Prometheus; the timeouts above close them instead) and
 * requests per socket (Prometheus reuses one connection for every scrape; a client can always open another).
 */
export function limitOptions(): Pick<FastifyServerOptions, 'bodyLimit' | 'connectionTimeout' | 'keepAliveTimeout' | 'requestTimeout'> & {
  http: { maxHeaderSize: number; headersTimeout: number; requestTimeout: number; connectionsCheckingInterval: number };
} {
  return {
    bodyLimit: HTTP_LIMITS.bodyLimitBytes,
    connectionTimeout: HTTP_LIMITS.idleSocketTimeoutMs,
    keepAliveTimeout: HTTP_LIMITS.keepAliveTimeoutMs,
    requestTimeout: HTTP_LIMITS.requestTimeoutMs,
    http: {
      maxHeaderSize: HTTP_LIMITS.maxHeaderBytes,
      headersTimeout: HTTP_LIMITS.headersTimeoutMs,
      requestTimeout: HTTP_LIMITS.requestTimeoutMs,
      connectionsCheckingInterval: HTTP_LIMITS.connectionsCheckingIntervalMs,
    },
  };
}

/**
 * Answers a request Node could not parse or that timed out (fastify's default, but for its log line): Node
 * attaches the raw bytes received (`rawPacket`, headers and all, an Authorization header included) to the
 * error, and fastify's default handler logs the whole error at trace level, where the string scrubber of
 * src/log.ts cannot see a secret serialised as a byte array. Only the code and the byte count are logged.
 */
export function clientErrorHandler(log: Logger | undefined): (err: { code?: string; bytesParsed?: number }, socket: Socket) => void {
  return (err, socket) => {
    if (err.code === 'ECONNRESET' || socket.destroyed) return;
    const status = err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : err.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
    log?.trace({ code: err.code, status, bytesParsed: err.bytesParsed }, 'client error: request refused');
    if (socket.writable) {
      const body = `${STATUS_CODES[status]}\n`;
      socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Length: ${body.length}\r\nContent-Type: text/plain\r\n\r\n${body}`);
    }
    socket.destroy();
  };
}
