/**
 * datasets.list/get and tables.list/get, filtered by policy as the MCP catalog tools are: only tables a
 * plain read of which the policy would not deny, datasets that hold at least one of them, and masked
 * columns typed STRING (their cells are the mask's text). A hidden table answers exactly as a missing
 * one (404 notFound), so names cannot be probed. Shapes: BigQuery REST reference (Dataset, DatasetList,
 * Table, TableList).
 */
import { Router, type Request, type Response } from 'express';
import type { PolicyHolder } from '../../../app/policy-holder.js';
import type { Catalog, ColumnSchema, TableRef } from '../../../domain/ports.js';
import { describeColumns, readAccessOf, type DescribedColumn } from '../../../app/catalog-access.js';
import { principalOf } from '../authenticate.js';
import { BigQueryApiError } from './errors.js';
import { jobLocation } from './job-resource.js';
import { pageOf } from './paging.js';
import { wireFieldOf, withStringLeaves, type WireField } from './wire-values.js';

/** Masked columns typed STRING at every leaf, as results deliver them (see wire-values). */
function wireColumns(columns: readonly DescribedColumn[]): WireField[] {
  return columns.map((column) => {
    const field = wireFieldOf(column.name, column.type);
    const mode = column.mode === 'REPEATED' ? 'REPEATED' : field.mode;
    const shaped: WireField = column.fields?.length ? { ...field, type: 'RECORD', mode, fields: wireColumns(column.fields) } : { ...field, mode };
    return column.masked ? withStringLeaves(shaped) : shaped;
  });
}

export function catalogRoutes(deps: { catalog: Catalog; policies: PolicyHolder; projectId: string }): Router {
  const { catalog, policies, projectId } = deps;
  const router = Router({ mergeParams: true });

  const visibleTables = async (groups: readonly string[], dataset: string): Promise<TableRef[]> => {
    const policy = policies.current();
    const refs = await catalog.listTables(dataset).catch(() => [] as TableRef[]);
    return refs.filter((ref) => readAccessOf(policy, groups, ref) !== 'deny');
  };
  const groupsOf = (res: Response) => principalOf(res).groups;
  const datasetParam = (req: Request): string => String(req.params.datasetId ?? '');
  const datasetReference = (datasetId: string) => ({ projectId, datasetId });
  const notFoundDataset = (datasetId: string) => new BigQueryApiError(404, 'notFound', `Not found: Dataset ${projectId}:${datasetId}`);

  router.get('/datasets', async (req, res) => {
    const visible: string[] = [];
    for (const dataset of await catalog.listDatasets()) if ((await visibleTables(groupsOf(res), dataset)).length > 0) visible.push(dataset);
    const page = pageOf(visible, req.query);
    res.json({
      kind: 'bigquery#datasetList',
      datasets: page.items.map((datasetId) => ({ kind: 'bigquery#dataset', id: `${projectId}:${datasetId}`, datasetReference: datasetReference(datasetId), location: jobLocation })),
      ...(page.nextPageToken ? { nextPageToken: page.nextPageToken } : {}),
    });
  });

  router.get('/datasets/:datasetId', async (req, res) => {
    const datasetId = datasetParam(req);
    if ((await visibleTables(groupsOf(res), datasetId)).length === 0) throw notFoundDataset(datasetId);
    res.json({ kind: 'bigquery#dataset', id: `${projectId}:${datasetId}`, datasetReference: datasetReference(datasetId), location: jobLocation, type: 'DEFAULT' });
  });

  router.get('/datasets/:datasetId/tables', async (req, res) => {
    const datasetId = datasetParam(req);
    const tables = await visibleTables(groupsOf(res), datasetId);
    if (tables.length === 0) throw notFoundDataset(datasetId);
    const page = pageOf(tables, req.query);
    res.json({
      kind: 'bigquery#tableList',
      tables: page.items.map((ref) => ({
        kind: 'bigquery#table',
        id: `${ref.project}:${ref.dataset}.${ref.table}`,
        tableReference: { projectId: ref.project, datasetId: ref.dataset, tableId: ref.table },
        type: 'TABLE',
      })),
      totalItems: tables.length,
      ...(page.nextPageToken ? { nextPageToken: page.nextPageToken } : {}),
    });
  });

  router.get('/datasets/:datasetId/tables/:tableId', async (req, res) => {
    const ref: TableRef = { project: projectId, dataset: datasetParam(req), table: String(req.params.tableId ?? '') };
    const notFound = new BigQueryApiError(404, 'notFound', `Not found: Table ${ref.project}:${ref.dataset}.${ref.table}`);
    const policy = policies.current();
    // Judged before the lookup, so a denied name answers exactly like a missing one.
    if (readAccessOf(policy, groupsOf(res), ref) === 'deny') throw notFound;
    const schema = await catalog.getTable(ref);
    if (!schema) throw notFound;
    const columns: readonly ColumnSchema[] = schema.columns;
    res.json({
      kind: 'bigquery#table',
      id: `${schema.table.project}:${schema.table.dataset}.${schema.table.table}`,
      tableReference: { projectId: schema.table.project, datasetId: schema.table.dataset, tableId: schema.table.table },
      schema: { fields: wireColumns(describeColumns(policy, schema.table, columns)) },
      ...(schema.numBytes !== undefined ? { numBytes: String(schema.numBytes) } : {}),
      type: 'TABLE',
      location: jobLocation,
    });
  });

  return router;
}
