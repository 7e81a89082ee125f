import { pino } from 'pino';
import type { Bindings, ChildLoggerOptions, DestinationStream, Logger } from 'pino';
import { REDACTED, redactSecrets } from './config/index.js';

export type { Logger } from 'pino';

/** What is written: one JSON object per line, or one plain line per entry for people. */
export type LogFormat = 'json' | 'text';
/** What LOG_FORMAT may say: auto decides by the terminal; pretty is the older name of text. */
export type LogFormatSetting = 'auto' | LogFormat | 'pretty';

/** LOG_FORMAT → the format written: auto is text on a terminal and JSON when stdout is a pipe or a file. */
export function resolveLogFormat(setting: LogFormatSetting, stdoutIsTTY: boolean): LogFormat {
  if (setting === 'auto') return stdoutIsTTY ? 'text' : 'json';
  return setting === 'pretty' ? 'text' : setting;
}

export interface LoggerOptions {
  level: string;
  format: LogFormat;
  /** Known secret values (tokens, passwords): scrubbed from every log line, wherever they occur. */
  secrets?: readonly string[];
  /** Default: stdout, written synchronously so a line logged just before exit is not lost. */
  destination?: DestinationStream;
}

/** Fields that hold credentials by name, whatever their value. */
export const REDACT_PATHS = [
  'authorization',
  'req.headers.authorization',
  'headers.authorization',
  'headers.Authorization',
  '*.headers.authorization',
  '*.headers.Authorization',
  '*.authorization',
  'token',
  '*.token',
  'tokens',
  '*.tokens',
  'password',
  '*.password',
];

/**
 * JSON or plain-text logs. Secret values are scrubbed from the serialised line rather than in
 * a logMethod hook: the line is the one place that also covers err.stack, nested fields and
 * child-logger bindings, which a hook on the call arguments would miss.
 */
export function createLogger(opts: LoggerOptions): Logger {
  const target = opts.destination ?? pino.destination({ dest: 1, sync: true });
  const stream = scrubbing(target, opts.secrets ?? [], opts.format);
  const root = pino(
    {
      level: opts.level,
      redact: { paths: REDACT_PATHS, censor: REDACTED },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    stream,
  );
  nestComponents(root);
  return root;
}

/**
 * pino appends a child's bindings to its parent's, so `collector` → child({ component: 'mist' }) wrote
 * `"component":"collector","component":"mist"`: invalid for strict JSON readers, and most keep only the
 * last. A child that names a component under a parent that has one is made from the root instead, with the
 * parent's other bindings and the joined path (`collector/mist`), so every key appears once. Children inherit
 * this through pino's prototype chain.
 */
function nestComponents(root: Logger): void {
  const original = root.child<never>;
  const rootKeys = new Set(Object.keys(root.bindings()));
  function child(this: Logger, bindings: Bindings, options?: ChildLoggerOptions<never>): Logger {
    const inherited = this.bindings();
    const parent = inherited.component as unknown;
    const own = bindings.component as unknown;
    if (typeof parent !== 'string' || own === undefined) return original.call(this, bindings, options);
    const carried = Object.fromEntries(Object.entries(inherited).filter(([key]) => !rootKeys.has(key)));
    const made = original.call(root, { ...carried, ...bindings, component: `${parent}/${String(own)}` }, options);
    made.level = this.level;
    return made;
  }
  // We never declare custom levels, so the generic signature narrows to this one.
  root.child = child as unknown as Logger['child'];
}

function scrubbing(target: DestinationStream, secrets: readonly string[], format: LogFormat): DestinationStream {
  // A secret with quotes or backslashes appears JSON-escaped in the line, so match that form too.
  const forms = secrets.filter((s) => s !== '').flatMap((s) => [s, JSON.stringify(s).slice(1, -1)]);
  const stream: DestinationStream & { flush?: (cb: (err?: Error) => void) => void } = {
    write(line: string) {
      const clean = redactSecrets(line, forms);
      target.write(format === 'text' ? textLine(clean) : clean);
    },
  };
  const flushable = target as { flush?: (cb: (err?: Error) => void) => void };
  if (typeof flushable.flush === 'function') stream.flush = (cb) => flushable.flush?.(cb);
  return stream;
}

const LEVEL_NAMES: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const HIDDEN = new Set(['level', 'time', 'msg', 'component', 'pid', 'hostname', 'err']);

/**
 * One JSON log line as a person reads it: `12:00:01.234 INFO  [sim] message key=value`, then the stack of
 * `err`, if any, indented below. A pure function of the line (tests call it directly).
 */
export function textLine(json: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const time = typeof entry.time === 'string' ? entry.time.slice(11, 23) : '';
  const level = (LEVEL_NAMES[Number(entry.level)] ?? String(entry.level)).padEnd(5);
  const component = typeof entry.component === 'string' ? ` [${entry.component}]` : '';
  const fields = Object.entries(entry)
    .filter(([key]) => !HIDDEN.has(key))
    .map(([key, value]) => `${key}=${formatValue(value)}`);
  const err = entry.err as { stack?: unknown; message?: unknown } | undefined;
  const stack = err ? `\n    ${String(err.stack ?? err.message).replace(/\n/g, '\n    ')}` : '';
  return `${[time, level + component, String(entry.msg ?? ''), ...fields].filter((p) => p !== '').join(' ')}${stack}\n`;
}

function formatValue(value: unknown): string {
  if (typeof value === 'string') return /[\s"=]/.test(value) || value === '' ? JSON.stringify(value) : value;
  return JSON.stringify(value) ?? String(value);
}
