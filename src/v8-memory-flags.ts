/**
 * V8 heap settings of the gateway process, set before anything else loads (main.ts imports this
 * first). Measured with `npm start` under 16 clients (bench/README.md, issue 19): V8's defaults let
 * the main heap grow to ~2–4× its live data under load (live ~35–50 MiB, heap 100–140 MiB), which
 * alone put the gateway over its 300 MB budget. None of these settings costs measurable CPU per request.
 *
 * - The old generation may grow to 1.5× what survived the last full collection, not up to 4×:
 *   a full collection comes sooner, and the heap stays near the live data.
 * - Isolates created from here on (the analysis workers) keep each young-generation half at 4 MiB
 *   instead of up to 16. The main thread's own young generation is sized when the process starts,
 *   which is why `npm start` and the Dockerfile also pass --max-semi-space-size=4 to node.
 * - No allocation-site pretenuring. V8 watches which allocation sites' objects survive scavenges and,
 *   past a threshold, allocates theirs straight in the old generation. Rebuilding read models
 *   (events parsed, folded, written, dropped page by page) tripped it at random: the same rebuild ran
 *   in two modes, ~20 MB or ~120 MB promoted, 2 or 12 full collections, 110–116k or 80–85k
 *   events/s (bench/README.md, "Projection rebuild, fifth pass"). Without it every run was in the fast
 *   mode; the request path measured the same in alternated gateway benches.
 */
import { setFlagsFromString } from 'node:v8';

setFlagsFromString('--heap-growing-percent=50');
setFlagsFromString('--max-semi-space-size=4');
setFlagsFromString('--no-allocation-site-pretenuring');
