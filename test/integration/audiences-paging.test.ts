import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectAndDrain, configure, send, upsert, visitEvents } from './accounts-helpers';
import { startTestStack, stopTestStack, type TestStack } from './harness';

/** What one page may weigh here: a few members, so 24 of them take several pages. */
const PAGE_BYTES = 2600;
/** The bytes an answer takes in Lambda's response payload (its body as a JSON string). */
const payloadBytes = (text: string) => Buffer.byteLength(JSON.stringify(text)) - 2;

/**
 * Long audience answers in pages on the real stack, with a page budget of 2,600 bytes: the
 * full membership, CSV exports and deltas each come in several pages, none over the budget,
 * that put together are the whole answer; a delta page asked again answers the same.
 */
describe('audience answers paged by bytes', () => {
  let stack: TestStack;
  const domains = Array.from({ length: 24 }, (_, i) => `co${String(i).padStart(2, '0')}.example`);
  // Quotes, commas and line breaks: what escaping makes longer in CSV and in the payload.
  const nameOf = (d: string) => `"${d.slice(0, 4)}", Holdings\r\nPLC`;
  let c0: string;

  const get = async (path: string) => {
    const res = await fetch(`${stack.baseUrl}${path}`, { headers: { authorization: `Bearer ${stack.secrets.marketingKey}` } });
    const text = await res.text();
    expect(res.status, text).toBe(200);
    expect(payloadBytes(text)).toBeLessThanOrEqual(PAGE_BYTES);
    return { text, headers: res.headers, body: res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : undefined };
  };
  /** Every page of a JSON listing, following `nextPage`. */
  const pages = async (path: string) => {
    const all: any[] = [];
    let page: string | undefined;
    do {
      const sep = path.includes('?') ? '&' : '?';
      const { body } = await get(page ? `${path}${sep}page=${encodeURIComponent(page)}` : path);
      all.push(body);
      page = body.nextPage;
    } while (page);
    return all;
  };

  beforeAll(async () => {
    stack = await startTestStack({ pageMaxBytes: PAGE_BYTES });
    await configure(stack, 'audiences', {
      audiences: [{ id: 'all', name: 'Hand-raisers', filter: { stages: ['hand_raiser'], excludeOutcomes: ['opportunity'] } }],
    });
    c0 = (await get('/v1/audiences/all/members')).body.cursor;
    expect(
      (
        await upsert(
          stack,
          domains.map((d) => ({ domain: d, name: nameOf(d), country: 'GB' })),
        )
      ).body.rejected,
    ).toEqual([]);
    await collectAndDrain(
      stack,
      domains.flatMap((d) => visitEvents(d, 'ann', ['pricing_view'])),
    );
  });
  afterAll(() => stopTestStack(stack));

  it('lists the full membership in pages under the budget that together are every member once', async () => {
    const listing = await pages('/v1/audiences/all/members');
    expect(listing.length).toBeGreaterThan(2);
    const listed = listing.flatMap((p) => p.members.map((m: { domain: string }) => m.domain));
    expect(listed).toEqual(domains);
    expect(listing[0].members[0]).toMatchObject({ domain: 'co00.example', name: nameOf('co00.example'), stage: 'hand_raiser' });
    // Every page carries the cursor of the listing's start: deltas from it miss nothing.
    expect(new Set(listing.map((p) => p.cursor)).size).toBe(1);
  });

  it('exports CSV in pages under the budget, each with the header row, that together are the whole list', async () => {
    for (const format of ['linkedin', 'generic']) {
      const rows: Record<string, string>[] = [];
      let header: string | undefined;
      let next: string | null = null;
      let count = 0;
      do {
        const query = `format=${format}${next ? `&page=${encodeURIComponent(next)}` : ''}`;
        const page = await get(`/v1/audiences/all/export.csv?${query}`);
        header ??= page.text.split('\r\n')[0];
        expect(page.text.split('\r\n')[0]).toBe(header);
        expect(page.headers.get('x-intent-warning')).toBe(
          format === 'linkedin' ? 'LinkedIn matches lists of 300 to 300,000 companies; this audience has 24' : null,
        );
        next = page.headers.get('x-intent-next-page');
        if (next)
          expect(page.headers.get('link')).toBe(`</v1/audiences/all/export.csv?format=${format}&page=${next}>; rel="next"`);
        rows.push(...(parse(page.text, { columns: true }) as Record<string, string>[]));
        count++;
      } while (next);
      expect(count).toBeGreaterThan(2);
      const key = format === 'linkedin' ? 'companyemaildomain' : 'domain';
      expect(rows.map((r) => r[key])).toEqual(domains);
      expect(rows[0]?.[format === 'linkedin' ? 'companyname' : 'name']).toBe(nameOf('co00.example'));
    }
  });

  it('pages a delta: pages applied in order give the membership, and a page asked again answers the same', async () => {
    const first = await pages(`/v1/audiences/all/members?cursor=${encodeURIComponent(c0)}`);
    expect(first.length).toBeGreaterThan(2);
    const added = first.flatMap((p) => p.added.map((m: { domain: string }) => m.domain)).sort();
    expect(added).toEqual(domains);
    expect(first.flatMap((p) => p.removed)).toEqual([]);
    // Each page's cursor is where it ends; the next page starts there.
    for (const [i, page] of first.slice(0, -1).entries()) {
      const replay = await get(
        `/v1/audiences/all/members?cursor=${encodeURIComponent(c0)}&page=${encodeURIComponent(page.nextPage)}`,
      );
      expect(replay.body).toEqual(first[i + 1]);
    }
    const c1 = first.at(-1).cursor;
    expect(first.at(-1).nextPage).toBeUndefined();
    expect((await get(`/v1/audiences/all/members?cursor=${encodeURIComponent(c1)}`)).body).toMatchObject({
      added: [],
      removed: [],
    });

    // Some leave: the delta from c1 names them, in pages, once each.
    const leaving = domains.filter((_, i) => i % 2 === 0);
    for (const d of leaving)
      expect((await send(stack, 'POST', `/v1/accounts/${d}/feedback`, { outcome: 'opportunity' })).status).toBe(201);
    const second = await pages(`/v1/audiences/all/members?cursor=${encodeURIComponent(c1)}`);
    expect(second.length).toBeGreaterThan(1);
    expect(second.flatMap((p) => p.removed.map((m: { domain: string }) => m.domain)).sort()).toEqual(leaving);
    expect(second.flatMap((p) => p.added)).toEqual([]);
    expect(second[0].removed[0]).toEqual({ domain: leaving[0], name: nameOf(leaving[0] as string) });
  });

  it('refuses a page token of another answer or another audience', async () => {
    const exportPage = (await get('/v1/audiences/all/export.csv')).headers.get('x-intent-next-page') as string;
    const wrong = await stack.api(`/v1/audiences/all/members?page=${encodeURIComponent(exportPage)}`, {
      key: stack.secrets.marketingKey,
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.code).toBe('invalid_cursor');
    const listing = (await get('/v1/audiences/all/members')).body.nextPage as string;
    const asExport = await stack.api(`/v1/audiences/all/export.csv?page=${encodeURIComponent(listing)}`, {
      key: stack.secrets.marketingKey,
    });
    expect(asExport.status).toBe(400);
  });
});
