import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));

export interface CliProcess {
  readonly proc: ChildProcess;
  /** Every line the process printed (stdout and stderr), as it arrives. */
  readonly lines: string[];
  /** Resolves with the first line matching `re` (waits up to `timeoutMs`). */
  waitForLine(re: RegExp, timeoutMs?: number): Promise<string>;
  /** Resolves with the exit code (or the signal name). */
  readonly exited: Promise<number | string>;
  kill(signal?: NodeJS.Signals): Promise<number | string>;
}

const shellQuote = (arg: string): string => `'${arg.replace(/'/g, `'\\''`)}'`;

/**
 * Runs `mist-wan-exporter <args>` as a real child process (Node + tsx), with only the given environment on top of
 * PATH, so tests can kill it mid-cycle like an operator or an OOM killer would. `tty`: on a pseudo-terminal
 * (util-linux `script`), as a person at a terminal runs it; its stdout and stderr then arrive as one stream.
 */
export function spawnCli(args: readonly string[], env: Record<string, string>, opts: { tty?: boolean } = {}): CliProcess {
  const argv = [process.execPath, '--import', 'tsx', CLI, ...args];
  const [command, ...rest] = opts.tty === true ? ['script', '-qec', `exec ${argv.map(shellQuote).join(' ')}`, '/dev/null'] : argv;
  const proc = spawn(command!, rest, {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const waiters: { re: RegExp; resolve: (line: string) => void }[] = [];
  // Per stream: a chunk may end mid-line; the rest waits for the next chunk (or the end).
  const reader = (): ((chunk: Buffer | null) => void) => {
    let partial = '';
    return (chunk) => {
      const parts = (partial + (chunk === null ? '\n' : chunk.toString('utf8'))).replace(/\r/g, '').split('\n');
      partial = parts.pop() ?? '';
      onLines(parts);
    };
  };
  const onLines = (parts: readonly string[]): void => {
    for (const line of parts) {
      if (line.trim() === '') continue;
      lines.push(line);
      for (const w of [...waiters]) {
        if (w.re.test(line)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(line);
        }
      }
    }
  };
  for (const stream of [proc.stdout, proc.stderr]) {
    const read = reader();
    stream?.on('data', read);
    stream?.on('end', () => read(null));
  }
  const exited = new Promise<number | string>((resolve) => proc.once('close', (code, signal) => resolve(code ?? signal ?? -1)));
  return {
    proc,
    lines,
    exited,
    waitForLine(re, timeoutMs = 20_000) {
      const seen = lines.find((l) => re.test(l));
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no line matching ${re} within ${timeoutMs} ms; last lines:\n${lines.slice(-8).join('\n')}`)), timeoutMs);
        waiters.push({ re, resolve: (l) => { clearTimeout(timer); resolve(l); } });
      });
    },
    async kill(signal = 'SIGKILL') {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      return exited;
    },
  };
}
