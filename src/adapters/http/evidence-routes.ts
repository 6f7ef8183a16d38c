/** GET /v1/evidence (a signed bundle, streamed) and GET /v1/evidence/keys (the public keys, as a JWKS). */
import { Router } from 'express';
import { LedgergateError } from '../../domain/errors.js';
import type { EventStore, Signer } from '../../domain/ports.js';
import { writeEvidenceBundle } from '../evidence/export.js';
import { parseTime, requireAuditor, type AuditAccess } from './audit-routes.js';

export function evidenceKeyRoutes(deps: { signer: Signer }): Router {
  const router = Router();
  router.get('/v1/evidence/keys', async (_req, res) => {
    res.type('application/jwk-set+json').send(JSON.stringify(await deps.signer.publicKeys()));
  });
  return router;
}

export function evidenceRoutes(deps: {
  store: EventStore;
  signer: Signer;
  access: AuditAccess;
  gatewayVersion: string;
  sealNow: () => Promise<void>;
  /** Told when an export fails after its first bytes went out (the response is then cut off). */
  onExportError?: (error: unknown) => void;
}): Router {
  const router = Router();
  router.get('/v1/evidence', async (req, res) => {
    requireAuditor(res, deps.access);
    const from = parseTime(req.query.from, 'from');
    const to = parseTime(req.query.to, 'to');
    if (from && to && from >= to) throw new LedgergateError('invalid_request', 'from must be before to');
    // Seal what is there now, so the bundle's tail is covered by a signature, not only by the manifest.
    await deps.sealNow().catch(() => undefined);
    res.type('application/json').setHeader('Content-Disposition', 'attachment; filename="ledgergate-evidence.json"');
    try {
      await writeEvidenceBundle({
        store: deps.store,
        signer: deps.signer,
        gatewayVersion: deps.gatewayVersion,
        out: res,
        ...(from ? { from } : {}),
        ...(to ? { to } : {}),
      });
    } catch (error) {
      if (!res.headersSent) throw error;
      // Half a bundle must not look whole: cut the connection so the client sees a broken download.
      deps.onExportError?.(error);
      res.destroy();
      return;
    }
    res.end();
  });
  return router;
}
