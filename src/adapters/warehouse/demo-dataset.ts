/**
 * The embedded demo warehouse: BigQuery-shaped data (one DuckDB schema per dataset) full of
 * realistic, checksum-valid PII, so masking and detectors have something real to catch. Generation
 * is seeded: the same rows every time, and tests can ask which protected values exist.
 */
import { existsSync, renameSync, rmSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';
import type { CellValue } from '../../domain/ports.js';
import { quoteIdentifier } from './table-names.js';

export interface DemoColumn {
  readonly name: string;
  /** DuckDB type used to create the column. */
  readonly duckdbType: string;
  /** The BigQuery type the column reports. */
  readonly bigQueryType: string;
}

export interface DemoTable {
  readonly dataset: string;
  readonly table: string;
  readonly columns: readonly DemoColumn[];
  /** Values in column order; DECIMALs as strings, DATEs 'YYYY-MM-DD', TIMESTAMPs ISO with Z. */
  readonly rows: readonly CellValue[][];
}

export interface DemoPiiSamples {
  readonly emails: readonly string[];
  readonly phones: readonly string[];
  readonly ssns: readonly string[];
  readonly cardNumbers: readonly string[];
  readonly ibans: readonly string[];
  /** Emails and phone numbers hidden inside the free-text `notes` column. */
  readonly notesPii: readonly string[];
}

// ---------------------------------------------------------------- seeded randomness

/** mulberry32: small, fast and good enough for demo data. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Random = () => number;
const intBetween = (random: Random, min: number, max: number): number => min + Math.floor(random() * (max - min + 1));
const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)];
const digits = (random: Random, count: number): string =>
  Array.from({ length: count }, () => String(intBetween(random, 0, 9))).join('');
const pad = (value: number, width: number): string => String(value).padStart(width, '0');

// ---------------------------------------------------------------- checksummed identifiers

export function luhnCheckDigit(payload: string): number {
  let sum = 0;
  for (let i = 0; i < payload.length; i++) {
    let digit = Number(payload[payload.length - 1 - i]);
    if (i % 2 === 0) digit = digit * 2 > 9 ? digit * 2 - 9 : digit * 2;
    sum += digit;
  }
  return (10 - (sum % 10)) % 10;
}

/** ISO 13616: letters become 10..35, the country code and "00" move to the end, 98 - mod 97. */
export function ibanMod97(value: string): number {
  const numeric = value.replace(/[A-Z]/g, (letter) => String(letter.charCodeAt(0) - 55));
  let remainder = 0;
  for (const char of numeric) remainder = (remainder * 10 + Number(char)) % 97;
  return remainder;
}

function iban(country: string, bban: string): string {
  const check = 98 - ibanMod97(`${bban}${country}00`);
  return `${country}${pad(check, 2)}${bban}`;
}

function frenchRibKey(bank: string, branch: string, account: string): string {
  const key = 97n - ((89n * BigInt(bank) + 15n * BigInt(branch) + 3n * BigInt(account)) % 97n);
  return pad(Number(key), 2);
}

function randomIban(random: Random): string {
  switch (pick(random, ['DE', 'GB', 'FR'] as const)) {
    case 'DE':
      return iban('DE', digits(random, 18));
    case 'GB':
      return iban('GB', `${pick(random, ['NWBK', 'BARC', 'HBUK', 'LOYD'])}${digits(random, 14)}`);
    case 'FR': {
      const [bank, branch, account] = [digits(random, 5), digits(random, 5), digits(random, 11)];
      return iban('FR', `${bank}${branch}${account}${frenchRibKey(bank, branch, account)}`);
    }
  }
}

function randomCard(random: Random): string {
  const prefix = random() < 0.5 ? '4' : String(intBetween(random, 51, 55));
  const payload = prefix + digits(random, 15 - prefix.length);
  return payload + String(luhnCheckDigit(payload));
}

/** US SSN rules: area 001–899 except 666, group 01–99, serial 0001–9999. */
function randomSsn(random: Random): string {
  let area = intBetween(random, 1, 899);
  if (area === 666) area = 667;
  return `${pad(area, 3)}-${pad(intBetween(random, 1, 99), 2)}-${pad(intBetween(random, 1, 9999), 4)}`;
}

/** NANP in E.164: area and exchange codes start with 2–9; 555 exchanges avoided. */
function randomPhone(random: Random): string {
  const exchange = intBetween(random, 200, 999);
  return `+1${intBetween(random, 2, 9)}${digits(random, 2)}${exchange === 555 ? 556 : exchange}${digits(random, 4)}`;
}

// ---------------------------------------------------------------- the tables

const firstNames = ['Ava', 'Liam', 'Noah', 'Emma', 'Mia', 'Lucas', 'Sofia', 'Mateo', 'Olivia', 'Amir', 'Yuki', 'Chen', 'Fatima', 'Jonas', 'Priya', 'Diego', 'Hannah', 'Kofi', 'Elena', 'Marek'];
const lastNames = ['Smith', 'Garcia', 'Müller', 'Dubois', 'Okafor', 'Tanaka', 'Kowalski', 'Rossi', 'Nguyen', 'Patel', 'Johnson', 'Silva', 'Novak', 'Jensen', "O'Brien", 'Haddad'];
const places = [['Berlin', 'DE'], ['London', 'GB'], ['Paris', 'FR'], ['Austin', 'US'], ['Toronto', 'CA'], ['Lyon', 'FR'], ['Manchester', 'GB'], ['Seattle', 'US'], ['Munich', 'DE'], ['Chicago', 'US']] as const;
const domains = ['example.com', 'mail.example.org', 'corp.example.net'];

const ymd = (date: Date): string => date.toISOString().slice(0, 10);
const dayMs = 86_400_000;
const epochOf2024 = Date.UTC(2024, 0, 1);

function columns(spec: string): DemoColumn[] {
  return spec.split(';').map((entry) => {
    const [name, duckdbType, bigQueryType] = entry.trim().split(/\s+/);
    return { name, duckdbType, bigQueryType };
  });
}

interface Generated {
  readonly tables: DemoTable[];
  readonly pii: DemoPiiSamples;
}

function generate(): Generated {
  const random = seededRandom(20240917);
  const pii = { emails: [] as string[], phones: [] as string[], ssns: [] as string[], cardNumbers: [] as string[], ibans: [] as string[], notesPii: [] as string[] };
  const customers: CellValue[][] = [];
  for (let id = 1; id <= 200; id++) {
    const [first, last] = [pick(random, firstNames), pick(random, lastNames)];
    const email = `${first}.${last}${id}`.toLowerCase().replace(/[^a-z0-9.]/g, '') + `@${pick(random, domains)}`;
    const [phone, ssn, card] = [randomPhone(random), randomSsn(random), randomCard(random)];
    const [city, country] = pick(random, places);
    let notes: string | null = random() < 0.2 ? null : pick(random, ['VIP since 2021', 'Prefers invoices by post', 'Asked about bulk pricing', 'Churn risk']);
    if (id % 7 === 0) {
      const altEmail = `${first.toLowerCase()}.backup${id}@example.net`;
      notes = `Reach via ${altEmail} after hours`;
      pii.notesPii.push(altEmail);
    } else if (id % 11 === 0) {
      const altPhone = randomPhone(random);
      notes = `Call back on ${altPhone} re: refund`;
      pii.notesPii.push(altPhone);
    }
    const birth = new Date(Date.UTC(intBetween(random, 1950, 2004), intBetween(random, 0, 11), intBetween(random, 1, 28)));
    const created = new Date(epochOf2024 - intBetween(random, 0, 700) * dayMs + intBetween(random, 0, dayMs / 1000 - 1) * 1000);
    pii.emails.push(email); pii.phones.push(phone); pii.ssns.push(ssn); pii.cardNumbers.push(card);
    customers.push([id, `${first} ${last}`, email, phone, ssn, card, ymd(birth), city, country, notes, created.toISOString()]);
  }

  const orders: CellValue[][] = [];
  const invoices: CellValue[][] = [];
  const statuses = ['pending', 'paid', 'shipped', 'refunded', 'cancelled'];
  for (let id = 1; id <= 1000; id++) {
    const amount = (intBetween(random, 500, 250_000) / 100).toFixed(2);
    const status = pick(random, statuses);
    const ordered = new Date(epochOf2024 + intBetween(random, 0, 364) * dayMs + intBetween(random, 0, 86_399) * 1000);
    orders.push([id, intBetween(random, 1, 200), amount, pick(random, ['USD', 'EUR', 'GBP']), status, ordered.toISOString()]);
    if (status === 'paid' || status === 'shipped' || status === 'refunded') {
      const payer = randomIban(random);
      pii.ibans.push(payer);
      invoices.push([`INV-${pad(invoices.length + 1, 6)}`, id, payer, amount, ymd(new Date(ordered.getTime() + intBetween(random, 0, 14) * dayMs))]);
    }
  }

  const salaries: CellValue[][] = [];
  for (let id = 1; id <= 40; id++) {
    const [first, last] = [pick(random, firstNames), pick(random, lastNames)];
    const account = randomIban(random);
    const ssn = randomSsn(random);
    const email = `${first}.${last}.hr${id}`.toLowerCase().replace(/[^a-z0-9.]/g, '') + '@corp.example.net';
    pii.ibans.push(account); pii.ssns.push(ssn); pii.emails.push(email);
    salaries.push([`E${pad(id, 4)}`, `${first} ${last}`, email, ssn, (intBetween(random, 4_000_000, 18_000_000) / 100).toFixed(2), account]);
  }

  const pageViews: CellValue[][] = [];
  const hosts = ['app.example.com', 'docs.example.com', 'api.example.com', 'status.example.com'];
  for (let id = 1; id <= 500; id++) {
    const viewed = new Date(epochOf2024 + intBetween(random, 0, 90) * dayMs + intBetween(random, 0, 86_399) * 1000);
    pageViews.push([id, `s-${digits(random, 8)}`, pick(random, hosts), pick(random, ['/', '/pricing', '/docs/start', '/login', '/changelog']), `${intBetween(random, 1, 4)}.${intBetween(random, 0, 12)}.${intBetween(random, 0, 30)}`, viewed.toISOString(), intBetween(random, 1, 40)]);
  }

  return {
    pii,
    tables: [
      { dataset: 'sales', table: 'customers', rows: customers, columns: columns('customer_id BIGINT INT64; full_name VARCHAR STRING; email VARCHAR STRING; phone VARCHAR STRING; ssn VARCHAR STRING; card_number VARCHAR STRING; birth_date DATE DATE; city VARCHAR STRING; country VARCHAR STRING; notes VARCHAR STRING; created_at TIMESTAMP TIMESTAMP') },
      { dataset: 'sales', table: 'orders', rows: orders, columns: columns('order_id BIGINT INT64; customer_id BIGINT INT64; amount DECIMAL(12,2) NUMERIC; currency VARCHAR STRING; status VARCHAR STRING; ordered_at TIMESTAMP TIMESTAMP') },
      { dataset: 'sales', table: 'invoices', rows: invoices, columns: columns('invoice_id VARCHAR STRING; order_id BIGINT INT64; iban VARCHAR STRING; amount DECIMAL(12,2) NUMERIC; issued_on DATE DATE') },
      { dataset: 'hr', table: 'salaries', rows: salaries, columns: columns('employee_id VARCHAR STRING; full_name VARCHAR STRING; email VARCHAR STRING; ssn VARCHAR STRING; salary DECIMAL(12,2) NUMERIC; bank_iban VARCHAR STRING') },
      { dataset: 'analytics', table: 'page_views', rows: pageViews, columns: columns('view_id BIGINT INT64; session_id VARCHAR STRING; hostname VARCHAR STRING; path VARCHAR STRING; app_version VARCHAR STRING; viewed_at TIMESTAMP TIMESTAMP; view_count BIGINT INT64') },
    ],
  };
}

/** The demo tables with their rows (the BigQuery fake seeds itself from these too). */
export const demoTables = (): DemoTable[] => generate().tables;

/** Every protected value the demo data contains, so tests can check none leaks. */
export const demoPiiSamples = (): DemoPiiSamples => generate().pii;

// ---------------------------------------------------------------- writing the file

const sqlLiteral = (value: CellValue): string => {
  if (value === null) return 'NULL';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return `'${String(value).replaceAll("'", "''")}'`;
};

function tableDdl(table: DemoTable): string {
  const columnList = table.columns.map((column) => `${quoteIdentifier(column.name)} ${column.duckdbType}`).join(', ');
  return `CREATE TABLE ${quoteIdentifier(table.dataset)}.${quoteIdentifier(table.table)} (${columnList})`;
}

function insertSql(table: DemoTable): string {
  const casts = table.columns.map((column) => column.duckdbType);
  const values = table.rows.map((row) => `(${row.map((value, i) => `CAST(${sqlLiteral(value)} AS ${casts[i]})`).join(', ')})`);
  return `INSERT INTO ${quoteIdentifier(table.dataset)}.${quoteIdentifier(table.table)} VALUES ${values.join(',\n')}`;
}

/**
 * Builds the demo warehouse at `path` unless a file is already there. The file is written under a
 * temporary name and renamed into place, so a crash never leaves a half-built warehouse behind.
 * Returns true when it created the file.
 */
export async function createDemoWarehouseFile(path: string): Promise<boolean> {
  if (existsSync(path)) return false;
  const building = `${path}.building-${process.pid}`;
  rmSync(building, { force: true });
  rmSync(`${building}.wal`, { force: true });
  const instance = await DuckDBInstance.create(building);
  try {
    await fillDemoWarehouse(instance);
  } catch (error) {
    instance.closeSync();
    rmSync(building, { force: true });
    rmSync(`${building}.wal`, { force: true });
    throw error;
  }
  instance.closeSync();
  if (existsSync(path)) {
    rmSync(building, { force: true }); // another process won the race; keep its file
    return false;
  }
  renameSync(building, path);
  return true;
}

async function fillDemoWarehouse(instance: DuckDBInstance): Promise<void> {
  {
    const connection = await instance.connect();
    await connection.run("SET TimeZone = 'UTC'");
    await connection.run('BEGIN');
    const tables = demoTables();
    for (const dataset of new Set(tables.map((table) => table.dataset))) {
      await connection.run(`CREATE SCHEMA ${quoteIdentifier(dataset)}`);
    }
    for (const table of tables) {
      await connection.run(tableDdl(table));
      await connection.run(insertSql(table));
    }
    await connection.run('COMMIT');
    await connection.run('CHECKPOINT');
    connection.closeSync();
  }
}
