/**
 * Masks a warehouse result with the policy in force: column rules along the analysis's lineage,
 * then the content detectors. Table columns come from the catalog so unknown lineage can presume
 * every column of every referenced table (fail closed).
 */
import { applyMasking, planMasking, resultHash } from '../domain/masking/index.js';
import type { OutputColumn } from '../domain/analysis/types.js';
import type { Catalog, ExecutedSql, MaskedResult, ResultMasker, TableSchema } from '../domain/ports.js';
import { tableRefOf } from './table-ref.js';


/**
 * Lineage of the SQL a warehouse ran instead of the agent's (see adapters/analysis/executed-lineage);
 * asynchronous when the parser runs in a worker thread.
 */
export type ExecutedLineage = (
  executed: ExecutedSql,
  tables: readonly TableSchema[],
) => OutputColumn[] | undefined | Promise<OutputColumn[] | undefined>;

export function createPolicyResultMasker(deps: { catalog: Catalog; hmacKey: string; executedLineage?: ExecutedLineage }): ResultMasker {
  return {
    async mask({ analysis, result, policy }): Promise<MaskedResult> {
      const columnsByTable = new Map<string, readonly string[] | undefined>();
      const schemas: TableSchema[] = [];
      await Promise.all(
        analysis.tables.map(async (table) => {
          const ref = tableRefOf(table);
          const schema = ref ? await deps.catalog.getTable(ref).catch(() => undefined) : undefined;
          columnsByTable.set(table.toLowerCase(), schema?.columns.map((c) => c.name));
          if (schema) schemas.push(schema);
        }),
      );
      // What ran, when it is not what was analysed; without a way to read it, nothing it did is trusted.
      // A lineage that fails (a stopped worker) is one that cannot be read: null, trust nothing.
      const executedOutputs =
        result.executed === undefined ? undefined : ((await readExecutedLineage(deps.executedLineage, result.executed, schemas)) ?? null);
      const plan = planMasking({
        analysis,
        resultColumns: result.columns,
        columnRules: policy.masking.columns,
        tableColumns: (table) => columnsByTable.get(table.toLowerCase()),
        executedOutputs,
      });
      const masked = applyMasking(plan, result.rows, { detectors: policy.masking.detectors, hmacKey: deps.hmacKey });
      return {
        columns: masked.columns.map((c) => ({ ...c })),
        rows: masked.rows,
        maskedColumns: masked.report.maskedColumns.map((c) => ({ ...c, sources: [...c.sources] })),
        detectorHits: masked.report.detectorHits.map((h) => ({ ...h })),
        resultHash: resultHash(masked.columns, masked.rows),
      };
    },
  };
}

async function readExecutedLineage(
  lineage: ExecutedLineage | undefined,
  executed: ExecutedSql,
  schemas: readonly TableSchema[],
): Promise<OutputColumn[] | undefined> {
  try {
    return await lineage?.(executed, schemas);
  } catch {
    return undefined;
  }
}
