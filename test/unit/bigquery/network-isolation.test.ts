/**
 * The adapter talks to its apiEndpoint and nothing else: no metadata-server probe, no token
 * endpoint. Every outgoing socket is recorded; a sentinel stands in for the metadata server.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import dc from 'node:diagnostics_channel';
import { createServer, type Server } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo, Socket } from 'node:net';
import { openBigQueryWarehouse } from '../../../src/adapters/warehouse/bigquery-warehouse.js';
import { startHarness, type Harness } from '../../support/fake-bigquery/harness.js';
import { PROJECT } from '../../support/fake-bigquery/fixtures.js';

const destinations: string[] = [];
const recordSocket = (message: unknown): void => {
  const { socket } = message as { socket: Socket };
  socket.once('connect', () => destinations.push(`${socket.remoteAddress}:${socket.remotePort}`));
  socket.once('error', (error: Error & { address?: string; port?: number }) => destinations.push(`${error.address ?? '?'}:${error.port ?? '?'}`));
};

describe('BigQuery adapter network isolation', () => {
  let sentinel: Server;
  let sentinelHits = 0;
  let h: Harness;

  before(async () => {
    sentinel = createServer((_req, res) => {
      sentinelHits += 1;
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => sentinel.listen(0, '127.0.0.1', () => resolve()));
    process.env.GCE_METADATA_HOST = `127.0.0.1:${(sentinel.address() as AddressInfo).port}`;
    process.env.CLOUDSDK_CONFIG = mkdtempSync(join(tmpdir(), 'lg-no-gcloud-'));
    delete process.env.GOOGLE_APPLICATION_CREDENTIALS;
    dc.subscribe('net.client.socket', recordSocket);
    h = await startHarness();
  });

  after(async () => {
    dc.unsubscribe('net.client.socket', recordSocket);
    await h.close();
    await new Promise<void>((resolve) => sentinel.close(() => resolve()));
  });

  it('sends every request of a full workload to the fake and none elsewhere', async () => {
    destinations.length = 0;
    await h.warehouse.dryRun!('SELECT * FROM sales.orders');
    await h.warehouse.execute({ jobId: 'iso_1', sql: 'SELECT * FROM sales.orders', maxRows: 5, maxResultBytes: 100_000, timeoutMs: 5_000 });
    await h.warehouse.getJob('iso_1');
    await h.warehouse.listDatasets();
    await h.warehouse.listTables('sales');
    await h.warehouse.getTable({ project: PROJECT, dataset: 'sales', table: 'orders' });
    assert.ok(destinations.length > 0, 'sockets were observed');
    assert.deepEqual([...new Set(destinations)], [`127.0.0.1:${h.fake.port}`]);
    assert.equal(sentinelHits, 0);
    assert.ok(h.fake.requests.every((r) => r.authorization === 'Bearer fake-token'));
  });

  it('would notice a probe: without an explicit auth client the client goes looking for the metadata server', async () => {
    destinations.length = 0;
    const unauthenticated = await openBigQueryWarehouse({ projectId: PROJECT, apiEndpoint: h.fake.url, retry: { maxRetries: 0 } });
    await unauthenticated.listDatasets().catch(() => undefined);
    assert.ok(sentinelHits > 0, 'Application Default Credentials probed the (sentinel) metadata server');
    assert.ok(destinations.some((d) => d !== `127.0.0.1:${h.fake.port}`));
  });
});
