/**
 * Configuration from environment variables (CONTRACT.md "Configuration"), optionally mirrored by a
 * YAML file named in LEDGERGATE_CONFIG (environment wins). Bad values stop start-up with one line
 * naming the setting and what is wrong.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { LedgergateError } from './domain/errors.js';
import { parseDuration, parseSize } from './domain/policy/units.js';

export type EventStoreConfig = { kind: 'sqlite'; file: string } | { kind: 'esdb'; connectionString: string };
export type WarehouseConfig =
  | { kind: 'demo'; file: string }
  | { kind: 'duckdb'; file: string }
  | {
      kind: 'bigquery';
      projectId: string;
      location?: string;
      keyFile?: string;
      apiEndpoint?: string;
      maximumBytesBilled?: number;
      /** `none` (LEDGERGATE_BIGQUERY_AUTH): no credentials at all — only for an emulator or test fake on localhost. */
      auth?: 'none';
    }
  | {
      kind: 'postgres';
      /** postgres://…; user, password, host and database missing from it come from PGUSER, PGPASSWORD, PGHOST, PGDATABASE. */
      connectionString: string;
      /** LEDGERGATE_POSTGRES_POOL_SIZE (default 5). */
      poolSize: number;
    };

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  eventStore: EventStoreConfig;
  warehouse: WarehouseConfig;
  projectId: string;
  policyFile: string;
  oidc: { issuer?: string; audience: string; groupsClaim: string };
  auditorGroups: string[];
  logLevel: string;
  limits: {
    defaultMaxRows: number;
    maxRowsCap: number;
    maxResultBytes: number;
    maxSqlLength: number;
    bodyLimitBytes: number;
    largeBodyBytesPerMinute: number;
    queryTimeoutMs: number;
    defaultWaitSeconds: number;
    maxWaitSeconds: number;
    requestsPerMinutePerPrincipal: number;
    requestsPerMinutePerAddress: number;
  };
  /** The analyser's worker threads (0: on the event loop), its deadline and the size caps it refuses over. */
  analysis: { workers: number; timeoutMs: number; maxTokens: number; maxListItems: number; maxNesting: number };
  trustProxy: boolean;
  maskingKey?: string;
  pricePerTiBUsd: number;
  evidence: { sealEveryEvents: number; sealIntervalMs: number; keyFile?: string; keyMaxAgeMs?: number };
  webhookUrl?: string;
  /** Bearer token /metrics requires; without it /metrics answers loopback callers only. */
  metricsToken?: string;
  /** EXTERNAL_QUERY connection ids (`project.region.connection`) whose engine is PostgreSQL (LEDGERGATE_EXTERNAL_QUERY_POSTGRES). */
  externalQueryPostgres: string[];
  /** The web console's OIDC client (authorization code + PKCE); the dev issuer needs none. */
  console: { clientId?: string; scope: string };
}

type Env = Record<string, string | undefined>;

const fail = (setting: string, problem: string): never => {
  throw new LedgergateError('invalid_config', `${setting}: ${problem}`, { setting });
};

