/**
 * The ports, all in this one file: what the domain and the application need from the outside world.
 * Adapters in src/adapters implement them; the event store, warehouse, authenticator and evidence
 * signer each have a contract suite in test/contract that every adapter passes.
 */
import type { Observable } from 'rxjs';
import type { EventMetadata } from './events/metadata.js';
import type { ColumnDescription, ResultMasked, WebhookDelivered } from './events/index.js';
import type { Analysis } from './analysis/types.js';
import type { Principal } from './identity/principal.js';
import type { Policy } from './policy/types.js';

// ---------------------------------------------------------------- event store

/** `no_stream`: the stream must not exist; `any`: no check; a number: the stream's current last revision. */
export type ExpectedRevision = 'no_stream' | 'any' | number;

export interface NewEvent {
  readonly type: string;
  readonly data: unknown;
  readonly metadata: EventMetadata;
}

export interface RecordedEvent {
  readonly streamName: string;
  /** Position inside its stream, starting at 0. */
  readonly revision: number;
  /** Global, gap-free order across all streams, starting at 1 (0 means "before everything"). */
  readonly position: number;
  readonly type: string;
  readonly data: unknown;
  readonly metadata: EventMetadata;
  /** ISO-8601 time the store recorded it. */
  readonly recordedAt: string;
  /** Hash chain over the global order (see domain/evidence); absent where the store cannot chain atomically. */
  readonly hash?: string;
  readonly prevHash?: string;
}

export interface AppendResult {
  /** Revision of the last event written. */
  readonly nextExpectedRevision: number;
  /** Global position of the last event written. */
  readonly lastPosition: number;
}

/** What a read-model fold reads of a recorded event: every RecordedEvent is one. */
export interface FoldableEvent {
  readonly streamName: string;
  readonly position: number;
  readonly type: string;
  readonly data: unknown;
  readonly metadata: Pick<EventMetadata, 'occurredAt' | 'sessionId'>;
}

export interface ReadAllOptions {
  /** Exclusive: events with position > from. */
  readonly from: number;
  readonly maxCount?: number;
}

/**
 * Event data that none of the folds being fed reads, per event type: `'*'` for the whole data, or
 * top-level members. A rebuild's read may leave it out (the data of such an event then lacks them).
 */
export type UnreadData = Readonly<Record<string, '*' | readonly string[]>>;

export interface ProjectionReadOptions extends ReadAllOptions {
  readonly unread?: UnreadData;
}

export interface EventStore {
  append(stream: string, events: readonly NewEvent[], expectedRevision: ExpectedRevision): Promise<AppendResult>;
  /** Empty when the stream does not exist. */
  readStream(stream: string): Promise<RecordedEvent[]>;
  /**
   * Up to maxCount events after `from`, in order. A store may end a page early, before the end of the
   * log, once it holds a byte budget of event data (one read must not parse megabytes on the event
   * loop while other callers wait): only an empty page means there is nothing more.
   */
  readAll(options: ReadAllOptions): Promise<RecordedEvent[]>;
  /**
   * Optional, for rebuilding read models: the same events as `readAll` (same order and positions),
   * holding only what a fold reads, read without re-checking each event's schema. A store offers it
   * only where its rows were validated when written and are protected by more than that check (the
   * SQLite store: validated at append, covered by the hash chain). It still fails on an event whose
   * JSON does not parse, whose type is unknown or whose metadata has no occurrence time. Readers
   * without it use `readAll`.
   */
  readForProjections?(options: ProjectionReadOptions): Promise<FoldableEvent[]>;
  /** The last global position written, 0 when empty. */
  headPosition(): Promise<number>;
  /**
   * Every event with position > from, then live ones, in order. Fed by a pull loop that reads the next
   * page only when the subscriber has taken the previous one, so a slow consumer applies back-pressure.
   */
  subscribeAll(from: number): Observable<RecordedEvent>;
  close(): Promise<void>;
}

// ---------------------------------------------------------------- warehouse and catalog

export interface TableRef {
  readonly project: string;
  readonly dataset: string;
  readonly table: string;
}

