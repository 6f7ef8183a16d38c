/**
 * /openapi.json against the OpenAPI 3.1 rules that matter (no OAS validator is installed, so the
 * structural rules are checked here, and every schema is compiled as JSON Schema 2020-12 by ajv):
 * version, info, paths and operations, responses, parameters, security, resolvable $refs. Then the
 * document is held to the running gateway: every documented operation exists, the request bodies
 * are the schemas the gateway validates with, and real answers validate against the documented ones.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { DecisionBody, SubmitQueryBody } from '../../src/adapters/http/schemas.js';
import { call, startGatewayProcess, type GatewayProcess } from '../support/gateway-process.js';

type Json = Record<string, unknown>;
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv2020) => Ajv2020;
const methods = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** RFC 6901 pointer lookup inside the document. */
function resolvePointer(document: Json, ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  return ref
    .slice(2)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<unknown>((node, key) => (isObject(node) ? node[key] : undefined), document);
}

function* walk(node: unknown, path: string): Generator<[string, Json]> {
  if (Array.isArray(node)) for (const [i, item] of node.entries()) yield* walk(item, `${path}/${i}`);
  else if (isObject(node)) {
    yield [path, node];
    for (const [key, value] of Object.entries(node)) yield* walk(value, `${path}/${key}`);
  }
}

/** Every violation of the OpenAPI 3.1 structure rules this document can break; empty when valid. */
function openApi31Violations(document: Json): string[] {
  const errors: string[] = [];
  const need = (condition: unknown, message: string) => void (condition ? undefined : errors.push(message));
  need(typeof document.openapi === 'string' && /^3\.1\.\d+(-.+)?$/.test(document.openapi), 'openapi must be "3.1.x"');
  const info = document.info;
  need(isObject(info) && typeof info.title === 'string' && typeof info.version === 'string', 'info needs title and version');
  if (isObject(info) && isObject(info.license)) {
    need(typeof info.license.name === 'string', 'license needs a name');
    need(!(info.license.identifier && info.license.url), 'license has identifier or url, not both');
  }
  if (document.jsonSchemaDialect !== undefined) need(typeof document.jsonSchemaDialect === 'string' && /^https?:\/\//.test(document.jsonSchemaDialect), 'jsonSchemaDialect must be a URI');
  need(isObject(document.paths) || isObject(document.components) || isObject(document.webhooks), 'one of paths, components, webhooks is required');
  const allowedTop = ['openapi', 'info', 'jsonSchemaDialect', 'servers', 'paths', 'webhooks', 'components', 'security', 'tags', 'externalDocs'];
  for (const key of Object.keys(document)) need(allowedTop.includes(key) || key.startsWith('x-'), `unknown top-level field ${key}`);

  const components = isObject(document.components) ? document.components : {};
  for (const [kind, entries] of Object.entries(components)) {
    need(isObject(entries), `components.${kind} must be a map`);
    for (const name of Object.keys(isObject(entries) ? entries : {})) need(/^[a-zA-Z0-9._-]+$/.test(name), `component name ${kind}.${name} is not allowed`);
  }
  const schemes = isObject(components.securitySchemes) ? components.securitySchemes : {};
  for (const [name, scheme] of Object.entries(schemes)) {
    need(isObject(scheme) && ['apiKey', 'http', 'mutualTLS', 'oauth2', 'openIdConnect'].includes(String(scheme.type)), `security scheme ${name} has a bad type`);
    if (isObject(scheme) && scheme.type === 'http') need(typeof scheme.scheme === 'string', `http security scheme ${name} needs scheme`);
  }
  const checkSecurity = (security: unknown, where: string) => {
    if (security === undefined) return;
    need(Array.isArray(security), `${where}.security must be an array`);
    for (const requirement of Array.isArray(security) ? security : []) {
      for (const name of Object.keys(isObject(requirement) ? requirement : {})) need(name in schemes, `${where}.security names unknown scheme ${name}`);
    }
  };
  checkSecurity(document.security, 'document');

  const operationIds = new Set<string>();
  const paths = isObject(document.paths) ? document.paths : {};
  for (const [template, item] of Object.entries(paths)) {
    need(template.startsWith('/'), `path ${template} must start with /`);
    if (!isObject(item)) {
      errors.push(`path ${template} must be an object`);
      continue;
    }
    for (const key of Object.keys(item)) {
      need(['summary', 'description', 'servers', 'parameters', '$ref', ...methods].includes(key) || key.startsWith('x-'), `path ${template} has unknown field ${key}`);
    }
    const templated = [...template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
    for (const method of methods) {
      const operation = item[method];
      if (operation === undefined) continue;
      const where = `${method.toUpperCase()} ${template}`;
      if (!isObject(operation)) {
        errors.push(`${where} must be an object`);
        continue;
      }
      if (typeof operation.operationId === 'string') {
        need(!operationIds.has(operation.operationId), `${where}: operationId ${operation.operationId} is not unique`);
        operationIds.add(operation.operationId);
      }
      const parameters = [...(Array.isArray(item.parameters) ? item.parameters : []), ...(Array.isArray(operation.parameters) ? operation.parameters : [])].map((p) =>
        isObject(p) && typeof p.$ref === 'string' ? resolvePointer(document, p.$ref) : p,
      );
      for (const parameter of parameters) {
        if (!isObject(parameter)) {
          errors.push(`${where}: a parameter is not an object`);
          continue;
        }
        need(typeof parameter.name === 'string' && ['query', 'header', 'path', 'cookie'].includes(String(parameter.in)), `${where}: parameter needs name and in`);
        need((parameter.schema === undefined) !== (parameter.content === undefined), `${where}: parameter ${String(parameter.name)} needs exactly one of schema and content`);
        if (parameter.in === 'path') {
          need(parameter.required === true, `${where}: path parameter ${String(parameter.name)} must be required`);
          need(templated.includes(String(parameter.name)), `${where}: path parameter ${String(parameter.name)} is not in the template`);
        }
      }
      for (const name of templated) need(parameters.some((p) => isObject(p) && p.in === 'path' && p.name === name), `${where}: {${name}} is not declared`);
      if (operation.requestBody !== undefined) {
        const body = operation.requestBody;
        need(isObject(body) && (typeof body.$ref === 'string' || isObject(body.content)), `${where}: requestBody needs content`);
      }
      const responses = operation.responses;
      need(isObject(responses) && Object.keys(responses).length > 0, `${where}: responses must list at least one response`);
      for (const [status, response] of Object.entries(isObject(responses) ? responses : {})) {
        need(/^[1-5](\d\d|XX)$/.test(status) || status === 'default', `${where}: response key ${status} is not a status code`);
        const resolved = isObject(response) && typeof response.$ref === 'string' ? resolvePointer(document, response.$ref) : response;
        need(isObject(resolved) && typeof resolved.description === 'string', `${where} ${status}: a response needs a description`);
        if (isObject(resolved) && resolved.content !== undefined) {
          for (const media of Object.keys(isObject(resolved.content) ? resolved.content : {})) need(/^[\w.+-]+\/[\w.+-]+$/.test(media), `${where} ${status}: ${media} is not a media type`);
        }
      }
      checkSecurity(operation.security, where);
    }
  }
  for (const [at, node] of walk(document, '#')) {
    if (typeof node.$ref === 'string') need(resolvePointer(document, node.$ref) !== undefined, `${at}: $ref ${node.$ref} does not resolve`);
  }
  return errors;
}

/** Every schema object the document holds: components, parameters, bodies and responses. */
function schemasOf(document: Json): [string, Json][] {
  const found: [string, Json][] = [];
  for (const [at, node] of walk(document, '#')) {
    // A bare `$ref` adds nothing to compile: its target is a component (compiled below) and resolving it is checked above.
    const bareRef = isObject(node.schema) && Object.keys(node.schema).length === 1 && '$ref' in node.schema;
    if (isObject(node.schema) && !bareRef && (at.includes('/content/') || at.includes('/parameters/'))) found.push([`${at}/schema`, node.schema]);
  }
  const components = (document.components as Json).schemas as Json;
  for (const [name, schema] of Object.entries(components)) found.push([`#/components/schemas/${name}`, schema as Json]);
  return found;
}

function compilerFor(document: Json): Ajv2020 {
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: true });
  addFormats(ajv);
  // The document's own components, under their pointers, so `#/components/schemas/X` refs resolve.
  ajv.addSchema({ $id: 'urn:ledgergate:openapi', components: document.components }, 'urn:ledgergate:openapi');
  return ajv;
}

