/**
 * Masking throughput: cells per second over a 10,000 × 10 result of mixed benign and PII-bearing
 * strings, with every content detector on, and with column rules only.
 */
import type { Analysis } from '../src/domain/analysis/types.js';
import { applyMasking, planMasking, type MaskPlan } from '../src/domain/masking/index.js';
import { detectorNames, type DetectorName, type MaskColumnRule } from '../src/domain/policy/types.js';
import type { CellValue, ColumnSchema } from '../src/domain/ports.js';

const table = 'demo-project.sales.customers';
const rowCount = 10_000;
const hmacKey = 'a1'.repeat(32);

const columnNames = ['id', 'name', 'email', 'ssn', 'note', 'sku', 'created_at', 'host', 'ref', 'amount'];
const resultColumns: ColumnSchema[] = columnNames.map((name) => ({ name, type: name === 'id' ? 'INT64' : 'STRING' }));
const columnRules: MaskColumnRule[] = [
  { table: '*.sales.customers', column: 'email', rule: 'email' },
  { table: '*.sales.customers', column: 'ssn', rule: 'hash' },
];
const analysis: Analysis = {
  statements: [
    {
      kind: 'select',
      kinds: ['select'],
      tables: [table],
      writtenTables: [],
      outputColumns: columnNames.map((name) => ({ name, lineage: [{ table, column: name }], confidence: 'exact' })),
      filterColumns: [],
      joinColumns: [],
      groupColumns: [],
      orderColumns: [],
      flags: { scripting: false, dynamicSql: false, unparsed: false, lineageIncomplete: false },
      text: 'SELECT …',
    },
  ],
  tables: [table],
  kinds: ['select'],
};

const notes = [
  'Customer asked to change delivery address',
  'contact me at jane.doe@example.com please',
  'paid with 4111 1111 1111 1111 yesterday',
  'call (212) 555-0187 after 5pm',
  'IBAN DE89 3704 0044 0532 0130 00 for refunds',
  'ssn on file 536-22-1234',
  'token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
  'shipped ORD-2024-000123 on 2024-01-15T10:30:00Z',
  'upgraded agent to 10.0.19041 from 1.2.3',
  'refund of 1234.56 approved',
];

function makeRows(): CellValue[][] {
  return Array.from({ length: rowCount }, (_, i) => [
    /* id */ i,
    /* name */ `Customer ${i}`,
    /* email */ `user${i}@example.com`,
    /* ssn */ `536-22-${String(1000 + (i % 9000)).padStart(4, '0')}`,
    /* note */ notes[i % notes.length],
    /* sku */ `ORD-2024-${String(i).padStart(6, '0')}`,
    /* created_at */ new Date(Date.UTC(2024, 0, 1) + i * 60_000).toISOString(),
    /* host */ `db-${i % 10}.prod.internal`,
    /* ref */ i % 4 === 0 ? `123e4567-e89b-12d3-a456-${String(426614174000 + i)}` : `d41d8cd98f00b204e9800998ecf8${String(i).padStart(4, '0')}`,
    /* amount */ (i * 3.17).toFixed(2),
  ]);
}

interface Throughput {
  /** Wall clock: what a caller waits. */
  readonly cellsPerSecond: number;
  /** CPU time of this process: steadier than wall clock on a shared, busy machine. */
  readonly cellsPerCpuSecond: number;
}

function throughput(plan: MaskPlan, rows: CellValue[][], detectors: readonly DetectorName[]): Throughput {
  applyMasking(plan, rows.slice(0, 2000), { detectors, hmacKey }); // warm-up
  let wall = Infinity;
  let cpu = Infinity;
  for (let run = 0; run < 5; run++) {
    const startedCpu = process.cpuUsage();
    const started = process.hrtime.bigint();
    applyMasking(plan, rows, { detectors, hmacKey });
    wall = Math.min(wall, Number(process.hrtime.bigint() - started) / 1e9);
    const used = process.cpuUsage(startedCpu);
    cpu = Math.min(cpu, (used.user + used.system) / 1e6);
  }
  const cells = rows.length * columnNames.length;
  return { cellsPerSecond: Math.round(cells / wall), cellsPerCpuSecond: Math.round(cells / Math.max(cpu, 1e-6)) };
}

export async function run(): Promise<Record<string, number | string>> {
  const rows = makeRows();
  const plan = planMasking({ analysis, resultColumns, columnRules, tableColumns: () => columnNames });
  const sample = applyMasking(plan, rows.slice(0, notes.length), { detectors: detectorNames, hmacKey });
  const hits = sample.report.detectorHits.reduce((sum, hit) => sum + hit.count, 0);
  const all = throughput(plan, rows, detectorNames);
  const rulesOnly = throughput(plan, rows, []);
  return {
    'masking.result': `${rowCount} rows × ${columnNames.length} columns`,
    'masking.allDetectors.cellsPerSecond': all.cellsPerSecond,
    'masking.allDetectors.cellsPerCpuSecond': all.cellsPerCpuSecond,
    'masking.columnRulesOnly.cellsPerSecond': rulesOnly.cellsPerSecond,
    'masking.columnRulesOnly.cellsPerCpuSecond': rulesOnly.cellsPerCpuSecond,
    'masking.sampleDetectorHits': hits,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const [name, value] of Object.entries(await run())) console.log(`${name}: ${value}`);
}