export interface ColumnSchema {
  readonly name: string;
  /** BigQuery type name (STRING, INT64, NUMERIC, TIMESTAMP, DATE, BYTES, BOOL, FLOAT64, JSON, STRUCT, ARRAY<…>, …). */
  readonly type: string;
  readonly mode?: 'NULLABLE' | 'REQUIRED' | 'REPEATED';
  readonly fields?: readonly ColumnSchema[];
}

export interface TableSchema {
  readonly table: TableRef;
  readonly columns: readonly ColumnSchema[];
  /** Storage size, when the warehouse knows it: an upper bound of what a scan reads (no dry run needed). */
  readonly numBytes?: number;
}

export interface Catalog {
  /** Undefined when the warehouse does not know the table. */
  getTable(table: TableRef): Promise<TableSchema | undefined>;
  listDatasets(): Promise<string[]>;
  listTables(dataset: string): Promise<TableRef[]>;
  /** Changes whenever the catalog's content may have changed; part of the analysis cache key. */
  version(): string;
}

export interface DryRunResult {
  readonly statementType: string;
  readonly referencedTables: readonly TableRef[];
  /**
   * NaN when the warehouse did not report it or reported no bound (BigQuery's LOWER_BOUND or UNKNOWN
   * accuracy): the estimate is then unknown and bytesOver rules fail closed.
   */
  readonly totalBytesProcessed: number;
  readonly schema?: readonly ColumnSchema[];
  /** Where a job for this query would run (BigQuery picks it from the datasets read). */
  readonly location?: string;
}

export interface ExecuteRequest {
  /** Derived from the request id, so a retry finds the same job instead of starting another. */
  readonly jobId: string;
  /** GoogleSQL, as the agent wrote it. */
  readonly sql: string;
  readonly maxRows: number;
  /** Stop storing rows once their JSON size passes this many bytes. */
  readonly maxResultBytes: number;
  readonly maximumBytesBilled?: number;
  readonly labels?: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  /** Where the job runs (BigQuery); sent on every call for the job, since a regional job is invisible without it. */
  readonly location?: string;
}

/** One statement of a script, run by the warehouse as a child job of the script's job. */
export interface ChildJob {
  readonly jobId: string;
  readonly statementType: string;
  readonly state: 'done' | 'failed' | 'running';
  readonly bytesProcessed?: number;
  readonly affectedRows?: number;
  /** For a failed child: the gateway's error code (the warehouse's message is not kept, it can echo values). */
  readonly code?: string;
}

export type CellValue = string | number | boolean | null | CellValue[] | { [key: string]: CellValue };

/**
 * One result row: its cells in the order of the result's columns. Positional, never keyed by name:
 * two columns may share a name (`SELECT a AS x, b AS x`), and a row keyed by name would let one
 * overwrite the other and pair a value with the wrong column's masking.
 */
export type ResultRow = readonly CellValue[];

export interface QueryResult {
  readonly jobId: string;
  readonly columns: readonly ColumnSchema[];
  /** Positional: cell i belongs to columns[i]. */
  readonly rows: readonly ResultRow[];
  /** Total rows the query produced (may exceed rows.length). */
  readonly totalRows: number;
  readonly truncated: boolean;
  readonly bytesProcessed: number;
  /** For DML: rows inserted, updated or deleted. */
  readonly affectedRows?: number;
  /** A script's statements, each run as a child job, in the order they ran. */
  readonly childJobs?: readonly ChildJob[];
  /** Reasons of problems the warehouse reported without failing the job (BigQuery errors[] without errorResult). */
  readonly warnings?: readonly string[];
  /**
   * The SQL the engine ran when it is not the agent's GoogleSQL (the embedded warehouse runs a
   * DuckDB transpilation): masking follows the lineage of what ran as well as of what was analysed.
   */
  readonly executed?: ExecutedSql;
}

export interface ExecutedSql {
  readonly dialect: 'duckdb';
  readonly sql: string;
}

