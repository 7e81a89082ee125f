import { readFileSync } from 'node:fs';

export interface EnvFile {
  readonly values: Record<string, string>;
  /** Problems name the line, never its content: the line may hold a secret. */
  readonly problems: string[];
}

const LINE = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/;

/** Parses KEY=VALUE lines the way docker compose and dotenv read them, minus interpolation. */
export function parseEnvFile(text: string, label = '.env'): EnvFile {
  const values: Record<string, string> = {};
  const problems: string[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const match = LINE.exec(line);
    const value = match ? unquote(match[2] ?? '') : undefined;
    if (!match?.[1] || value === undefined) {
      problems.push(`${label} line ${index + 1}: expected KEY=VALUE`);
      return;
    }
    values[match[1]] = value;
  });
  return { values, problems };
}

function unquote(value: string): string | undefined {
  const quote = value[0];
  if (quote === '"' || quote === "'") {
    const end = value.indexOf(quote, 1);
    // Only a comment may follow the closing quote; anything else is a typo worth reporting.
    if (end < 0 || !/^\s*(#.*)?$/.test(value.slice(end + 1))) return undefined;
    const inner = value.slice(1, end);
    return quote === '"' ? inner.replace(/\\n/g, '\n') : inner;
  }
  // A '#' starts a comment only after whitespace, so passwords like `pa#ss` survive.
  return value.replace(/\s+#.*$/, '').trim();
}

/** A missing file is normal (the file is optional); any other read error is a problem. */
export function readEnvFile(path: string): EnvFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { values: {}, problems: [] };
    return { values: {}, problems: [`${path}: cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`] };
  }
  return parseEnvFile(text, path);
}
