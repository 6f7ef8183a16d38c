/** LEDGERGATE_WAREHOUSE=postgres://… and the PostgreSQL settings: accepted, refused by name, never echoed. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../../src/config.js';
import { toLedgergateError } from '../../../src/adapters/warehouse/postgres-errors.js';

describe('PostgreSQL settings', () => {
  it('selects a PostgreSQL target with its pool size', () => {
    const config = loadConfig({ LEDGERGATE_WAREHOUSE: 'postgres://agent:secret@db.internal:5432/crm?sslmode=require', LEDGERGATE_POSTGRES_POOL_SIZE: '3' });
    assert.deepEqual(config.warehouse, { kind: 'postgres', connectionString: 'postgres://agent:secret@db.internal:5432/crm?sslmode=require', poolSize: 3 });
    assert.equal(loadConfig({ LEDGERGATE_WAREHOUSE: 'postgresql://db/crm' }).warehouse.kind, 'postgres');
  });

  it('refuses a bad URL or pool size naming the setting, without echoing the URL (it may hold a password)', () => {
    assert.throws(() => loadConfig({ LEDGERGATE_WAREHOUSE: 'postgres://agent:s3cret@[bad' }), (error: Error) => /LEDGERGATE_WAREHOUSE/.test(error.message) && !error.message.includes('s3cret'));
    assert.throws(() => loadConfig({ LEDGERGATE_WAREHOUSE: 'postgress://agent:s3cret@db/crm' }), (error: Error) => /LEDGERGATE_WAREHOUSE/.test(error.message) && !error.message.includes('s3cret'));
    assert.throws(() => loadConfig({ LEDGERGATE_WAREHOUSE: 'postgres://db/crm', LEDGERGATE_POSTGRES_POOL_SIZE: '0' }), /LEDGERGATE_POSTGRES_POOL_SIZE/);
  });

  it('reads the EXTERNAL_QUERY PostgreSQL connections as a list, empty by default', () => {
    assert.deepEqual(loadConfig({}).externalQueryPostgres, []);
    assert.deepEqual(loadConfig({ LEDGERGATE_EXTERNAL_QUERY_POSTGRES: 'p.us.crm, p.eu.billing' }).externalQueryPostgres, ['p.us.crm', 'p.eu.billing']);
  });

  it('tells PostgreSQL errors by SQLSTATE, never echoing a data error', () => {
    const dataError = toLedgergateError(Object.assign(new Error('invalid input syntax for type integer: "123-45-6789"'), { code: '22P02' }));
    assert.equal(dataError.code, 'query_failed');
    assert.doesNotMatch(dataError.message, /123-45-6789/);
    const planning = toLedgergateError(Object.assign(new Error(`column "ssn_x" does not exist`), { code: '42703' }));
    assert.equal(planning.code, 'query_invalid');
    assert.match(planning.message, /ssn_x/);
    const literal = toLedgergateError(Object.assign(new Error(`syntax error at or near "'123-45-6789'"`), { code: '42601' }));
    assert.doesNotMatch(literal.message, /123-45-6789/);
    assert.equal(toLedgergateError(Object.assign(new Error('password authentication failed for user "agent"'), { code: '28P01' })).code, 'warehouse_unavailable');
    assert.equal(toLedgergateError(new Error('connect ECONNREFUSED 127.0.0.1:5432')).code, 'warehouse_unavailable');
  });
});
