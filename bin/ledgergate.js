#!/usr/bin/env node
// Runs the compiled CLI when it is up to date, otherwise the TypeScript sources through tsx: a
// checkout where someone edited src/ after the last build must never verify evidence with old code.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const compiled = join(root, 'dist', 'src', 'adapters', 'cli', 'main.js');
const sources = join(root, 'src');

function newestSourceMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSourceMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

const compiledIsCurrent = existsSync(compiled) && (!existsSync(sources) || statSync(compiled).mtimeMs >= newestSourceMtime(sources));
if (compiledIsCurrent) {
  await import(pathToFileURL(compiled).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(join(sources, 'adapters', 'cli', 'main.ts')).href);
}
