import { ROUTES } from '@intent/resources';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../default-config';
import { configure, cursorToken, signedToken, TWO_PODS, upsert } from './accounts-helpers';
import { startTestStack, stopTestStack, type TestStack } from './harness';

/**
 * Every admin, marketing and SDR route of the API (the `api` function's entries of ROUTES)
 * under random paths, query strings, cursors, bodies, content types and keys: whatever comes
 * in, the answer is the contract's error shape or a success, never a 5xx. Seeded, so a failure
 * replays; a few hundred requests, so it runs in seconds.
 */
const SEED = 20261130;
const RUNS = 400;

const apiRoutes = ROUTES.filter((r) => r.function === 'api');

/** `value` with its `pick`-th leaf (modulo their number) replaced by `by`: nearly valid input. */
function withLeafReplaced(value: unknown, pick: number, by: unknown): unknown {
  const leaves: { parent: Record<string, unknown>; key: string }[] = [];
  const walk = (node: unknown) => {
    if (!node || typeof node !== 'object') return;
    for (const [key, child] of Object.entries(node)) {
      leaves.push({ parent: node as Record<string, unknown>, key });
      walk(child);
    }
  };
  const copy = structuredClone(value);
  walk(copy);
  const leaf = leaves[pick % Math.max(1, leaves.length)];
  if (leaf) leaf.parent[leaf.key] = by;
  return copy;
}

