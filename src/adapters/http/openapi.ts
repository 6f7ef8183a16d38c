/**
 * The OpenAPI 3.1 description of the gateway, built from the same TypeBox schemas that validate
 * request bodies (schemas.ts); responses are described by schemas of the views the routes send.
 */
import { Type, type TSchema } from '@sinclair/typebox';
import { approvalStatuses, publicStatuses, requestStatuses } from '../../domain/request/request-status.js';
import { DecisionBody, SubmitQueryBody } from './schemas.js';

const Str = Type.String();
const StrList = Type.Array(Type.String());
const Opt = <T extends TSchema>(schema: T) => Type.Optional(schema);
const statuses = publicStatuses;

const Problem = Type.Object(
  {
    type: Type.String({ description: 'urn:ledgergate:problem:<code>' }),
    title: Str,
    status: Type.Integer(),
    detail: Str,
    code: Type.String({ description: 'Machine-readable error code' }),
    instance: Opt(Str),
    traceId: Opt(Type.String({ description: 'Finds the call in the gateway log' })),
    id: Opt(Type.String({ description: 'The query id, when the problem concerns a recorded query' })),
    rule: Opt(Type.String({ description: 'The deciding policy rule (403 denied_by_policy)' })),
    queryStatus: Opt(Type.Union(statuses.map((s) => Type.Literal(s)))),
    reason: Opt(Type.String({ description: 'Why authentication failed (401)' })),
  },
  { additionalProperties: true, description: 'RFC 9457 problem details' },
);

const Column = Type.Object({ name: Str, type: Str, masked: Opt(Type.String({ description: 'Mask rule applied to this column' })) });

const QueryView = Type.Object({
  id: Str,
  status: Type.Union(statuses.map((s) => Type.Literal(s))),
  decision: Opt(Type.Object({ effect: Type.Union([Type.Literal('allow'), Type.Literal('approve'), Type.Literal('deny')]), rule: Str, policyHash: Str, reasons: StrList })),
  columns: Opt(Type.Array(Column)),
  rows: Opt(Type.Array(Type.Record(Type.String(), Type.Unknown()), { description: 'Result rows, protected values masked' })),
  rowCount: Opt(Type.Integer()),
  truncated: Opt(Type.Boolean()),
  bytesProcessed: Opt(Type.Number()),
  approval: Opt(
    Type.Object({
      rule: Str,
      approverGroups: StrList,
      required: Type.Integer(),
      approvals: Type.Array(Type.Object({ subject: Str, email: Opt(Str), decision: Str, comment: Opt(Str) })),
      expiresAt: Type.String({ format: 'date-time' }),
    }),
  ),
  tables: Opt(StrList),
  costEstimateUsd: Opt(Type.Number()),
  bytesEstimate: Opt(Type.Number()),
  error: Opt(Type.Object({ code: Str, message: Str })),
  requestedAt: Type.String({ format: 'date-time' }),
  finishedAt: Opt(Type.String({ format: 'date-time' })),
  sessionId: Opt(Str),
  poll: Opt(Type.String({ description: 'Where to long-poll while pending or running' })),
});

const Approval = Type.Object({
  id: Str,
  requestId: Str,
  sql: Str,
  sqlHash: Str,
  requester: Type.Object({ subject: Str, email: Opt(Str), actor: Opt(Str) }),
  reason: Str,
  rule: Str,
  tables: StrList,
  statements: StrList,
  bytesEstimate: Type.Union([Type.Number(), Type.Null()]),
  costEstimateUsd: Type.Union([Type.Number(), Type.Null()]),
  approverGroups: StrList,
  required: Type.Integer(),
  approvals: Type.Array(Type.Object({ subject: Str, email: Opt(Str), at: Str, comment: Opt(Str) })),
  requestedAt: Str,
  expiresAt: Str,
  sessionId: Str,
  status: Type.Union(approvalStatuses.map((s) => Type.Literal(s))),
  plannedMasking: Type.Array(Column),
  canDecide: Type.Boolean(),
});

