/**
 * Keeps WebAssembly on V8's baseline compiler (Liftoff) for the whole process; see polyglot-engine.ts
 * for why. A module of its own because a module's imports run before its body: polyglot-engine.ts
 * imports this first, so the flag is set before the SDK's WebAssembly compiles.
 */
import { setFlagsFromString } from 'node:v8';

setFlagsFromString('--liftoff-only');
