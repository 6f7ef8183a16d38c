/**
 * Every SQL statement the repository's tests already hold, read out of their source text: the string
 * literals (single, double or backtick quoted, without interpolation) that start like a statement.
 * Used as a differential corpus, so a mis-read escape only makes some other statement to compare.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const testRoot = fileURLToPath(new URL('../..', import.meta.url));
const statementStart = /^\s*(\(?\s*SELECT|WITH|INSERT|CREATE|EXPORT|UPDATE|DELETE|MERGE)\b/i;
const literal = /'((?:[^'\\\n]|\\.)*)'|"((?:[^"\\\n]|\\.)*)"|`((?:[^`\\$]|\\.|\$(?!\{))*)`/g;

function testFiles(directory: string): string[] {
  return readdirSync(directory).flatMap((name) => {
    const path = join(directory, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' ? [] : testFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

function unescape(text: string): string {
  return text.replace(/\\(.)/g, (_, character: string) => ({ n: '\n', t: '\t' })[character] ?? character);
}

export function corpusStatements(): string[] {
  const statements = new Set<string>();
  for (const file of testFiles(testRoot)) {
    for (const match of readFileSync(file, 'utf8').matchAll(literal)) {
      const text = unescape(match[1] ?? match[2] ?? match[3] ?? '');
      if (statementStart.test(text) && text.length < 5000) statements.add(text);
    }
  }
  return [...statements].sort();
}