export type JobState =
  | { readonly state: 'unknown' }
  | { readonly state: 'running' }
  | { readonly state: 'done' }
  | {
      readonly state: 'failed';
      readonly code: string;
      readonly message: string;
      /** The warehouse's own reason (BigQuery: `stopped` for a cancelled job). */
      readonly reason?: string;
      /** The job failed for a transient warehouse reason: the same SQL under a new job may succeed. */
      readonly transient?: boolean;
    };

export interface Warehouse extends Catalog {
  readonly kind: 'duckdb' | 'bigquery' | 'postgres';
  readonly projectId: string;
  /** Undefined when the warehouse has no dry run (DuckDB). */
  dryRun?(sql: string): Promise<DryRunResult>;
  /**
   * Where a job for this SQL will run, learnt before the job starts so it can be recorded with the
   * start; undefined when the warehouse has no locations (DuckDB).
   */
  jobLocation?(sql: string): Promise<string | undefined>;
  /** Runs the job, or, when a job with that id already exists, fetches it instead of running again. */
  execute(request: ExecuteRequest): Promise<QueryResult>;
  /** `location`: where the job runs, when known (a regional BigQuery job is not found without it). */
  getJob(jobId: string, location?: string): Promise<JobState>;
  /** Results of a finished job; throws not_found when the job is unknown or its results are gone. */
  getResults(jobId: string, maxRows: number, maxResultBytes: number, location?: string): Promise<QueryResult>;
  /** Asks the warehouse to stop the job. Only asks: the job may still finish, so callers poll getJob. */
  cancel(jobId: string, location?: string): Promise<void>;
  close(): Promise<void>;
}

// ---------------------------------------------------------------- analysis, identity, time

export interface AnalysisContext {
  readonly defaultProject: string;
  readonly defaultDataset?: string;
}

export interface Analyser {
  analyse(sql: string, context: AnalysisContext): Promise<Analysis>;
}

export interface Authenticator {
  /** Resolves the caller, or throws LedgergateError('unauthenticated') with a reason in details.reason. */
  authenticate(bearerToken: string): Promise<Principal>;
}

export interface Clock {
  now(): Date;
}

export interface IdGenerator {
  next(): string;
}

/** Signs evidence seals and manifests with the gateway's key. */
export interface Signer {
  sign(payload: Uint8Array): Promise<string>;
  /** The public keys, current and retired, as a JWKS. */
  publicKeys(): Promise<{ keys: Record<string, unknown>[] }>;
  keyId(): string;
}

// ---------------------------------------------------------------- logging

/** Structured logging; winston implements it (src/adapters/logging). Fields never carry raw protected values. */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

// ---------------------------------------------------------------- masking (between the warehouse and the agent)

export interface MaskedResult {
  readonly columns: ColumnDescription[];
  readonly rows: Record<string, CellValue>[];
  readonly maskedColumns: ResultMasked['maskedColumns'];
  readonly detectorHits: ResultMasked['detectorHits'];
  readonly resultHash: string;
}

export interface ResultMasker {
  mask(input: { analysis: Analysis; result: QueryResult; policy: Policy }): Promise<MaskedResult>;
}

// ---------------------------------------------------------------- approval webhook

export type ApprovalNoticeKind = WebhookDelivered['event'];

/** What a webhook message says; free text in it comes from users and must be escaped by the poster. */
export interface ApprovalNotice {
  readonly kind: ApprovalNoticeKind;
  readonly requestId: string;
  readonly sql: string;
  readonly requester: { readonly subject: string; readonly email?: string; readonly actor?: string };
  readonly reason: string;
  readonly rule: string;
  readonly tables: readonly string[];
  readonly costEstimateUsd: number | null;
  readonly required: number;
  readonly approverGroups: readonly string[];
  readonly expiresAt: string;
  /** Who approved (approved) or rejected (rejected). */
  readonly decidedBy?: readonly string[];
  readonly comment?: string;
}

export type WebhookOutcome =
  | { readonly ok: true; readonly status: number; readonly attempts: number }
  | { readonly ok: false; readonly error: string; readonly attempts: number };

export interface WebhookPoster {
  /** Delivers with its own retries and timeouts; never throws. */
  post(notice: ApprovalNotice, signal: AbortSignal): Promise<WebhookOutcome>;
}
