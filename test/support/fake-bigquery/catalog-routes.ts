/** datasets.list, datasets.get, tables.list and tables.get for the fake. */
import type { ServerResponse } from 'node:http';
import { reply, replyError } from './http-kit.js';
import type { QueryEngine } from './types.js';

type Query = Readonly<Record<string, string>>;

const page = <T>(items: readonly T[], query: Query): { items: readonly T[]; nextPageToken?: string } => {
  const start = query.pageToken ? Number(Buffer.from(query.pageToken, 'base64url').toString('utf8')) : 0;
  const count = query.maxResults !== undefined ? Number(query.maxResults) : 50;
  const next = start + count;
  return {
    items: items.slice(start, next),
    ...(next < items.length ? { nextPageToken: Buffer.from(String(next)).toString('base64url') } : {}),
  };
};

export const listDatasets = (engine: QueryEngine, locationOf: (datasetId: string) => string, res: ServerResponse, project: string, query: Query): void => {
  const { items, nextPageToken } = page(engine.datasets(), query);
  reply(res, 200, {
    kind: 'bigquery#datasetList',
    etag: '"datasets"',
    datasets: items.map((datasetId) => ({
      kind: 'bigquery#dataset',
      id: `${project}:${datasetId}`,
      datasetReference: { projectId: project, datasetId },
      location: locationOf(datasetId),
    })),
    ...(nextPageToken ? { nextPageToken } : {}),
  });
};

export const getDataset = (engine: QueryEngine, location: string, res: ServerResponse, project: string, datasetId: string): void => {
  if (!engine.datasets().includes(datasetId)) {
    replyError(res, 404, `Not found: Dataset ${project}:${datasetId}`, 'notFound');
    return;
  }
  reply(res, 200, {
    kind: 'bigquery#dataset',
    id: `${project}:${datasetId}`,
    datasetReference: { projectId: project, datasetId },
    location,
    creationTime: '1700000000000',
    lastModifiedTime: '1700000000000',
  });
};

export const listTables = (engine: QueryEngine, res: ServerResponse, project: string, datasetId: string, query: Query): void => {
  if (!engine.datasets().includes(datasetId)) {
    replyError(res, 404, `Not found: Dataset ${project}:${datasetId}`, 'notFound');
    return;
  }
  const all = engine.tables(datasetId);
  const { items, nextPageToken } = page(all, query);
  reply(res, 200, {
    kind: 'bigquery#tableList',
    etag: `"${datasetId}"`,
    tables: items.map((tableId) => ({
      kind: 'bigquery#table',
      id: `${project}:${datasetId}.${tableId}`,
      tableReference: { projectId: project, datasetId, tableId },
      type: 'TABLE',
      creationTime: '1700000000000',
    })),
    totalItems: all.length,
    ...(nextPageToken ? { nextPageToken } : {}),
  });
};

export const getTable = (
  engine: QueryEngine,
  location: string,
  res: ServerResponse,
  project: string,
  datasetId: string,
  tableId: string,
): void => {
  const fields = engine.table(datasetId, tableId);
  if (!fields) {
    replyError(res, 404, `Not found: Table ${project}:${datasetId}.${tableId}`, 'notFound');
    return;
  }
  reply(res, 200, {
    kind: 'bigquery#table',
    etag: `"${datasetId}.${tableId}"`,
    id: `${project}:${datasetId}.${tableId}`,
    tableReference: { projectId: project, datasetId, tableId },
    schema: { fields },
    numBytes: '0',
    numLongTermBytes: '0',
    numRows: '0',
    creationTime: '1700000000000',
    lastModifiedTime: '1700000000000',
    type: 'TABLE',
    location,
  });
};
