/**
 * The size caps and deadline around an analyser that runs on the event loop (no worker threads):
 * statements over a cap are refused before the parser sees them; the deadline turns a slow answer
 * into `analysis_limit`, though it cannot stop the parser already running — only workers can.
 */
import type { Analyser } from '../../../domain/ports.js';
import { measureStatement, overCap } from './statement-size.js';
import { limitError, type AnalysisLimits } from './worker-pool-analyser.js';

export function createCappedAnalyser(inner: Analyser, limits: AnalysisLimits): Analyser {
  return {
    analyse(sql, context) {
      const over = overCap(measureStatement(sql, limits), limits);
      if (over) return Promise.reject(limitError(over.message, over.measure));
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(limitError(`Analysing the statement took longer than ${limits.timeoutMs} ms`, 'timeout')), limits.timeoutMs);
        inner.analyse(sql, context).then(resolve, reject).finally(() => clearTimeout(timer));
      });
    },
  };
}
