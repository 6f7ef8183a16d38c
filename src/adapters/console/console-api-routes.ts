/**
 * Console-only JSON, behind the same bearer authentication as the rest of /v1: who the caller is (so
 * the page offers the views that will work for them) and which masking rules cover given tables (so an
 * approver sees which columns a pending query would get masked).
 */
import { Router } from 'express';
import { LedgergateError } from '../../domain/errors.js';
import { compileGlobs } from '../../domain/policy/glob.js';
import type { Policy } from '../../domain/policy/types.js';
import { principalOf } from '../http/authenticate.js';

export interface ConsoleApiOptions {
  readonly policy: () => Policy;
  /** Groups whose members may decide approvals. */
  readonly approverGroups: () => readonly string[];
  /** Groups whose members may read audit data (auditors plus approvers). */
  readonly auditGroups: () => readonly string[];
}

const maxTables = 50;

export function consoleApiRoutes(options: ConsoleApiOptions): Router {
  const router = Router();

  router.get('/v1/console/me', (_req, res) => {
    const principal = principalOf(res);
    const inAny = (groups: readonly string[]) => principal.groups.some((g) => groups.includes(g));
    res.json({
      subject: principal.subject,
      ...(principal.email ? { email: principal.email } : {}),
      ...(principal.actor ? { actor: principal.actor.subject } : {}),
      groups: principal.groups,
      roles: { approver: inAny(options.approverGroups()), auditor: inAny(options.auditGroups()) },
    });
  });

  router.get('/v1/console/masking', (req, res) => {
    if (!principalOf(res).groups.some((g) => options.auditGroups().includes(g))) {
      throw new LedgergateError('forbidden', 'Only approvers and auditors may read masking rules');
    }
    const raw = req.query.table;
    const tables = (Array.isArray(raw) ? raw : [raw]).filter((t): t is string => typeof t === 'string' && t.length > 0 && t.length <= 1024);
    if (tables.length > maxTables) throw new LedgergateError('invalid_request', `At most ${maxTables} tables`);
    const rules = options.policy().masking.columns;
    const items = tables.flatMap((table) =>
      rules.filter((rule) => compileGlobs([rule.table])(table)).map((rule) => ({ table, column: rule.column, rule: rule.rule })),
    );
    res.json({ items });
  });

  return router;
}
