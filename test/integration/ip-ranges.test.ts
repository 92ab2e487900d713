import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send } from './accounts-helpers';
import { startTestStack, stopTestStack, type TestStack } from './harness';

/** `PUT /v1/ip-ranges` replaces the table: each range once, and never with nothing by mistake. */
describe('IP-range uploads', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(() => stopTestStack(stack));
  const ranges = async () => (await send(stack, 'GET', '/v1/ip-ranges')).body.ranges;

  it('stores rows that normalise to the same range as one range, the first row winning', async () => {
    const res = await send(stack, 'PUT', '/v1/ip-ranges', {
      ranges: [
        { cidr: '203.0.113.7/24', domain: 'acme.example' },
        { cidr: '203.0.113.0/24', domain: 'rival.example' },
        { cidr: ' 203.0.113.200/24 ', domain: 'acme.example' },
        { cidr: '2001:db8::1/32', domain: 'globex.example' },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body.upserted).toBe(2);
    expect(res.body.rejected).toEqual([
      { index: 1, code: 'duplicate_cidr', message: 'cidr: 203.0.113.0/24 is already given by row 0' },
      { index: 2, code: 'duplicate_cidr', message: 'cidr: 203.0.113.0/24 is already given by row 0' },
    ]);
    expect(await ranges()).toEqual(
      expect.arrayContaining([
        { cidr: '203.0.113.0/24', domain: 'acme.example' },
        { cidr: '2001:db8::/32', domain: 'globex.example' },
      ]),
    );
    expect(await ranges()).toHaveLength(2);
  });

  it('changes nothing when no row is valid, answering 400 with each row’s field path', async () => {
    const before = await ranges();
    const res = await send(stack, 'PUT', '/v1/ip-ranges', {
      ranges: [{ cidr: 'not-a-range', domain: 'acme.example' }, { cidr: '10.0.0.0/8' }],
    });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({
      code: 'no_valid_rows',
      details: [{ path: 'ranges.0' }, { path: 'ranges.1' }],
    });
    expect(await ranges()).toEqual(before);
    expect(before).toHaveLength(2);
  });

  it('refuses a CSV without its header row (its first range would be taken for one), changing nothing', async () => {
    const before = await ranges();
    const csv = (body: string) =>
      stack.api('/v1/ip-ranges', { method: 'PUT', key: stack.secrets.adminKey, headers: { 'content-type': 'text/csv' }, body });
    for (const body of ['10.9.0.0/16,a.example\n', 'cidr,name\n10.9.0.0/16,a.example\n']) {
      const res = await csv(body);
      expect(res.status, body).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'invalid_csv', details: [{ path: 'header' }] });
    }
    expect(await ranges()).toEqual(before);
    expect((await csv('cidr,domain\n10.9.0.0/16,a.example\n')).body).toMatchObject({ upserted: 1 });
    // A row of another length than the header is that row's error; the others are stored.
    expect((await csv('cidr,domain\n10.8.0.0/16\n10.9.0.0/16,a.example\n')).body).toMatchObject({
      upserted: 1,
      rejected: [{ index: 0, code: 'invalid_row' }],
    });
  });
});