function fileSettings(env: Env): Env {
  const file = env.LEDGERGATE_CONFIG;
  if (!file) return {};
  let parsed: unknown;
  try {
    parsed = parseYaml(readFileSync(file, 'utf8'));
  } catch (error) {
    return fail('LEDGERGATE_CONFIG', `cannot read ${file}: ${(error as Error).message.split('\n')[0]}`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return fail('LEDGERGATE_CONFIG', `${file} must be a mapping of LEDGERGATE_* settings`);
  return Object.fromEntries(
    Object.entries(parsed as Record<string, unknown>).map(([key, value]) => {
      if (!key.startsWith('LEDGERGATE_')) fail('LEDGERGATE_CONFIG', `${file}: unknown setting ${key} (use the LEDGERGATE_* names)`);
      return [key, Array.isArray(value) ? value.join(',') : String(value)];
    }),
  );
}

export function loadConfig(processEnv: Env = process.env, cwd = process.cwd()): Config {
  const env: Env = { ...fileSettings(processEnv), ...processEnv };
  const get = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === '' ? undefined : value;
  };
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = get(name);
    if (raw === undefined) return fallback;
    if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) return fail(name, `must be a whole number from ${min} to ${max}, got "${raw}"`);
    return Number(raw);
  };
  const seconds = (name: string, fallback: string): number => {
    const raw = get(name) ?? fallback;
    const parsed = parseDuration(raw);
    return parsed.ok ? parsed.value : fail(name, `${parsed.message}, got "${raw}"`);
  };
  const bytes = (name: string, fallback: string): number => {
    const raw = get(name) ?? fallback;
    const parsed = parseSize(raw);
    return parsed.ok ? parsed.value : fail(name, `${parsed.message}, got "${raw}"`);
  };
  const list = (name: string, fallback: string): string[] =>
    (get(name) ?? fallback).split(',').map((s) => s.trim()).filter(Boolean);

  const dataDir = resolve(cwd, get('LEDGERGATE_DATA_DIR') ?? './data');
  const projectId = get('LEDGERGATE_PROJECT') ?? 'demo-project';
  if (!/^([a-z0-9.-]+:)?[a-z][a-z0-9-]{4,28}[a-z0-9]$/.test(projectId)) fail('LEDGERGATE_PROJECT', `"${projectId}" is not a valid project id`);

  const storeSetting = get('LEDGERGATE_EVENT_STORE') ?? 'sqlite';
  let eventStore: EventStoreConfig;
  if (storeSetting === 'sqlite') eventStore = { kind: 'sqlite', file: resolve(dataDir, 'events.sqlite') };
  else if (/^(esdb|esdb\+discover|kurrentdb|kurrent):\/\//.test(storeSetting)) eventStore = { kind: 'esdb', connectionString: storeSetting };
  else return fail('LEDGERGATE_EVENT_STORE', `must be "sqlite" or an esdb:// connection string, got "${storeSetting}"`);

  const warehouseSetting = get('LEDGERGATE_WAREHOUSE') ?? 'demo';
  let warehouse: WarehouseConfig;
  if (warehouseSetting === 'demo') warehouse = { kind: 'demo', file: resolve(dataDir, 'demo-warehouse.duckdb') };
  else if (warehouseSetting.startsWith('duckdb:')) {
    const path = warehouseSetting.slice('duckdb:'.length);
    if (!path) fail('LEDGERGATE_WAREHOUSE', 'duckdb: needs a file path, e.g. duckdb:./warehouse.duckdb');
    warehouse = { kind: 'duckdb', file: resolve(cwd, path) };
  } else if (warehouseSetting.startsWith('bigquery:')) {
    const bqProject = warehouseSetting.slice('bigquery:'.length);
    if (!/^[a-z0-9.:-]{1,100}$/.test(bqProject)) fail('LEDGERGATE_WAREHOUSE', `bigquery: needs a project id, got "${bqProject}"`);
    const maximumBytesBilled = get('LEDGERGATE_MAX_BYTES_BILLED') ? bytes('LEDGERGATE_MAX_BYTES_BILLED', '0') : undefined;
    const endpoint = get('LEDGERGATE_BIGQUERY_ENDPOINT');
    if (endpoint && !/^https?:\/\//.test(endpoint)) fail('LEDGERGATE_BIGQUERY_ENDPOINT', 'must be an http(s) URL');
    // Testing and emulators only: sending no credentials makes sense only to a server on this machine.
    const auth = get('LEDGERGATE_BIGQUERY_AUTH') ?? 'default';
    if (auth !== 'default' && auth !== 'none') fail('LEDGERGATE_BIGQUERY_AUTH', `must be default or none, got "${auth}"`);
    if (auth === 'none' && !(endpoint && /^https?:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?(\/|$)/.test(endpoint))) {
      fail('LEDGERGATE_BIGQUERY_AUTH', 'none is only allowed with LEDGERGATE_BIGQUERY_ENDPOINT on 127.0.0.1 or localhost (an emulator or test fake)');
    }
    warehouse = {
      kind: 'bigquery',
      projectId: bqProject,
      ...(get('LEDGERGATE_BIGQUERY_LOCATION') ? { location: get('LEDGERGATE_BIGQUERY_LOCATION') } : {}),
      ...(get('LEDGERGATE_BIGQUERY_KEY_FILE') ? { keyFile: resolve(cwd, get('LEDGERGATE_BIGQUERY_KEY_FILE') as string) } : {}),
      ...(endpoint ? { apiEndpoint: endpoint } : {}),
      ...(maximumBytesBilled ? { maximumBytesBilled } : {}),
      ...(auth === 'none' ? { auth: 'none' as const } : {}),
    };
  } else if (/^postgres(ql)?:\/\//.test(warehouseSetting)) {
    try {
      new URL(warehouseSetting);
    } catch {
      fail('LEDGERGATE_WAREHOUSE', 'is not a valid postgres:// URL');
    }
    warehouse = { kind: 'postgres', connectionString: warehouseSetting, poolSize: int('LEDGERGATE_POSTGRES_POOL_SIZE', 5, 1, 100) };
  } else {
    // Echo the value so the operator sees the typo — unless it may carry a password (user:pass@host).
    const shown = warehouseSetting.includes('@') ? 'a value with credentials (not shown)' : `"${warehouseSetting}"`;
    return fail('LEDGERGATE_WAREHOUSE', `must be demo, duckdb:<file>, bigquery:<project-id> or postgres://…, got ${shown}`);
  }

  const issuer = get('LEDGERGATE_OIDC_ISSUER');
  if (issuer && !/^https?:\/\/[^\s]+$/.test(issuer)) fail('LEDGERGATE_OIDC_ISSUER', `must be an http(s) URL, got "${issuer}"`);
  const groupsClaim = get('LEDGERGATE_GROUPS_CLAIM') ?? 'groups';
  if (!/^[A-Za-z0-9_:\-/]+(\.[A-Za-z0-9_:\-/]+)*$/.test(groupsClaim)) fail('LEDGERGATE_GROUPS_CLAIM', `"${groupsClaim}" is not a claim name or dotted path`);

  const maskingKey = get('LEDGERGATE_MASKING_KEY');
  if (maskingKey && !/^[0-9a-fA-F]{32,}$/.test(maskingKey)) fail('LEDGERGATE_MASKING_KEY', 'must be at least 32 hex characters (16 bytes)');
  const logLevel = get('LEDGERGATE_LOG_LEVEL') ?? 'info';
  if (!['error', 'warn', 'info', 'debug'].includes(logLevel)) fail('LEDGERGATE_LOG_LEVEL', 'must be error, warn, info or debug');
  const price = get('LEDGERGATE_PRICE_PER_TIB') ?? '6.25';
  if (!/^\d+(\.\d+)?$/.test(price)) fail('LEDGERGATE_PRICE_PER_TIB', `must be a number of US dollars, got "${price}"`);
  const webhookUrl = get('LEDGERGATE_WEBHOOK_URL');
  if (webhookUrl && !/^https?:\/\/[^\s]+$/.test(webhookUrl)) fail('LEDGERGATE_WEBHOOK_URL', 'must be an http(s) URL');
  const consoleClientId = get('LEDGERGATE_CONSOLE_CLIENT_ID');
  if (consoleClientId && !/^[\w.:@/-]{1,200}$/.test(consoleClientId)) fail('LEDGERGATE_CONSOLE_CLIENT_ID', `"${consoleClientId}" is not a client id`);
  const consoleScope = get('LEDGERGATE_CONSOLE_SCOPE') ?? 'openid profile email';
  if (!/^[\x21\x23-\x5B\x5D-\x7E]+( [\x21\x23-\x5B\x5D-\x7E]+)*$/.test(consoleScope)) fail('LEDGERGATE_CONSOLE_SCOPE', 'must be space-separated OAuth scopes');
  const metricsToken = get('LEDGERGATE_METRICS_TOKEN');
  if (metricsToken && !/^[\x21-\x7E]{16,}$/.test(metricsToken)) fail('LEDGERGATE_METRICS_TOKEN', 'must be at least 16 printable characters without spaces');
  const trust = get('LEDGERGATE_TRUST_PROXY') ?? 'false';
  if (!['true', 'false'].includes(trust)) fail('LEDGERGATE_TRUST_PROXY', 'must be true or false');

  const maxRowsCap = int('LEDGERGATE_MAX_ROWS_CAP', 10_000, 1, 10_000_000);
  const config: Config = {
    port: int('LEDGERGATE_PORT', 8080, 0, 65535),
    host: get('LEDGERGATE_HOST') ?? '127.0.0.1',
    dataDir,
    eventStore,
    warehouse,
    projectId,
    policyFile: resolve(cwd, get('LEDGERGATE_POLICY') ?? './policy.yaml'),
    oidc: { ...(issuer ? { issuer: issuer.replace(/\/+$/, '') } : {}), audience: get('LEDGERGATE_OIDC_AUDIENCE') ?? 'ledgergate', groupsClaim },
    auditorGroups: list('LEDGERGATE_AUDITOR_GROUPS', 'auditors'),
    logLevel,
    limits: {
      defaultMaxRows: Math.min(int('LEDGERGATE_MAX_ROWS', 1000, 0, 10_000_000), maxRowsCap),
      maxRowsCap,
      maxResultBytes: bytes('LEDGERGATE_MAX_RESULT_BYTES', '10MiB'),
      maxSqlLength: int('LEDGERGATE_MAX_SQL_LENGTH', 100_000, 1, 10_000_000),
      bodyLimitBytes: bytes('LEDGERGATE_BODY_LIMIT', '256KiB'),
      largeBodyBytesPerMinute: bytes('LEDGERGATE_LARGE_BODY_BUDGET', '4MiB'),
      queryTimeoutMs: seconds('LEDGERGATE_QUERY_TIMEOUT', '120s') * 1000,
      defaultWaitSeconds: seconds('LEDGERGATE_DEFAULT_WAIT', '30s'),
      maxWaitSeconds: seconds('LEDGERGATE_MAX_WAIT', '300s'),
      requestsPerMinutePerPrincipal: int('LEDGERGATE_RATE_LIMIT', 600, 1, 1_000_000),
      requestsPerMinutePerAddress: int('LEDGERGATE_RATE_LIMIT_ADDRESS', 6000, 1, 10_000_000),
    },
    analysis: {
      workers: int('LEDGERGATE_ANALYSIS_WORKERS', 1, 0, 64),
      timeoutMs: seconds('LEDGERGATE_ANALYSIS_TIMEOUT', '30s') * 1000,
      maxTokens: int('LEDGERGATE_ANALYSIS_MAX_TOKENS', 50_000, 1, 100_000_000),
      maxListItems: int('LEDGERGATE_ANALYSIS_MAX_LIST_ITEMS', 2_000, 1, 100_000_000),
      maxNesting: int('LEDGERGATE_ANALYSIS_MAX_NESTING', 64, 1, 100_000),
    },
    trustProxy: trust === 'true',
    ...(maskingKey ? { maskingKey } : {}),
    pricePerTiBUsd: Number(price),
    evidence: {
      sealEveryEvents: int('LEDGERGATE_SEAL_EVERY', 1000, 1, 10_000_000),
      // On EventStoreDB the chain is made at seal time: the interval is how long a database writer's forgery stays unsealed (docs/evidence.md).
      sealIntervalMs: seconds('LEDGERGATE_SEAL_INTERVAL', eventStore.kind === 'esdb' ? '10s' : '60s') * 1000,
      ...(get('LEDGERGATE_EVIDENCE_KEY_FILE') ? { keyFile: resolve(cwd, get('LEDGERGATE_EVIDENCE_KEY_FILE') as string) } : {}),
      // Rotation: at start and while running, a key this old is replaced; old public keys stay in the JWKS.
      ...(get('LEDGERGATE_EVIDENCE_KEY_MAX_AGE') ? { keyMaxAgeMs: seconds('LEDGERGATE_EVIDENCE_KEY_MAX_AGE', '1s') * 1000 } : {}),
    },
    ...(webhookUrl ? { webhookUrl } : {}),
    externalQueryPostgres: list('LEDGERGATE_EXTERNAL_QUERY_POSTGRES', ''),
    ...(metricsToken ? { metricsToken } : {}),
    console: { ...(consoleClientId ? { clientId: consoleClientId } : {}), scope: consoleScope },
  };
  return config;
}
