/**
 * Keys that appear more than once in one object of a JSON text (at any depth). JSON.parse keeps the last of
 * duplicates silently, so a test that parses a log line cannot see them; this scanner reads the text itself.
 */
export function duplicateKeys(json: string): string[] {
  const dups: string[] = [];
  const stack: Set<string>[] = [];
  const kinds: ('{' | '[')[] = [];
  let i = 0;
  while (i < json.length) {
    const c = json[i];
    if (c === '"') {
      const end = stringEnd(json, i);
      const text = JSON.parse(json.slice(i, end + 1)) as string;
      let j = end + 1;
      while (json[j] === ' ') j += 1;
      const keys = stack[stack.length - 1];
      if (json[j] === ':' && kinds[kinds.length - 1] === '{' && keys) {
        if (keys.has(text)) dups.push(text);
        keys.add(text);
      }
      i = end + 1;
      continue;
    }
    if (c === '{' || c === '[') {
      kinds.push(c);
      stack.push(new Set());
    } else if (c === '}' || c === ']') {
      kinds.pop();
      stack.pop();
    }
    i += 1;
  }
  return dups;
}

function stringEnd(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
  return i;
}
