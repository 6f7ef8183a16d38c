/** Hand-built analyses and parsed policies for the policy tests. */
import assert from 'node:assert/strict';
import type { AnalysedStatement, Analysis, SourceColumn, StatementKind } from '../../../src/domain/analysis/types.js';
import { parsePolicy } from '../../../src/domain/policy/parse.js';
import type { Policy, PolicyError } from '../../../src/domain/policy/types.js';

export interface StatementSpec {
  readonly kind?: StatementKind;
  readonly kinds?: readonly StatementKind[];
  readonly tables?: readonly string[];
  readonly filterColumns?: readonly SourceColumn[];
  readonly joinColumns?: readonly SourceColumn[];
  readonly groupColumns?: readonly SourceColumn[];
  readonly orderColumns?: readonly SourceColumn[];
  readonly unparsed?: boolean;
  readonly dynamicSql?: boolean;
  readonly scripting?: boolean;
}

export function statement(spec: StatementSpec = {}): AnalysedStatement {
  const kind = spec.kind ?? 'select';
  return {
    kind,
    kinds: spec.kinds ?? [kind],
    tables: spec.tables ?? [],
    writtenTables: [],
    outputColumns: [],
    filterColumns: spec.filterColumns ?? [],
    joinColumns: spec.joinColumns ?? [],
    groupColumns: spec.groupColumns ?? [],
    orderColumns: spec.orderColumns ?? [],
    flags: {
      scripting: spec.scripting ?? false,
      dynamicSql: spec.dynamicSql ?? false,
      unparsed: spec.unparsed ?? false,
      lineageIncomplete: false,
    },
    text: '-- built by hand',
  };
}

export function analysis(statements: readonly AnalysedStatement[], bytesEstimate?: number): Analysis {
  return {
    statements,
    tables: [...new Set(statements.flatMap((each) => each.tables))],
    kinds: [...new Set(statements.flatMap((each) => each.kinds))],
    ...(bytesEstimate === undefined ? {} : { bytesEstimate }),
  };
}

export function policyFrom(text: string): Policy {
  const result = parsePolicy(text);
  if (!result.ok) assert.fail(`policy should parse: ${JSON.stringify(result.errors)}`);
  return result.policy;
}

export function errorsOf(text: string): readonly PolicyError[] {
  const result = parsePolicy(text);
  if (result.ok) assert.fail('policy should not parse');
  return result.errors;
}

/** Joins lines so YAML fixtures keep their exact line numbers visible in the test source. */
export const yaml = (...lines: string[]): string => `${lines.join('\n')}\n`;
