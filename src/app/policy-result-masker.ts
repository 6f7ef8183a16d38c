/**
 * Masks a warehouse result with the policy in force: column rules along the analysis's lineage,
 * then the content detectors. Table columns come from the catalog so unknown lineage can presume
 * every column of every referenced table (fail closed).
 */
import { applyMasking, planMasking, resultHash } from '../domain/masking/index.js';
import type { Catalog, MaskedResult, ResultMasker } from '../domain/ports.js';
import { tableRefOf } from './table-ref.js';


export function createPolicyResultMasker(deps: { catalog: Catalog; hmacKey: string }): ResultMasker {
  return {
    async mask({ analysis, result, policy }): Promise<MaskedResult> {
      const columnsByTable = new Map<string, readonly string[] | undefined>();
      await Promise.all(
        analysis.tables.map(async (table) => {
          const ref = tableRefOf(table);
          const schema = ref ? await deps.catalog.getTable(ref).catch(() => undefined) : undefined;
          columnsByTable.set(table.toLowerCase(), schema?.columns.map((c) => c.name));
        }),
      );
      const plan = planMasking({
        analysis,
        resultColumns: result.columns,
        columnRules: policy.masking.columns,
        tableColumns: (table) => columnsByTable.get(table.toLowerCase()),
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
