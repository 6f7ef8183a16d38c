/**
 * Maps a JSON Pointer inside the policy back to a line and column of the YAML text, so every error
 * can say where the author has to look.
 */
import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter, type Node, type Pair } from 'yaml';

export interface SourcePosition {
  readonly line: number;
  readonly column: number;
}

export type Locate = (path: string, target?: 'value' | 'key') => SourcePosition;

export function pointerSegments(path: string): string[] {
  if (path === '' || path === '/') return [];
  return path
    .slice(1)
    .split('/')
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));
}

export function pointerOf(segments: readonly (string | number)[]): string {
  return segments.map((segment) => `/${String(segment).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

/** Converts a text offset to a 1-based line and column. */
export function positionAt(lineCounter: LineCounter, offset: number): SourcePosition {
  const { line, col } = lineCounter.linePos(offset);
  return line === 0 ? { line: 1, column: offset + 1 } : { line, column: col };
}

interface Step {
  readonly node: Node;
  readonly pair?: Pair;
}

function child(document: Document, node: Node, segment: string): Step | undefined {
  const resolved = isAlias(node) ? node.resolve(document) : node;
  if (isMap(resolved)) {
    const pair = resolved.items.find((item) => {
      const key: unknown = item.key;
      return String(isScalar(key) ? key.value : key) === segment;
    });
    if (!pair) return undefined;
    const value = pair.value as Node | null;
    return { node: value ?? (pair.key as Node), pair };
  }
  if (isSeq(resolved) && /^\d+$/.test(segment)) {
    const item = resolved.items[Number(segment)] as Node | undefined;
    return item ? { node: item } : undefined;
  }
  return undefined;
}

/**
 * Finds the node at `path` (or the deepest ancestor that exists, for missing keys) and returns where
 * it starts; `target: 'key'` points at the key of the last step instead of its value.
 */
export function locator(document: Document, lineCounter: LineCounter): Locate {
  return (path, target = 'value') => {
    const root = document.contents as Node | null;
    if (!root) return { line: 1, column: 1 };
    let step: Step = { node: root };
    for (const segment of pointerSegments(path)) {
      const next = child(document, step.node, segment);
      if (!next) break;
      step = next;
    }
    const keyNode = target === 'key' ? (step.pair?.key as Node | undefined) : undefined;
    const offset = (keyNode ?? step.node).range?.[0] ?? 0;
    return positionAt(lineCounter, offset);
  };
}
