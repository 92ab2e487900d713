import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const readme = readFileSync(resolve(root, 'README.md'), 'utf8');
const scripts = Object.keys((JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as { scripts: object }).scripts);

describe('the README’s commands', () => {
  it('name only npm scripts that exist', () => {
    const named = [...new Set([...readme.matchAll(/npm run ([a-z][\w:-]*)/g)].map((m) => m[1]))];
    expect(named.length).toBeGreaterThan(3);
    expect(named.filter((name) => !scripts.includes(name as string))).toEqual([]);
  });
});
