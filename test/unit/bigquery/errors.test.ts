import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fromJobError, scrubMessage, toLedgergateError } from '../../../src/adapters/warehouse/bigquery-errors.js';
import { LedgergateError } from '../../../src/domain/errors.js';

const apiError = (code: number | undefined, reason: string | undefined, message = 'boom') =>
  Object.assign(new Error(message), { code, errors: reason ? [{ reason, message }] : [] });

describe('BigQuery error mapping', () => {
  const table: [number | undefined, string | undefined, string][] = [
    [400, 'invalidQuery', 'query_invalid'],
    [undefined, 'invalidQuery', 'query_invalid'],
    [403, 'accessDenied', 'warehouse_permission_denied'],
    [403, 'quotaExceeded', 'warehouse_quota_exceeded'],
    [403, 'rateLimitExceeded', 'warehouse_quota_exceeded'],
    [400, 'jobRateLimitExceeded', 'warehouse_quota_exceeded'],
    [400, 'bytesBilledLimitExceeded', 'bytes_billed_exceeded'],
    [404, 'notFound', 'not_found'],
    [500, 'backendError', 'warehouse_unavailable'],
    [500, 'internalError', 'warehouse_unavailable'],
    [400, 'jobInternalError', 'warehouse_unavailable'],
    [502, undefined, 'warehouse_unavailable'],
    [504, undefined, 'warehouse_timeout'],
    [429, undefined, 'warehouse_quota_exceeded'],
    [401, undefined, 'warehouse_permission_denied'],
    [400, 'stopped', 'query_failed'],
    [undefined, 'somethingNew', 'query_failed'],
  ];
  for (const [status, reason, code] of table) {
    it(`${status ?? '-'} ${reason ?? '(no reason)'} → ${code}`, () => {
      const mapped = toLedgergateError(apiError(status, reason), 'job-1');
      assert.ok(mapped instanceof LedgergateError);
      assert.equal(mapped.code, code);
      assert.equal(mapped.details.jobId, 'job-1');
    });
  }

  it('maps connection and timeout failures', () => {
    const refused = Object.assign(new Error('request to http://127.0.0.1:9/ failed, reason: connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
    assert.equal(toLedgergateError(refused).code, 'warehouse_unavailable');
    assert.equal(toLedgergateError(Object.assign(new Error('x'), { code: 'ETIMEDOUT' })).code, 'warehouse_timeout');
    assert.equal(toLedgergateError(new Error('network timeout at: http://x')).code, 'warehouse_timeout');
    assert.equal(toLedgergateError(new Error('Could not load the default credentials.')).code, 'warehouse_permission_denied');
  });

  it('passes LedgergateErrors through untouched', () => {
    const original = new LedgergateError('warehouse_timeout', 'late');
    assert.equal(toLedgergateError(original), original);
  });

  it('strips literals, e-mails and long numbers from messages but keeps names and positions', () => {
    const scrubbed = scrubMessage(`Invalid timestamp: '2024-13-01 secret' at [3:14]; "bob" bob@corp.example 4111111111111111 in \`p.d.t\``);
    assert.equal(scrubbed, `Invalid timestamp: '…' at [3:14]; "…" …@… … in \`p.d.t\``);
    const mapped = toLedgergateError(apiError(400, 'invalidQuery', "No matching signature for 'alice@example.com' value 123456789"));
    assert.doesNotMatch(mapped.message, /alice|123456789/);
  });

  it('keeps the bytes-billed figures as details, not in the message', () => {
    const mapped = fromJobError({ reason: 'bytesBilledLimitExceeded', message: 'Query exceeded limit for bytes billed: 1000000. 10485760 or higher required.' });
    assert.equal(mapped.code, 'bytes_billed_exceeded');
    assert.deepEqual({ limit: mapped.details.maximumBytesBilled, required: mapped.details.requiredBytesBilled }, { limit: 1000000, required: 10485760 });
    assert.doesNotMatch(mapped.message, /1000000|10485760/);
  });
});

describe('BigQuery errors raised while reading data', () => {
  it('withholds messages that can echo a value unquoted, and keeps the ones about the SQL', () => {
    const dataError = fromJobError({ reason: 'invalidQuery', message: 'Bad int64 value: 123-45-6789' }, 'job-1');
    assert.equal(dataError.code, 'query_invalid');
    assert.doesNotMatch(dataError.message, /123-45-6789|6789/);
    assert.match(dataError.message, /withheld/);
    const userError = fromJobError({ reason: 'invalidQuery', message: 'jane.doe+vip@corp.example.com is not allowed' });
    assert.doesNotMatch(userError.message, /jane|corp\.example/);
    const syntax = fromJobError({ reason: 'invalidQuery', message: 'Syntax error: Unexpected keyword FROM at [1:8]' });
    assert.match(syntax.message, /Syntax error: Unexpected keyword FROM at \[1:8\]/);
  });
});