const component = (ajv: Ajv2020, name: string) => ajv.getSchema(`urn:ledgergate:openapi#/components/schemas/${name}`);

describe('/openapi.json', () => {
  let gateway: GatewayProcess;
  let document: Json;

  before(async () => {
    gateway = await startGatewayProcess({ timeoutMs: 120_000 });
    const answer = await call(`${gateway.url}/openapi.json`);
    assert.equal(answer.status, 200, 'public: no token needed');
    document = answer.body as Json;
  });
  after(async () => {
    await gateway.stop();
    gateway.cleanup();
  });

  it('follows the OpenAPI 3.1 structure rules', () => {
    assert.deepEqual(openApi31Violations(document), []);
  });

  it('the structure check catches broken documents (it is not vacuous)', () => {
    const broken = structuredClone(document);
    broken.openapi = '3.0.3';
    ((broken.paths as Json)['/v1/queries/{id}'] as Json).parameters = [];
    ((((broken.paths as Json)['/healthz'] as Json).get as Json).responses as Json)['200'] = { $ref: '#/components/responses/Nope' };
    delete (((broken.paths as Json)['/v1/approvals'] as Json).get as Json).responses;
    const violations = openApi31Violations(broken);
    assert.ok(violations.some((v) => v.includes('3.1.x')));
    assert.ok(violations.some((v) => v.includes('{id} is not declared')));
    assert.ok(violations.some((v) => v.includes('does not resolve')));
    assert.ok(violations.some((v) => v.includes('GET /v1/approvals: responses')));
  });

  it('every schema is valid JSON Schema 2020-12 (the declared dialect)', () => {
    assert.equal(document.jsonSchemaDialect, 'https://json-schema.org/draft/2020-12/schema');
    const ajv = compilerFor(document);
    const schemas = schemasOf(document);
    assert.ok(schemas.length > 15);
    for (const [at, schema] of schemas) {
      const rebased = JSON.parse(JSON.stringify(schema).replace(/"#\/components\//g, '"urn:ledgergate:openapi#/components/')) as Json;
      assert.doesNotThrow(() => ajv.compile(rebased), `${at} compiles`);
    }
  });

  it('describes every route of the contract and the extra ones, with problem+json errors and bearer security', () => {
    const paths = document.paths as Json;
    const expected: [string, string][] = [
      ['post', '/v1/queries'], ['get', '/v1/queries/{id}'], ['delete', '/v1/queries/{id}'], ['post', '/v1/queries/{id}/decisions'],
      ['get', '/v1/approvals'], ['get', '/v1/audit/access-log'], ['get', '/v1/sessions'], ['get', '/v1/sessions/{sessionId}'],
      ['get', '/v1/evidence'], ['get', '/v1/evidence/keys'], ['get', '/healthz'], ['post', '/mcp'], ['get', '/metrics'], ['get', '/openapi.json'],
    ];
    for (const [method, path] of expected) assert.ok(isObject((paths[path] as Json | undefined)?.[method]), `${method.toUpperCase()} ${path} is documented`);
    const schemes = (document.components as Json).securitySchemes as Json;
    assert.deepEqual(schemes.bearerAuth, { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'OIDC access token' });
    assert.deepEqual(document.security, [{ bearerAuth: [] }]);
    const submit = (paths['/v1/queries'] as Json).post as Json;
    const denied = resolvePointer(document, ((submit.responses as Json)['403'] as Json).$ref as string) as Json;
    assert.ok(isObject((denied.content as Json)['application/problem+json']));
  });

  it('request bodies are the very schemas the gateway validates with', () => {
    const schemas = (document.components as Json).schemas as Json;
    assert.deepEqual(schemas.SubmitQueryBody, JSON.parse(JSON.stringify(SubmitQueryBody)));
    assert.deepEqual(schemas.DecisionBody, JSON.parse(JSON.stringify(DecisionBody)));
  });

  it('every documented operation exists on the gateway', async () => {
    const auditor = await gateway.token({ sub: 'audrey', groups: ['auditors'] });
    for (const [path, item] of Object.entries(document.paths as Json)) {
      for (const method of methods.filter((m) => isObject((item as Json)[m]))) {
        if (path === '/v1/evidence') continue; // a full bundle download; covered by the evidence tests
        const url = `${gateway.url}${path.replace(/\{[^}]+\}/g, 'no-such-id')}`;
        const answer = await call(url, { method: method.toUpperCase(), token: auditor, ...(method === 'post' ? { body: {} } : {}) });
        const detail = String((answer.body as Json | undefined)?.detail ?? '');
        assert.ok(!detail.startsWith('No route for'), `${method.toUpperCase()} ${path} is served (got ${answer.status} ${detail})`);
      }
    }
  });

  it('real answers validate against the documented response schemas', async () => {
    const ajv = compilerFor(document);
    const agent = await gateway.token({ sub: 'agent-1', groups: ['ai-agents'] });
    const allowed = await call(`${gateway.url}/v1/queries`, { token: agent, body: { sql: 'SELECT customer_id, email FROM sales.customers LIMIT 2' } });
    assert.equal(allowed.status, 200, allowed.text);
    const queryView = component(ajv, 'QueryView');
    assert.ok(queryView?.(allowed.body), JSON.stringify(queryView?.errors));
    const pending = await call(`${gateway.url}/v1/queries`, { token: agent, body: { sql: 'DELETE FROM sales.orders WHERE order_id = 3' } });
    assert.equal(pending.status, 202, pending.text);
    assert.ok(queryView?.(pending.body), JSON.stringify(queryView?.errors));
    const denied = await call(`${gateway.url}/v1/queries`, { token: agent, body: { sql: 'DROP TABLE sales.orders' } });
    assert.equal(denied.status, 403);
    const problem = component(ajv, 'Problem');
    assert.ok(problem?.(denied.body), JSON.stringify(problem?.errors));
    const approver = await gateway.token({ sub: 'olga', groups: ['data-owners'] });
    const approvals = await call(`${gateway.url}/v1/approvals`, { token: approver });
    const approvalList = component(ajv, 'ApprovalList');
    assert.ok(approvalList?.(approvals.body), JSON.stringify(approvalList?.errors));
    assert.ok(((approvals.body as Json).items as unknown[]).length >= 1);
    const health = await call(`${gateway.url}/healthz`);
    assert.ok(component(ajv, 'Health')?.(health.body));
    assert.equal(queryView?.({ id: 'x', status: 'not-a-status', requestedAt: '2024-01-01T00:00:00Z' }), false, 'the schema rejects a wrong status');
  });
});
