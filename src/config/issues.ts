import type { core } from 'zod';

/**
 * A zod issue as a short phrase that fits after "NAME: ". Built from the issue's code and
 * limits only, never from its input, so it is safe for secret variables and flags.
 * Custom issues (our own parsers) are already phrased that way and pass through.
 */
export function issueMessage(issue: core.$ZodIssue): string {
  const entry = issue.path.find((p) => typeof p === 'number');
  const prefix = entry === undefined ? '' : `entry #${entry + 1} `;
  return prefix + describe(issue);
}

function describe(issue: core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.expected === 'int') return 'must be an integer';
      return `must be ${/^[aeiou]/.test(issue.expected) ? 'an' : 'a'} ${issue.expected}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map(String).join(', ')}`;
    case 'too_small':
      return limit(issue.origin, issue.inclusive ? 'at least' : 'more than', issue.minimum);
    case 'too_big':
      return limit(issue.origin, issue.inclusive ? 'at most' : 'less than', issue.maximum);
    default:
      return issue.message;
  }
}

function limit(origin: string, relation: string, bound: number | bigint): string {
  if (origin === 'string') return `must have ${relation} ${bound} characters`;
  if (origin === 'array' || origin === 'set') return `must have ${relation} ${bound} entries`;
  return `must be ${relation === 'more than' ? 'greater than' : relation} ${bound}`;
}