describe('API fuzz: no input makes a 5xx', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack();
    await configure(stack, 'pods', TWO_PODS);
    await configure(stack, 'audiences', {
      audiences: [{ id: 'all', name: 'Everyone', filter: {} }],
    });
    await upsert(stack, [
      { domain: 'acme.example', name: 'Acme', country: 'US' },
      { domain: 'globex.example', name: '=HYPERLINK("x")', country: 'GB' },
    ]);
  });
  afterAll(() => stopTestStack(stack));

  // Values near the real ones reach deep into the handlers; random ones test the edges.
  const junk = fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.constantFrom('%', '%E0%A4%A', '..', '%2F', 'x'.repeat(300), '%00', 'WWW.ACME.EXAMPLE', '-1', '1e400'),
  );
  const real: Record<string, string[]> = {
    podId: ['default', 'na'],
    domain: ['acme.example', 'globex.example'],
    section: ['sites', 'topics', 'signals', 'icp', 'pods', 'audiences', 'sla', 'destinations'],
    id: ['all'],
    anonymousId: ['anon-1'],
  };
  const word = fc.oneof(fc.constantFrom(...Object.values(real).flat()), junk);
  const param = (name: string) => fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...(real[name] ?? ['x'])) }, junk);
  // Cursors: garbage, and forgeries shaped like the real ones (a pod queue's index position, an
  // audience's log position) with fields missing, mistyped, of another pod, or past the end.
  const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
  // Forgeries are signed as the stack signs (as if by someone holding its secret), so they reach
  // the checks of their shape; unsigned ones are refused before any.
  const token = (value: unknown) => signedToken(stack, value);
  const cursor = fc.oneof(
    fc.string({ maxLength: 60 }),
    fc.jsonValue().map(cursorToken),
    fc.jsonValue().map(token),
    fc
      .record({
        a: word,
        s: fc.oneof(fc.nat(5), fc.integer(), fc.double(), fc.constant(1e300)),
        k: maybe(word),
        m: maybe(fc.oneof(fc.constantFrom('full', 'delta', 'export'), word)),
      })
      .map(token),
    fc
      .record({
        pk: maybe(fc.oneof(fc.constant('ACCT#acme.example'), word)),
        sk: maybe(fc.oneof(fc.constant('A'), fc.integer())),
        gsi1pk: maybe(fc.constantFrom('QUEUE#na', 'QUEUE#default', 'QUEUE#')),
        gsi1sk: maybe(fc.oneof(fc.constant('0200#acme.example'), word)),
      })
      .map(token),
  );
  const query = fc.dictionary(
    fc.constantFrom('limit', 'cursor', 'page', 'format', 'from', 'to', 'status', 'topic', 'site'),
    fc.oneof(
      word,
      cursor,
      fc.integer().map(String),
      fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
    ),
    { maxKeys: 2 },
  );
  // A configuration section, the current one or the defaults, with one value anywhere in it
  // replaced: past the schema's first checks, into bounds and the work a change starts.
  const sections = Object.entries(defaultConfig()).filter(([name]) => name !== 'revisions');
  const nearlyValidSection = fc
    .tuple(fc.constantFrom(...sections), fc.nat(), fc.oneof(fc.jsonValue(), fc.constantFrom(1e308, -1, 0, 1e6, '', [])))
    .map(([[, value], pick, by]) => JSON.stringify(withLeafReplaced(value, pick, by)));
  const body = fc.oneof(
    nearlyValidSection,
    fc.constant(undefined),
    fc.jsonValue().map((v) => JSON.stringify(v)),
    fc.string({ maxLength: 200 }),
    fc
      .record({
        name: maybe(word),
        scopes: maybe(fc.array(fc.oneof(word, fc.constantFrom('admin', 'sdr:*', 'sdr:na', 'marketing')))),
        sdr: maybe(word),
        outcome: maybe(fc.constantFrom('accepted', 'rejected', 'closed_won', 'nope')),
        accounts: maybe(fc.array(fc.dictionary(word, fc.jsonValue()), { maxLength: 3 })),
        ranges: maybe(fc.array(fc.record({ cidr: word, domain: word }), { maxLength: 3 })),
        pods: maybe(fc.jsonValue()),
        sites: maybe(fc.jsonValue()),
        audiences: maybe(fc.jsonValue()),
      })
      .map((v) => JSON.stringify(v)),
    fc.array(fc.array(word, { maxLength: 4 }), { maxLength: 4 }).map((rows) => rows.map((r) => r.join(',')).join('\n')),
  );
  const request = fc.constantFrom(...apiRoutes).chain((route) =>
    fc.record({
      route: fc.constant(route),
      path: fc.tuple(...[...route.path.matchAll(/\{([^}]+)\}/g)].map((m) => param(m[1] ?? ''))).map((values) => {
        let i = 0;
        return route.path.replace(/\{[^}]+\}/g, () => encodeURIComponent(values[i++] ?? ''));
      }),
      // Most requests carry a cursor or a page token besides whatever else the query holds.
      query: fc
        .tuple(query, maybe(fc.tuple(fc.constantFrom('cursor', 'page'), cursor)))
        .map(([q, named]) => (named ? { ...q, [named[0]]: named[1] } : q)),
      body,
      contentType: fc.constantFrom(undefined, 'application/json', 'text/csv', 'text/plain', 'application/x-www-form-urlencoded'),
      // Mostly the admin key (it holds every scope), so most requests get past authentication.
      key: fc.oneof({ weight: 6, arbitrary: fc.constant('admin') }, fc.constantFrom('sdr', 'marketing', 'none', 'forged')),
    }),
  );

  it(`answers ${RUNS} random requests over every API route without a 5xx`, async () => {
    const keys: Record<string, string | undefined> = {
      admin: stack.secrets.adminKey,
      sdr: stack.secrets.sdrKey,
      marketing: stack.secrets.marketingKey,
      none: undefined,
      forged: 'ik_forged_0000000000000000000000',
    };
    const seen = new Set<string>();
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const path = r.path;
        const qs = new URLSearchParams(r.query).toString();
        const res = await stack.api(`${path}${qs ? `?${qs}` : ''}`, {
          method: r.route.method,
          key: keys[r.key],
          headers: r.contentType ? { 'content-type': r.contentType } : {},
          ...(r.body !== undefined && r.route.method !== 'GET' ? { body: r.body } : {}),
        });
        seen.add(`${r.route.method} ${r.route.path}`);
        if (r.route.path.includes('queue'))
          require('node:fs').appendFileSync('/tmp/fuzzlog', `${r.key} ${path}?${qs} ${res.status}\n`);
        if (res.status >= 500) throw new Error(`${r.route.method} ${path}?${qs} -> ${res.status} ${JSON.stringify(res.body)}`);
        if (res.status >= 400) expect(res.body?.error?.code).toMatch(/^[a-z_]+$/);
      }),
      { seed: SEED, numRuns: RUNS },
    );
    // Every route was exercised, so a route added later is fuzzed too.
    expect([...seen].sort()).toEqual(apiRoutes.map((r) => `${r.method} ${r.path}`).sort());
  }, 60_000);
});
