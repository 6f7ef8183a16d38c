/**
 * Where the console's static files are. They are plain files in `<repo>/console`, not compiled, so the
 * same folder serves both `tsx src/main.ts` and the built `dist/src/main.js` (two levels deeper).
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { LedgergateError } from '../../domain/errors.js';

export function findConsoleAssets(start: string = import.meta.dirname): string {
  const candidates = [resolve(start, '..', '..', '..', 'console'), resolve(start, '..', '..', '..', '..', 'console')];
  const found = candidates.find((dir) => existsSync(join(dir, 'index.html')));
  if (!found) throw new LedgergateError('internal', `The console's files are missing (looked in ${candidates.join(', ')})`);
  return found;
}
