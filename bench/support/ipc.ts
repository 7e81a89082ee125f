import { fork, type ChildProcess } from 'node:child_process';

/** A tiny request/response protocol over the IPC channel of a forked bench process. */

interface Request {
  readonly id: number;
  readonly cmd: string;
  readonly arg: unknown;
}

interface Response {
  readonly id: number;
  readonly ok: boolean;
  readonly result?: unknown;
  readonly error?: string;
}

export type Handlers = Record<string, (arg: never) => Promise<unknown>>;

/** Child side: answers each request with its handler's result (or error message). */
export function serve(handlers: Handlers): void {
  process.on('message', (raw) => {
    const req = raw as Request;
    if (typeof req !== 'object' || req === null || typeof req.cmd !== 'string') return;
    const handler = handlers[req.cmd] as ((arg: unknown) => Promise<unknown>) | undefined;
    const reply = (r: Response): void => void process.send?.(r);
    if (!handler) return reply({ id: req.id, ok: false, error: `unknown command ${req.cmd}` });
    handler(req.arg).then(
      (result) => reply({ id: req.id, ok: true, result }),
      (err: unknown) => reply({ id: req.id, ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
    );
  });
  process.on('disconnect', () => process.exit(0));
}

export interface Remote {
  readonly child: ChildProcess;
  call<T>(cmd: string, arg?: unknown): Promise<T>;
  /** Waits for the first non-response message (a child's "ready" announcement). */
  first<T>(): Promise<T>;
  kill(): void;
}

/** Parent side: forks `modulePath` with the parent's loader flags (tsx) plus `extraExecArgv`. */
export function spawn(modulePath: string, args: readonly string[], extraExecArgv: readonly string[] = []): Remote {
  const child = fork(modulePath, [...args], { execArgv: [...process.execArgv, ...extraExecArgv], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let next = 1;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const waiting: ((m: unknown) => void)[] = [];
  const early: unknown[] = [];
  child.on('message', (m) => {
    const res = m as Partial<Response>;
    if (typeof res === 'object' && res !== null && typeof res.id === 'number' && pending.has(res.id)) {
      const p = pending.get(res.id)!;
      pending.delete(res.id);
      if (res.ok) p.resolve(res.result);
      else p.reject(new Error(res.error ?? 'child error'));
      return;
    }
    const w = waiting.shift();
    if (w) w(m);
    else early.push(m);
  });
  child.on('exit', (code) => {
    for (const p of pending.values()) p.reject(new Error(`${modulePath} exited (${code})`));
    pending.clear();
  });
  return {
    child,
    call<T>(cmd: string, arg?: unknown): Promise<T> {
      const id = next++;
      return new Promise<T>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        child.send({ id, cmd, arg } satisfies Request);
      });
    },
    first<T>(): Promise<T> {
      if (early.length > 0) return Promise.resolve(early.shift() as T);
      return new Promise<T>((resolve, reject) => {
        waiting.push(resolve as (m: unknown) => void);
        child.once('exit', (code) => reject(new Error(`${modulePath} exited (${code}) before announcing itself`)));
      });
    },
    kill() {
      if (child.exitCode === null) child.kill('SIGTERM');
    },
  };
}
