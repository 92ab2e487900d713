import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const PACKAGES_DIR = join(ROOT, 'packages');

/**
 * Packages of the domain: what the pipeline computes and decides, with no persistence, no
 * transport, no cloud SDK and no environment. Everything else may depend on them, never the
 * other way round.
 */
const DOMAIN = ['audiences', 'calibration', 'config', 'events', 'fit', 'intent', 'qualify', 'resources', 'tracker'];
/** What no domain package may import: the layers above it and the AWS SDKs. */
const FORBIDDEN_IN_DOMAIN = [/^@intent\/(store|pipeline|http|local)$/, /^@aws-sdk\//, /^@aws-lambda-powertools\//, /^@middy\//];

interface WorkspacePackage {
  dir: string;
  name: string;
  declared: Set<string>;
  /** npm package names imported by its sources (type-only imports of `x` count as `@types/x` when that is what provides them). */
  imports: Map<string, string[]>;
  readsEnvironment: string[];
}

const SPECIFIER = /(?:\bfrom\s+|\bimport\s*\(\s*|\bimport\.meta\.resolve\s*\(\s*|\brequire(?:\.resolve)?\s*\(\s*)'([^']+)'/g;

function sourcesOf(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return sourcesOf(path);
    return /\.(ts|js)$/.test(entry) ? [path] : [];
  });
}

/** `@scope/name/sub` -> `@scope/name`, `name/sub` -> `name`; relative paths and builtins -> undefined. */
function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('node:') || builtinModules.includes(specifier)) return undefined;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

function workspacePackages(): WorkspacePackage[] {
  return readdirSync(PACKAGES_DIR).map((dir) => {
    const manifest = JSON.parse(readFileSync(join(PACKAGES_DIR, dir, 'package.json'), 'utf8'));
    const declared = new Set(Object.keys({ ...manifest.dependencies, ...manifest.devDependencies }));
    const imports = new Map<string, string[]>();
    const readsEnvironment: string[] = [];
    for (const file of sourcesOf(join(PACKAGES_DIR, dir, 'src'))) {
      const text = readFileSync(file, 'utf8');
      if (/\bprocess\.env\b/.test(text)) readsEnvironment.push(file);
      for (const [, specifier] of text.matchAll(SPECIFIER)) {
        const name = packageOf(specifier as string);
        if (!name) continue;
        // `aws-lambda` has types only: `@types/aws-lambda` provides it.
        const provider = name === 'aws-lambda' ? '@types/aws-lambda' : name;
        imports.set(provider, [...(imports.get(provider) ?? []), file.slice(ROOT.length + 1)]);
      }
    }
    return { dir, name: manifest.name, declared, imports, readsEnvironment };
  });
}

describe('workspace packages and their layers', () => {
  const packages = workspacePackages();

  it.each(packages.map((p) => [p.name, p] as const))('%s declares every package it imports', (_name, p) => {
    const undeclared = [...p.imports].filter(([name]) => name !== p.name && !p.declared.has(name));
    expect(Object.fromEntries(undeclared)).toEqual({});
  });

  it.each(packages.map((p) => [p.name, p] as const))('%s declares nothing it does not import', (_name, p) => {
    expect([...p.declared].filter((name) => !p.imports.has(name))).toEqual([]);
  });

  it.each(packages.filter((p) => DOMAIN.includes(p.dir)).map((p) => [p.name, p] as const))(
    'domain package %s imports no store, pipeline, http, local or AWS SDK, and reads no environment',
    (_name, p) => {
      const forbidden = [...p.imports].filter(([name]) => FORBIDDEN_IN_DOMAIN.some((f) => f.test(name)));
      expect(Object.fromEntries(forbidden)).toEqual({});
      expect(p.readsEnvironment).toEqual([]);
    },
  );

  it('has every domain package depend on domain packages alone', () => {
    const domainNames = new Set(packages.filter((p) => DOMAIN.includes(p.dir)).map((p) => p.name));
    for (const p of packages.filter((q) => DOMAIN.includes(q.dir)))
      for (const name of p.imports.keys())
        if (name.startsWith('@intent/')) expect(domainNames, `${p.name} -> ${name}`).toContain(name);
  });

  it('keeps no dependency at the top that nothing imports', () => {
    const root = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    const used = new Set(packages.flatMap((p) => [...p.imports.keys()]));
    for (const dir of ['functions', 'infra', 'scripts'])
      for (const file of sourcesOf(join(ROOT, dir)))
        for (const [, specifier] of readFileSync(file, 'utf8').matchAll(SPECIFIER)) {
          const name = packageOf(specifier as string);
          if (name) used.add(name);
        }
    // A peer of a package in use is in use (Powertools' parameters reads secrets through the Secrets Manager client).
    for (const name of [...used]) {
      const manifest = join(ROOT, 'node_modules', name, 'package.json');
      if (existsSync(manifest))
        for (const peer of Object.keys(JSON.parse(readFileSync(manifest, 'utf8')).peerDependencies ?? {})) used.add(peer);
    }
    expect(Object.keys(root.dependencies).filter((name) => !used.has(name))).toEqual([]);
  });
});