const AccessLogRow = Type.Object({
  time: Str, requestId: Str, subject: Str, email: Str, actor: Str, groups: StrList, clientIp: Str, userAgent: Str, sessionId: Str,
  channel: Str, sql: Type.String({ description: 'The SQL; its first 65,536 characters when longer (the whole text is in the session replay and the evidence)' }), sqlHash: Type.String({ description: 'SHA-256 of the whole SQL text' }), sqlLength: Type.Integer({ description: 'Characters in the whole SQL text' }), reason: Str, tables: StrList, statements: StrList, decision: Str, rule: Str, policyHash: Str,
  approvers: Type.Array(Type.Object({ subject: Str, email: Opt(Str), decision: Str, at: Str, comment: Opt(Str) })),
  status: Type.Union(requestStatuses.map((s) => Type.Literal(s))), error: Str, jobId: Str, rows: Type.Union([Type.Integer(), Type.Null()]), bytesProcessed: Type.Union([Type.Number(), Type.Null()]),
  maskedColumns: StrList, detectorHits: Type.Integer(), finishedAt: Str, position: Type.Integer(),
});

const RecordedEvent = Type.Object({
  position: Type.Integer(), stream: Str, revision: Type.Integer(), type: Str, occurredAt: Str, recordedAt: Str,
  data: Type.Unknown(), metadata: Type.Record(Type.String(), Type.Unknown()), hash: Opt(Str),
});

const Jwks = Type.Object({ keys: Type.Array(Type.Record(Type.String(), Type.Unknown())) });

const JsonRpcMessage = Type.Object(
  { jsonrpc: Type.Literal('2.0'), id: Opt(Type.Union([Type.String(), Type.Integer()])), method: Opt(Str), params: Opt(Type.Unknown()), result: Opt(Type.Unknown()), error: Opt(Type.Unknown()) },
  { additionalProperties: true, description: 'A JSON-RPC 2.0 message of the Model Context Protocol' },
);

const schemas: Record<string, TSchema> = {
  Problem, SubmitQueryBody, DecisionBody, QueryView, Approval,
  ApprovalList: Type.Object({ items: Type.Array(Type.Ref('Approval')), count: Type.Integer() }),
  AccessLogRow,
  AccessLogPage: Type.Object({ items: Type.Array(Type.Ref('AccessLogRow')), count: Type.Integer() }),
  SessionList: Type.Object({ items: Type.Array(Type.Object({ sessionId: Str, firstAt: Str, lastAt: Str, streams: Type.Integer() })) }),
  SessionReplay: Type.Object({ sessionId: Str, count: Type.Integer(), events: Type.Array(RecordedEvent) }),
  EvidenceBundle: Type.Object(
    { format: Str, events: Type.Array(Type.Record(Type.String(), Type.Unknown())), seals: Type.Array(Type.Record(Type.String(), Type.Unknown())), keys: Jwks, manifest: Type.Record(Type.String(), Type.Unknown()), manifestSignature: Str },
    { description: 'Feed it to `ledgergate verify`' },
  ),
  Jwks,
  Health: Type.Object({ status: Type.Literal('ok'), eventStorePosition: Type.Integer() }),
  JsonRpcMessage,
};

