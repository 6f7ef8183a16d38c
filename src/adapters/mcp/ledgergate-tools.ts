/**
 * The MCP tools agents call. Queries go through the same QueryService as REST (channel `mcp`), so
 * analysis, policy, approvals, the saga and the log are the same; catalog tools show only what the
 * caller's policy lets it read.
 */
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import type { CallerContext, QueryService } from '../../app/query-service.js';
import type { PolicyHolder } from '../../app/policy-holder.js';
import { isLedgergateError, LedgergateError } from '../../domain/errors.js';
import type { Catalog, TableRef, Logger } from '../../domain/ports.js';
import { describeColumns, qualifiedName, readAccessOf } from '../../app/catalog-access.js';
import { createArgumentValidator, toolInputSchemas, type ToolName } from './tool-inputs.js';
import { errorResult, jsonResult, queryResult } from './tool-results.js';

export interface LedgergateTools {
  list(): Tool[];
  call(name: string, args: unknown, caller: CallerContext): Promise<CallToolResult>;
}

export interface LedgergateToolsDeps {
  readonly queries: QueryService;
  readonly policies: PolicyHolder;
  readonly catalog: Catalog;
  /** The warehouse's project: the one the catalog tools describe. */
  readonly projectId: string;
  /** Longest wait a tool call may ask for; keep it under the MCP client's request timeout (60 s by default). */
  readonly maxWaitSeconds: number;
  readonly logger: Logger;
}

const descriptions: Record<ToolName, string> = {
  run_query:
    'Run GoogleSQL (BigQuery) through the ledgergate policy. Returns rows (protected columns masked), or the pending-approval ' +
    'state (query id, approver groups, expiry) when a person must approve it first: then call get_query with the id and a wait. ' +
    'A request the policy denies comes back as an error naming the rule.',
  get_query: 'The state of a query run_query started: rows once it succeeded; with wait, waits up to that many seconds for it to finish.',
  list_datasets: 'Datasets that hold tables you may query.',
  list_tables: 'Tables of a dataset that you may query, with access "allow" (runs directly) or "approve" (needs a person\'s approval).',
  describe_table: 'Columns of a table with their types; columns the policy masks carry "masked": the mask rule applied to them in results.',
};

export function createLedgergateTools(deps: LedgergateToolsDeps): LedgergateTools {
  const { queries, policies, catalog, projectId, maxWaitSeconds, logger } = deps;
  const schemas = toolInputSchemas(maxWaitSeconds);
  const validator = createArgumentValidator();
  const defaultPollWait = Math.min(30, maxWaitSeconds);

  const visibleTables = async (caller: CallerContext, dataset: string): Promise<{ ref: TableRef; access: string }[]> => {
    const policy = policies.current();
    const refs = await catalog.listTables(dataset);
    return refs
      .map((ref) => ({ ref, access: readAccessOf(policy, caller.principal.groups, ref) }))
      .filter(({ access }) => access !== 'deny');
  };

  const handlers: { [N in ToolName]: (args: unknown, caller: CallerContext) => Promise<CallToolResult> } = {
    async run_query(args, caller) {
      const input = validator.parse(schemas.run_query, args);
      const view = await queries.submit(caller, {
        sql: input.sql,
        channel: 'mcp',
        ...(input.reason !== undefined ? { reason: input.reason } : {}),
        ...(input.maxRows !== undefined ? { maxRows: input.maxRows } : {}),
        // Without a wait the service answers as REST does: an allowed query waits the default time, a pending one returns at once.
        ...(input.wait !== undefined ? { waitSeconds: Math.min(input.wait, maxWaitSeconds) } : {}),
      });
      return queryResult(view, defaultPollWait);
    },

    async get_query(args, caller) {
      const input = validator.parse(schemas.get_query, args);
      const view = await queries.get(caller, input.id, Math.min(input.wait ?? 0, maxWaitSeconds));
      return queryResult(view, defaultPollWait);
    },

    async list_datasets(args, caller) {
      validator.parse(schemas.list_datasets, args);
      const datasets = await catalog.listDatasets();
      const visible: string[] = [];
      for (const dataset of datasets) if ((await visibleTables(caller, dataset)).length > 0) visible.push(dataset);
      return jsonResult({ project: projectId, datasets: visible });
    },

    async list_tables(args, caller) {
      const input = validator.parse(schemas.list_tables, args);
      const tables = await visibleTables(caller, input.dataset);
      return jsonResult({
        project: projectId,
        dataset: input.dataset,
        tables: tables.map(({ ref, access }) => ({ table: ref.table, name: qualifiedName(ref), access })),
      });
    },

    async describe_table(args, caller) {
      const input = validator.parse(schemas.describe_table, args);
      const policy = policies.current();
      const ref: TableRef = { project: projectId, dataset: input.dataset, table: input.table };
      const notVisible = () => new LedgergateError('not_found', `No table ${qualifiedName(ref)} visible to you`);
      // Judge before looking the table up, so a denied name answers exactly like a missing one.
      if (readAccessOf(policy, caller.principal.groups, ref) === 'deny') throw notVisible();
      const schema = await catalog.getTable(ref);
      if (!schema) throw notVisible();
      const access = readAccessOf(policy, caller.principal.groups, schema.table, schema.numBytes ?? 0);
      return jsonResult({
        name: qualifiedName(schema.table),
        access,
        columns: describeColumns(policy, schema.table, schema.columns),
        ...(schema.numBytes !== undefined ? { numBytes: schema.numBytes } : {}),
      });
    },
  };

  return {
    list: () =>
      (Object.keys(handlers) as ToolName[]).map((name) => ({
        name,
        description: descriptions[name],
        inputSchema: JSON.parse(JSON.stringify(schemas[name])) as Tool['inputSchema'],
        annotations: { readOnlyHint: name !== 'run_query', openWorldHint: false },
      })),

    async call(name, args, caller) {
      const handler = (handlers as Record<string, (typeof handlers)[ToolName] | undefined>)[name];
      if (!handler || !Object.hasOwn(handlers, name)) return errorResult(new LedgergateError('invalid_request', `No tool named ${name}`));
      try {
        return await handler(args, caller);
      } catch (error) {
        if (!isLedgergateError(error)) logger.error('mcp tool failed', { tool: name, error: error instanceof Error ? error.stack : String(error) });
        return errorResult(error);
      }
    },
  };
}
