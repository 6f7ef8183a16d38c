import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../../src/config.js';
import { startGateway } from '../../../src/gateway.js';
import { writeEvidenceBundle } from '../../../src/adapters/evidence/export.js';
import { openKeyStore } from '../../../src/adapters/evidence/key-store.js';
const dir = mkdtempSync(join(tmpdir(), 'lg-repro-'));
const gw = await startGateway(loadConfig({ LEDGERGATE_PORT: '0', LEDGERGATE_DATA_DIR: dir, LEDGERGATE_LOG_LEVEL: 'warn' }));
const token = await gw.devIssuer!.mint({ sub: 'a', groups: ['ai-agents'] });
const r = await fetch(`${gw.url}/v1/queries`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ sql: 'SELECT customer_id, email FROM sales.customers LIMIT 2' }) });
console.log(r.status);
const owner = await gw.devIssuer!.mint({ sub: 'o', groups: ['data-owners'] });
const post = (t: string, path: string, body: unknown) => fetch(`${gw.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${t}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
console.log((await post(token, '/v1/queries', { sql: 'DROP TABLE sales.orders' })).status);
const w = await post(token, '/v1/queries', { sql: "INSERT INTO sales.orders (order_id, customer_id, amount, currency, status) VALUES (990001, 1, 12.5, 'EUR', 'paid')", wait: 0 });
const id = ((await w.json()) as { id: string }).id; console.log(w.status, id);
console.log((await post(owner, `/v1/queries/${id}/decisions`, { decision: 'approve' })).status);
console.log(await (await fetch(`${gw.url}/v1/queries/${id}?wait=20`, { headers: { authorization: `Bearer ${token}` } })).text());
console.log((await fetch(`${gw.url}/v1/queries`, { method: 'POST' })).status);
const aud = await gw.devIssuer!.mint({ sub: 'au', groups: ['auditors'] });
const ev = await fetch(`${gw.url}/v1/evidence`, { headers: { authorization: `Bearer ${aud}` } });
try { console.log('http', ev.status, (await ev.text()).length); } catch (e) { console.log('HTTP ERR', e); }

const signer = await openKeyStore({ dataDir: dir });
let text = '';
try {
  await writeEvidenceBundle({ store: gw.store, signer, gatewayVersion: 'x', out: (c) => void (text += c) });
  console.log('ok', text.length);
} catch (e) { console.log('ERR', e); }
await gw.stop();
