/** LEDGERGATE_BIGQUERY_AUTH=none is a testing/emulator setting: accepted only for a local endpoint. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../../src/config.js';

const base = { LEDGERGATE_WAREHOUSE: 'bigquery:demo-project' };

describe('LEDGERGATE_BIGQUERY_AUTH', () => {
  it('none with an endpoint on 127.0.0.1 or localhost selects no credentials', () => {
    for (const endpoint of ['http://127.0.0.1:9050', 'http://localhost:9050/', 'http://[::1]:9050']) {
      const config = loadConfig({ ...base, LEDGERGATE_BIGQUERY_ENDPOINT: endpoint, LEDGERGATE_BIGQUERY_AUTH: 'none' });
      assert.equal(config.warehouse.kind === 'bigquery' && config.warehouse.auth, 'none', endpoint);
    }
  });

  it('is refused without an endpoint or with a remote one, naming the setting', () => {
    for (const endpoint of [undefined, 'https://bigquery.googleapis.com', 'http://127.0.0.1.evil.example:80', 'http://localhost.example.com']) {
      assert.throws(
        () => loadConfig({ ...base, ...(endpoint ? { LEDGERGATE_BIGQUERY_ENDPOINT: endpoint } : {}), LEDGERGATE_BIGQUERY_AUTH: 'none' }),
        /LEDGERGATE_BIGQUERY_AUTH: none is only allowed/,
        String(endpoint),
      );
    }
    assert.throws(() => loadConfig({ ...base, LEDGERGATE_BIGQUERY_AUTH: 'anonymous' }), /LEDGERGATE_BIGQUERY_AUTH: must be default or none/);
  });

  it('defaults to real credentials (no auth field)', () => {
    const config = loadConfig({ ...base, LEDGERGATE_BIGQUERY_ENDPOINT: 'http://127.0.0.1:9050' });
    assert.equal(config.warehouse.kind === 'bigquery' && config.warehouse.auth, undefined);
  });
});
