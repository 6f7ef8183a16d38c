/**
 * @polyglot-sql/sdk, loaded with its WebAssembly kept on V8's baseline compiler (Liftoff). Import the
 * SDK from here, never from the package: the flag must be set before the module compiles.
 *
 * Why: the SDK is a 22 MB WebAssembly module. By default V8 recompiles its hot functions with the
 * optimising compiler (TurboFan) in the background, and that tier-up kept ~240 MiB more resident per
 * thread that loads the parser (measured: 116 MiB vs 358–380 MiB after 12,000 transpiles, Node 20) —
 * the main thread (DuckDB transpiling, executed lineage) and every analysis worker each paid it, most
 * of the gateway's memory. Baseline code is ~1.7× slower per call once warm (0.40 vs 0.23 ms per
 * transpile), which repeated statements never see (they are answered from the analysis and
 * transpile caches), and a first parse is faster (no optimising compile competing for the cores).
 * V8 flags are per process, so worker threads inherit it; other WebAssembly in the process (Node's
 * own small modules) is equally correct on baseline code.
 */
// First: sets the flag before the next line's module graph (the SDK's WebAssembly) is evaluated.
import './wasm-baseline-compiler.js';

export * from '@polyglot-sql/sdk';
