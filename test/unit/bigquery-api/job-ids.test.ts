/** Job ids are namespaced per principal, and only BigQuery's job id and label syntax is accepted. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { checkJobId, checkLabels, requestIdForJob } from '../../../src/adapters/http/bigquery-api/job-ids.js';
import { BigQueryApiError } from '../../../src/adapters/http/bigquery-api/errors.js';

describe('BigQuery job ids', () => {
  it('the same job id of two principals never names the same request; the same principal always finds its own', () => {
    const principal = fc.record({ issuer: fc.string({ maxLength: 40 }), subject: fc.string({ maxLength: 40 }) });
    fc.assert(
      fc.property(principal, principal, fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/), (a, b, jobId) => {
        const idA = requestIdForJob(a, jobId);
        assert.match(idA, /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        assert.equal(requestIdForJob({ ...a }, jobId), idA);
        if (a.issuer !== b.issuer || a.subject !== b.subject) assert.notEqual(requestIdForJob(b, jobId), idA);
      }),
      { numRuns: 300 },
    );
  });

  it('issuer and subject cannot be shifted into each other', () => {
    assert.notEqual(requestIdForJob({ issuer: 'a', subject: 'bc' }, 'j'), requestIdForJob({ issuer: 'ab', subject: 'c' }, 'j'));
  });

  it('refuses any job id outside [A-Za-z0-9_-]{1,1024}', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 30 }).filter((s) => /[^A-Za-z0-9_-]/.test(s)), (bad) => {
        assert.throws(() => checkJobId(bad), (e: unknown) => e instanceof BigQueryApiError && e.status === 400);
      }),
    );
    assert.throws(() => checkJobId('a'.repeat(1025)), BigQueryApiError);
    assert.throws(() => checkJobId(42), BigQueryApiError);
    assert.equal(checkJobId('bqjob_r1_A-2'), 'bqjob_r1_A-2');
  });

  it('labels follow BigQuery: at most 64, lower-case keys starting with a letter, at most 63 characters', () => {
    assert.deepEqual(checkLabels({ team: 'agents', 'cost-centre_1': '' }), { team: 'agents', 'cost-centre_1': '' });
    assert.equal(checkLabels(undefined), undefined);
    for (const bad of [{ Team: 'x' }, { '1team': 'x' }, { team: 'X' }, { team: 'a'.repeat(64) }, { team: 3 }, ['x']]) {
      assert.throws(() => checkLabels(bad), BigQueryApiError, JSON.stringify(bad));
    }
    assert.throws(() => checkLabels(Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, 'v']))), BigQueryApiError);
  });
});
