/** Turns ajv's errors into messages a policy author can act on, each with its path and position. */
import type { ErrorObject } from 'ajv';
import type { PolicyError } from './types.js';
import { pointerOf, type Locate } from './source-locations.js';

function closest(word: string, candidates: readonly string[]): string | undefined {
  const distance = (a: string, b: string): number => {
    const previous = Array.from({ length: b.length + 1 }, (_, index) => index);
    for (let i = 1; i <= a.length; i += 1) {
      let diagonal = previous[0];
      previous[0] = i;
      for (let j = 1; j <= b.length; j += 1) {
        const above = previous[j];
        previous[j] = Math.min(previous[j] + 1, previous[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
        diagonal = above;
      }
    }
    return previous[b.length];
  };
  const ranked = candidates
    .map((candidate) => ({ candidate, score: distance(word.toLowerCase(), candidate.toLowerCase()) }))
    .sort((x, y) => x.score - y.score);
  const best = ranked[0];
  return best && best.score <= Math.max(1, Math.floor(word.length / 3)) ? best.candidate : undefined;
}

function allowedKeys(error: ErrorObject): string[] {
  const properties = (error.parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties;
  return properties ? Object.keys(properties) : [];
}

const typeNames: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  integer: 'a whole number',
  object: 'a mapping (key: value)',
  array: 'a list',
  boolean: 'true or false',
};

function describeType(type: unknown): string {
  const types = Array.isArray(type) ? type : [type];
  return types.map((name) => typeNames[String(name)] ?? String(name)).join(' or ');
}

function child(path: string, key: string | number): string {
  return path + pointerOf([key]);
}

interface Described {
  readonly path: string;
  readonly message: string;
  readonly target?: 'value' | 'key';
}

function describe(error: ErrorObject): Described {
  const path = error.instancePath;
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const allowed = allowedKeys(error);
      const suggestion = closest(key, allowed);
      const hint = suggestion ? ` (did you mean "${suggestion}"?)` : allowed.length ? ` (allowed: ${allowed.join(', ')})` : '';
      return { path: child(path, key), message: `unknown key "${key}"${hint}`, target: 'key' };
    }
    case 'required': {
      const key = String(params.missingProperty);
      const hint = key === 'match' ? '; write "match: {}" to match every statement' : '';
      return { path: child(path, key), message: `missing required key "${key}"${hint}` };
    }
    case 'enum': {
      const allowedValues = (params.allowedValues as unknown[]).map(String);
      const allowed = allowedValues.join(', ');
      if (error.data === null) {
        // YAML reads a bare `null` (or nothing) as no value at all.
        const hint = allowedValues.includes('null') ? '; write "null" in quotes for the null rule' : '';
        return { path, message: `is empty; must be one of: ${allowed}${hint}` };
      }
      return { path, message: `${JSON.stringify(error.data)} is not one of: ${allowed}` };
    }
    case 'const':
      return { path, message: `must be ${JSON.stringify(params.allowedValue)}` };
    case 'type':
      return { path, message: `must be ${describeType(params.type)}` };
    case 'minItems':
      return { path, message: Number(params.limit) === 1 ? 'must list at least one item' : `must list at least ${String(params.limit)} items` };
    case 'minLength':
      return { path, message: 'must not be empty' };
    case 'minProperties':
      return { path, message: `must set at least one of: ${allowedKeys(error).join(', ')}` };
    case 'uniqueItems': {
      const later = Math.max(Number(params.i), Number(params.j));
      const data = error.data as unknown[];
      return { path: child(path, later), message: `${JSON.stringify(data[later])} is listed twice` };
    }
    case 'minimum':
      return { path, message: `must be at least ${String(params.limit)}` };
    case 'pattern':
      return { path, message: 'must start with a letter or digit and contain only letters, digits, ".", "_" and "-"' };
    default:
      return { path, message: error.message ?? `fails ${error.keyword}` };
  }
}

export function schemaErrors(errors: readonly ErrorObject[], locate: Locate): PolicyError[] {
  const seen = new Set<string>();
  const result: PolicyError[] = [];
  for (const error of errors) {
    const described = describe(error);
    const key = `${described.path}\u0000${described.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const position = locate(described.path, described.target);
    result.push({ message: described.message, path: described.path, line: position.line, column: position.column });
  }
  return result;
}
