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
 * Depth-first visit of every object in the tree. Iterative so that a deeply nested statement cannot
 * overflow the stack.
 */
export function visitTree(root: unknown, visit: (value: Payload, context: VisitContext) => VisitAnswer): void {
  const stack: { value: unknown; context: VisitContext }[] = [{ value: root, context: { parent: undefined } }];
  while (stack.length > 0) {
    const { value, context } = stack.pop()!;
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], context });
      continue;
    }
    if (!isRecord(value)) continue;
    const answer = visit(value, context);
    if (answer === false) continue;
    const skip = typeof answer === 'object' ? answer.skip : [];
    const node = nodeOf(value);
    const childContext = node ? { parent: node.type } : context;
    const children = node && isRecord(node.payload) ? node.payload : node ? { payload: node.payload } : value;
    const entries = Object.entries(children);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, child] = entries[i] as [string, unknown];
      if (key === 'span' || key.endsWith('comments') || skip.includes(key)) continue;
      stack.push({ value: child, context: childContext });
    }
  }
}
