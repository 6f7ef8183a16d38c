/**
 * Reading polyglot's AST without trusting its exact shape: a node is an object with exactly one key
 * (its type); everything else is a payload struct or a list. Readers return undefined on any surprise.
 */
import type { AstNode } from './polyglot-sdk.js';

export type Payload = Record<string, unknown>;

export function isRecord(value: unknown): value is Payload {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The node's type and payload, or undefined when the value is not a one-key node. */
export function nodeOf(value: unknown): { type: string; payload: unknown } | undefined {
  if (!isRecord(value)) return undefined;
  const keys = Object.keys(value);
  if (keys.length !== 1) return undefined;
  const type = keys[0] as string;
  return { type, payload: value[type] };
}

export function statementType(node: AstNode): string {
  return nodeOf(node)?.type ?? '';
}

/** An identifier's text: polyglot writes `{ name, quoted }`, sometimes wrapped as `{ identifier: … }`. */
export function identifierText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (!isRecord(value)) return undefined;
  if (typeof value.name === 'string') return value.name;
  const node = nodeOf(value);
  return node ? identifierText(node.payload) : undefined;
}

export function isQuoted(value: unknown): boolean {
  return isRecord(value) && value.quoted === true;
}

export interface VisitContext {
  /** Type of the nearest node enclosing this value (only the parent: copying whole ancestor lists per node made walks quadratic). */
  readonly parent: string | undefined;
}

/** What a visitor answers: false skips the whole subtree; `skip` names payload fields not to enter. */
export type VisitAnswer = boolean | void | { readonly skip: readonly string[] };

/**
 * Depth-first visit of every object in the tree, in document order. Iterative so that a deeply nested
 * statement cannot overflow the stack. It runs several times per statement on the hot path, so it
 * keeps two parallel stacks instead of an object per entry, never pushes scalars (most of the tree),
 * and hands every visit the same context object: visitors read it during the call and never keep it.
 */
export function visitTree(root: unknown, visit: (value: Payload, context: VisitContext) => VisitAnswer): void {
  const values: unknown[] = [root];
  const parents: (string | undefined)[] = [undefined];
  const context: { parent: string | undefined } = { parent: undefined };
  while (values.length > 0) {
    const value = values.pop();
    const parent = parents.pop();
    if (typeof value !== 'object' || value === null) continue;
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) {
        const item: unknown = value[i];
        if (typeof item === 'object' && item !== null) {
          values.push(item);
          parents.push(parent);
        }
      }
      continue;
    }
    const record = value as Payload;
    context.parent = parent;
    const answer = visit(record, context);
    if (answer === false) continue;
    const skip = typeof answer === 'object' ? answer.skip : undefined;
    const keys = Object.keys(record);
    if (keys.length === 1) {
      // A node `{ type: payload }`: its fields are the payload's; a scalar or list payload is one child.
      const type = keys[0] as string;
      const payload = record[type];
      if (isRecord(payload)) pushFields(payload, Object.keys(payload), type, skip, values, parents);
      else if (typeof payload === 'object' && payload !== null) {
        values.push(payload);
        parents.push(type);
      }
      continue;
    }
    pushFields(record, keys, parent, skip, values, parents);
  }
}

function pushFields(
  record: Payload,
  keys: readonly string[],
  parent: string | undefined,
  skip: readonly string[] | undefined,
  values: unknown[],
  parents: (string | undefined)[],
): void {
  for (let i = keys.length - 1; i >= 0; i--) {
    const key = keys[i] as string;
    const child = record[key];
    if (typeof child !== 'object' || child === null) continue;
    if (key === 'span' || key.endsWith('comments') || (skip !== undefined && skip.includes(key))) continue;
    values.push(child);
    parents.push(parent);
  }
}
