import { chainHash, canonicalJson, genesisHash, sha256Hex } from '../src/domain/evidence/event-hash.js';
import { fastChainHash, fastCanonicalJson } from '../src/domain/evidence/fast-hash.js';
const e = { streamName: 'query-req-1', revision: 1, position: 5, type: 'PolicyEvaluated', data: { requestId: 'req-1', effect: 'allow', rule: 'agents-read-sales', policyHash: sha256Hex('p'), reasons: ['matched'], perStatement: [{ effect: 'allow', rule: 'agents-read-sales' }] }, metadata: { correlationId: 'req-1', occurredAt: new Date().toISOString(), schemaVersion: 1, principal: { subject: 'agent-1', email: 'agent@example.com' }, sessionId: 'session-1' }, recordedAt: new Date().toISOString() };
for (const [name, f] of [['canon', () => canonicalJson(e)], ['fastcanon', () => fastCanonicalJson(e)], ['chain', () => chainHash(genesisHash, e)], ['fastchain', () => fastChainHash(genesisHash, e)], ['sha', () => sha256Hex(JSON.stringify(e))]] as const) {
  const t = performance.now();
  for (let i = 0; i < 100000; i++) f();
  console.log(name, Math.round(100000 / ((performance.now() - t) / 1000)));
}
console.log(fastChainHash(genesisHash, e) === chainHash(genesisHash, e));