/** TypeBox marks its schemas with symbols and uses bare `$ref` ids; the document wants plain JSON and component paths. */
function plain(schema: TSchema): unknown {
  return JSON.parse(JSON.stringify(schema), (key, value: unknown) =>
    key === '$ref' && typeof value === 'string' && !value.startsWith('#') ? `#/components/schemas/${value}` : value,
  );
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (name: string) => ({ 'application/json': { schema: ref(name) } });
const ok = (description: string, content: Record<string, unknown>) => ({ description, content });
const problems = (...statuses: number[]) => Object.fromEntries(statuses.map((s) => [String(s), { $ref: `#/components/responses/Problem${s}` }]));
const problemTexts: Record<number, string> = {
  400: 'Malformed request', 401: 'Missing or invalid bearer token', 403: 'Not allowed (denied by policy: with `id` and `rule`)',
  404: 'Not found (or not visible to the caller)', 405: 'Method not allowed', 409: 'Already decided or expired', 413: 'Body too large',
  422: 'Statement over an analysis limit (recorded and denied: with `id` and `rule`)',
  429: 'Rate limited', 500: 'Internal error', 503: 'Event store unavailable, or a read model being rebuilt (code `read_model_rebuilding`); `Retry-After` says when to retry',
};
const query = (name: string, description: string, schema: unknown = { type: 'string' }) => ({ name, in: 'query', required: false, description, schema });
const path = (name: string) => ({ name, in: 'path', required: true, schema: { type: 'string' } });
const period = [query('from', 'Start (ISO-8601)', { type: 'string', format: 'date-time' }), query('to', 'End (ISO-8601)', { type: 'string', format: 'date-time' })];
const publicOp = { security: [] };
const queryAnswers = {
  '200': ok('The query finished: rows (masked) and the decision', json('QueryView')),
  '202': ok('Pending approval or running: poll GET /v1/queries/{id}?wait=N', json('QueryView')),
};

export function openApiDocument(options: { version: string }): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: {
      title: 'ledgergate',
      version: options.version,
      summary: 'Identity-aware, auditable gateway between AI coding agents and BigQuery',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    security: [{ bearerAuth: [] }],
    paths: {
      '/v1/queries': {
        post: {
          operationId: 'submitQuery', summary: 'Submit SQL: analysed, judged by policy, recorded, run when allowed',
          parameters: [{ name: 'X-Session-Id', in: 'header', required: false, schema: { type: 'string' }, description: "Groups an agent's calls into one session" }],
          requestBody: { required: true, content: json('SubmitQueryBody') },
          responses: { ...queryAnswers, ...problems(400, 401, 403, 413, 422, 429, 500) },
        },
      },
      '/v1/queries/{id}': {
        parameters: [path('id')],
        get: { operationId: 'getQuery', summary: 'A query for its requester, approvers and auditors', parameters: [query('wait', 'Seconds to long-poll for a final status', { type: 'number', minimum: 0 })], responses: { ...queryAnswers, ...problems(400, 401, 403, 404, 429) } },
        delete: { operationId: 'cancelQuery', summary: 'Cancel a pending or running query', responses: { ...queryAnswers, ...problems(401, 403, 404, 409, 429) } },
      },
      '/v1/queries/{id}/decisions': {
        parameters: [path('id')],
        post: { operationId: 'decideQuery', summary: 'Approve or reject a pending query', requestBody: { required: true, content: json('DecisionBody') }, responses: { '200': ok('The decision was recorded', json('QueryView')), ...problems(400, 401, 403, 404, 409, 429) } },
      },
      '/v1/approvals': {
        get: { operationId: 'listApprovals', summary: 'Requests waiting for a decision (approvers and auditors)', parameters: [query('status', 'Which approvals', { type: 'string', enum: ['pending', ...approvalStatuses.filter((s) => s !== 'pending_approval'), 'all'], default: 'pending' })], responses: { '200': ok('Approvals, oldest first', json('ApprovalList')), ...problems(400, 401, 403, 429, 503) } },
      },
      '/v1/audit/access-log': {
        get: {
          operationId: 'accessLog', summary: 'One row per request (auditors and approvers)',
          parameters: [...period, query('principal', 'Subject or email'), query('session', 'Session id'), query('decision', 'allow, approve or deny'), query('status', 'Query status'), query('format', 'Output format', { type: 'string', enum: ['jsonl', 'csv', 'json'], default: 'jsonl' })],
          responses: {
            '200': ok('The access log', {
              'application/x-ndjson': { schema: ref('AccessLogRow'), description: 'One JSON row per line' },
              'text/csv': { schema: { type: 'string' } },
              'application/json': { schema: ref('AccessLogPage') },
            }),
            ...problems(400, 401, 403, 429, 503),
          },
        },
      },
      '/v1/sessions': { get: { operationId: 'listSessions', summary: 'Sessions, newest first (auditors and approvers)', responses: { '200': ok('Sessions', json('SessionList')), ...problems(401, 403, 429, 503) } } },
      '/v1/sessions/{sessionId}': {
        parameters: [path('sessionId')],
        get: { operationId: 'replaySession', summary: 'Every event of a session, in order', responses: { '200': ok('The replay', json('SessionReplay')), ...problems(401, 403, 404, 429, 503) } },
      },
      '/v1/evidence': { get: { operationId: 'evidenceBundle', summary: 'A signed evidence bundle for a period', parameters: period, responses: { '200': ok('The bundle', json('EvidenceBundle')), ...problems(400, 401, 403, 429) } } },
      '/v1/evidence/keys': { get: { ...publicOp, operationId: 'evidenceKeys', summary: 'Public keys that verify evidence seals', responses: { '200': ok('JWKS', { 'application/jwk-set+json': { schema: ref('Jwks') } }) } } },
      '/$discovery/rest': {
        get: {
          ...publicOp, operationId: 'bigQueryDiscovery',
          summary: 'Discovery document of the BigQuery REST v2 API the gateway also serves (at /bigquery/v2/… and at the root, errors in BigQuery\'s envelope): bq and the client libraries read it; see docs/bigquery-api.md',
          parameters: [query('version', 'API version', { type: 'string', enum: ['v2'] })],
          responses: { '200': ok('A Google API discovery document rooted at this gateway', { 'application/json': { schema: { type: 'object' } } }) },
        },
      },
      '/healthz': { get: { ...publicOp, operationId: 'health', summary: 'Serving and the event store readable', responses: { '200': ok('Healthy', json('Health')), ...problems(503) } } },
      '/openapi.json': { get: { ...publicOp, operationId: 'openApi', summary: 'This document', responses: { '200': ok('OpenAPI 3.1', { 'application/json': { schema: { type: 'object' } } }) } } },
      '/metrics': {
        get: {
          operationId: 'metrics', summary: 'Prometheus metrics: loopback callers, or the metrics token (LEDGERGATE_METRICS_TOKEN)',
          security: [{}, { metricsToken: [] }],
          responses: { '200': ok('Prometheus text exposition format', { 'text/plain': { schema: { type: 'string' } } }), ...problems(401, 403) },
        },
      },
      '/mcp': {
        post: {
          operationId: 'mcp', summary: 'Model Context Protocol, Streamable HTTP (stateless): tools run_query, get_query, list_datasets, list_tables, describe_table',
          requestBody: { required: true, content: json('JsonRpcMessage') },
          responses: { '200': ok('The JSON-RPC answer', json('JsonRpcMessage')), '202': { description: 'Notification accepted' }, ...problems(400, 401, 429) },
        },
        get: { operationId: 'mcpStream', summary: 'Not offered: the endpoint is stateless', responses: problems(401, 405) },
        delete: { operationId: 'mcpEndSession', summary: 'Not offered: the endpoint is stateless', responses: problems(401, 405) },
      },
    },
    components: {
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'OIDC access token' },
        metricsToken: { type: 'http', scheme: 'bearer', description: 'The value of LEDGERGATE_METRICS_TOKEN' },
      },
      schemas: Object.fromEntries(Object.entries(schemas).map(([name, schema]) => [name, plain(schema)])),
      responses: Object.fromEntries(
        Object.entries(problemTexts).map(([status, description]) => [`Problem${status}`, { description, content: { 'application/problem+json': { schema: ref('Problem') } } }]),
      ),
    },
  };
}
