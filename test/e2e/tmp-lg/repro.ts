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
const signer = await openKeyStore({ dataDir: dir });
let text = '';
try {
  await writeEvidenceBundle({ store: gw.store, signer, gatewayVersion: 'x', out: (c) => void (text += c) });
  console.log('ok', text.length);
} catch (e) { console.log('ERR', e); }
await gw.stop();
