/**
 * `/mcp`: the Model Context Protocol over Streamable HTTP, stateless. app.ts authenticates every call
 * under /mcp with the bearer token before this router runs, so each POST gets a fresh server and
 * transport bound to that caller: no MCP session outlives its HTTP request, and a token is never
 * trusted beyond the call it came with.
 *
 * The low-level `Server` is used rather than `McpServer` because the tools' arguments are JSON
 * Schemas (TypeBox, validated with ajv like the REST bodies), not zod shapes.
 */
import { Router, type Request, type Response } from 'express';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { callerOf } from '../http/caller.js';
import { sendProblem } from '../http/problem.js';
import type { LedgergateTools } from './ledgergate-tools.js';
import type { Logger } from '../../domain/ports.js';

export const mcpPath = '/mcp';

const instructions =
  'ledgergate runs BigQuery SQL for you under an access policy. Use list_datasets, list_tables and describe_table to find ' +
  'data (masked columns are marked), then run_query. Protected values come back masked. Writes and other risky requests ' +
  'wait for a person to approve them: run_query then answers status "pending_approval" with the query id; poll get_query ' +
  'with that id and a wait. Every request is recorded with your identity.';

/**
 * The MCP SDK (with zod and its schemas, ~16 MiB resident) is loaded on the first MCP call, not at
 * start: a gateway whose agents use only REST or the BigQuery API never pays for it.
 */
function loadSdk() {
  return Promise.all([
    import('@modelcontextprotocol/sdk/server/index.js'),
    import('@modelcontextprotocol/sdk/server/streamableHttp.js'),
    import('@modelcontextprotocol/sdk/types.js'),
  ]).then(([server, transport, types]) => ({
    Server: server.Server,
    StreamableHTTPServerTransport: transport.StreamableHTTPServerTransport,
    CallToolRequestSchema: types.CallToolRequestSchema,
    ListToolsRequestSchema: types.ListToolsRequestSchema,
  }));
}

export function mcpRoutes(deps: { tools: LedgergateTools; version: string; logger: Logger }): Router {
  const { tools, version, logger } = deps;
  const router = Router();
  let sdk: ReturnType<typeof loadSdk> | undefined;

  const serverFor = async (req: Request, res: Response): Promise<{ server: Server; transport: StreamableHTTPServerTransport }> => {
    const { Server, StreamableHTTPServerTransport, CallToolRequestSchema, ListToolsRequestSchema } = await (sdk ??= loadSdk());
    const caller = callerOf(req, res);
    const server = new Server({ name: 'ledgergate', version }, { capabilities: { tools: { listChanged: false } }, instructions });
    server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: tools.list() }));
    server.setRequestHandler(CallToolRequestSchema, (request) => tools.call(request.params.name, request.params.arguments ?? {}, caller));
    // Stateless (no session id) with plain JSON answers: one request, one answer, nothing kept.
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    return { server, transport };
  };

  router.post(mcpPath, async (req, res) => {
    try {
      const { server, transport } = await serverFor(req, res);
      res.on('close', () => {
        void transport.close();
        void server.close();
      });
      await server.connect(transport);
      await transport.handleRequest(req, res, req.body);
    } catch (error) {
      logger.error('mcp request failed', { error: error instanceof Error ? error.stack : String(error), traceId: res.locals.traceId });
      if (!res.headersSent) sendProblem(res, 500, 'internal', 'The MCP request could not be handled');
    }
  });

  // Stateless: no server-initiated stream to open (GET) and no session to end (DELETE).
  const notHere = (_req: Request, res: Response) => {
    res.setHeader('Allow', 'POST');
    sendProblem(res, 405, 'method_not_allowed', 'This MCP endpoint is stateless: send JSON-RPC messages with POST');
  };
  router.get(mcpPath, notHere);
  router.delete(mcpPath, notHere);
  return router;
}
