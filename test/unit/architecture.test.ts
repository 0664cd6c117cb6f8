import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The layout's rules, read from the import statements: the platform never reaches into a
 * business context, contexts use each other only through their public `index.ts` and
 * never in a circle, and every context has the same inner shape.
 */
const root = join(import.meta.dirname, '..', '..');
const shared = join(root, 'shared');

const walk = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : path.endsWith('.ts') ? [path] : [];
  });

interface Import {
  from: string;
  to: string;
}

const imports: Import[] = walk(shared).flatMap((file) =>
  [...readFileSync(file, 'utf8').matchAll(/from\s+'(\.[^']+)'/g)].map((match) => ({
    from: relative(shared, file),
    to: relative(shared, normalize(join(dirname(file), match[1]!))).replace(/\.js$/, '.ts'),
  })),
);

const layerOf = (path: string) => path.split('/')[0]!;
/** `contexts/customers/service.ts` → `customers`; undefined outside contexts. */
const contextOf = (path: string) => (path.startsWith('contexts/') ? path.split('/')[1] : undefined);
const contexts = readdirSync(join(shared, 'contexts'));

describe('layout', () => {
  it('has exactly the platform, the contexts and the runtime that wires them', () => {
    expect(readdirSync(shared).sort()).toEqual(['contexts', 'platform', 'runtime']);
  });

  it('keeps the platform free of business contexts and of the runtime', () => {
    const offending = imports.filter((i) => layerOf(i.from) === 'platform' && layerOf(i.to) !== 'platform');
    expect(offending).toEqual([]);
  });

  it('lets contexts use each other only through their index.ts', () => {
    const offending = imports.filter((i) => {
      const [from, to] = [contextOf(i.from), contextOf(i.to)];
      return from && to && from !== to && !i.to.endsWith(`contexts/${to}/index.ts`);
    });
    expect(offending).toEqual([]);
  });

  it('has no circle among contexts', () => {
    const edges = new Map<string, Set<string>>(contexts.map((c) => [c, new Set()]));
    for (const i of imports) {
      const [from, to] = [contextOf(i.from), contextOf(i.to)];
      if (from && to && from !== to) edges.get(from)!.add(to);
    }
    const cycles: string[] = [];
    const visit = (node: string, path: string[]) => {
      for (const next of edges.get(node)!) {
        if (path.includes(next)) cycles.push([...path.slice(path.indexOf(next)), next].join(' → '));
        else visit(next, [...path, next]);
      }
    };
    for (const c of contexts) visit(c, [c]);
    expect(cycles).toEqual([]);
  });

  it.each(contexts)('gives context %s the common inner shape', (context) => {
    const files = readdirSync(join(shared, 'contexts', context));
    expect(files).toEqual(expect.arrayContaining(['index.ts', 'schemas.ts', 'service.ts']));
    // Declared types live in types.ts, not beside the logic.
    const service = readFileSync(join(shared, 'contexts', context, 'service.ts'), 'utf8');
    expect(service).not.toMatch(/^export (interface|type) /m);
  });
});
