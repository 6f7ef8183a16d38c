/** The masking step between the warehouse and the agent, as the saga sees it. */
import type { Analysis } from '../domain/analysis/types.js';
import type { ColumnDescription, ResultMasked } from '../domain/events/index.js';
import type { Policy } from '../domain/policy/types.js';
import type { CellValue, QueryResult } from '../domain/ports.js';

export interface MaskedResult {
  readonly columns: ColumnDescription[];
  readonly rows: Record<string, CellValue>[];
  readonly maskedColumns: ResultMasked['maskedColumns'];
  readonly detectorHits: ResultMasked['detectorHits'];
  readonly resultHash: string;
}

export interface ResultMasker {
  mask(input: { analysis: Analysis; result: QueryResult; policy: Policy }): Promise<MaskedResult>;
}
