/**
 * The layering, checked from the import graph of src/ (static and dynamic imports, read with the
 * TypeScript compiler's own pre-processor): the domain is pure, projections depend only on the domain,
 * the application reaches the outside world only through ports, and an adapter uses another adapter
 * only through the modules that adapter offers to others. A new import that breaks a rule fails here,
 * naming the file and the import.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';
import { repoRoot } from '../support/gateway-process.js';

const srcDir = join(repoRoot, 'src');

/** Libraries the domain may use: computation only, no I/O (hashing, schemas, parsing, signature checks). */
const pureLibraries = new Set(['@sinclair/typebox', '@sinclair/typebox/value', 'ajv', 'ajv-formats', 'canonicalize', 'jose', 'node:crypto', 'rxjs', 'yaml']);

/**
 * What each adapter offers to other adapters; everything else in its folder is its own business.
 * The HTTP kit (problems, caller, authentication) is shared by every router; the rest are entry points.
 */
const adapterSurfaces: Readonly<Record<string, readonly string[]>> = {
  http: ['problem.ts', 'caller.ts', 'authenticate.ts'],
  identity: ['dev-issuer.ts', 'dev-authorize.ts', 'oidc-discovery.ts'],
  evidence: ['export.ts', 'bundle-file.ts'],
  console: ['console-api-routes.ts', 'console-wiring.ts'],
  mcp: ['ledgergate-tools.ts', 'mcp-routes.ts'],
  metrics: ['gateway-metrics.ts', 'http-metrics.ts', 'metrics-routes.ts'],
  // The PostgreSQL reader: the PostgreSQL warehouse uses it to tell a write from a read. The parser's
  // SDK, loaded one way for every user (its WebAssembly compiler setting must precede the first load).
  analysis: ['postgres/read-postgres.ts', 'polyglot-engine.ts'],
  // GoogleSQL → DuckDB: the analysis workers run it for the embedded warehouse, off the event loop.
  warehouse: ['googlesql-to-duckdb.ts'],
};

interface Import {
  /** Importing file, relative to src/ with forward slashes. */
  readonly from: string;
  /** The specifier as written. */
  readonly specifier: string;
  /** For a relative import: the target file relative to src/ (.ts); undefined for a package. */
  readonly target?: string;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

const fromSrc = (path: string): string => relative(srcDir, path).split(sep).join('/');

function importsOf(file: string): Import[] {
  const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  return info.importedFiles.map(({ fileName: specifier }) =>
    specifier.startsWith('.')
      ? { from: fromSrc(file), specifier, target: fromSrc(resolve(dirname(file), specifier.replace(/\.js$/, '.ts'))) }
      : { from: fromSrc(file), specifier },
  );
}

const allImports: readonly Import[] = sourceFiles(srcDir).flatMap(importsOf);

const layerOf = (path: string): string => (path.includes('/') ? path.split('/')[0] : 'root');
const adapterOf = (path: string): string | undefined => (path.startsWith('adapters/') ? path.split('/')[1] : undefined);
const describeImport = (i: Import): string => `${i.from} imports ${i.specifier}`;

/** Imports out of `layer` that break `allowed`. */
function violations(layer: string, allowed: (i: Import) => boolean): string[] {
  return allImports.filter((i) => layerOf(i.from) === layer && !allowed(i)).map(describeImport);
}

describe('layers', () => {
  it('reads a realistic import graph (the check below has something to check)', () => {
    assert.ok(allImports.length > 300, `only ${allImports.length} imports found`);
    for (const layer of ['domain', 'app', 'adapters', 'projections']) {
      assert.ok(allImports.some((i) => layerOf(i.from) === layer), `no file found in src/${layer}`);
    }
    assert.ok(allImports.some((i) => i.specifier === './adapters/eventstore/open-event-store.js' && i.target === 'adapters/eventstore/open-event-store.ts'));
  });

  it('keeps the domain pure: it imports only itself and computation-only libraries', () => {
    assert.deepEqual(
      violations('domain', (i) => (i.target ? layerOf(i.target) === 'domain' : pureLibraries.has(i.specifier))),
      [],
    );
  });

  it('keeps projections on the domain: they import neither the application, the adapters nor the root', () => {
    assert.deepEqual(
      violations('projections', (i) => !i.target || layerOf(i.target) === 'domain' || layerOf(i.target) === 'projections'),
      [],
    );
  });

  it('keeps the application on its ports: it imports no adapter and not the root', () => {
    assert.deepEqual(
      violations('app', (i) => !i.target || ['domain', 'app', 'projections'].includes(layerOf(i.target))),
      [],
    );
  });

  it('keeps adapters off the root (configuration, composition) and off each other’s internals', () => {
    assert.deepEqual(
      violations('adapters', (i) => {
        if (!i.target) return true;
        if (layerOf(i.target) === 'root') return false;
        const own = adapterOf(i.from);
        const other = adapterOf(i.target);
        if (!other || other === own) return true;
        return (adapterSurfaces[other] ?? []).includes(i.target.slice(`adapters/${other}/`.length));
      }),
      [],
    );
  });

  it('names only files that exist in the adapters’ surfaces', () => {
    for (const [adapter, files] of Object.entries(adapterSurfaces)) {
      for (const file of files) assert.ok(statSync(join(srcDir, 'adapters', adapter, file)).isFile(), `adapters/${adapter}/${file}`);
    }
  });
});
