import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectAndDrain, configure, cursorToken, signedToken, TWO_PODS, tokenPayload, visitEvents } from './accounts-helpers';
import { startTestStack, stopTestStack, type TestStack } from './harness';

/**
 * Cursors the stack did not give out (unsigned, or signed with another secret), or gave out for
 * another pod or audience, or (signed, as by someone holding the secret) malformed, or that point
 * past the end of an audience's change log, answer `400 invalid_cursor`: never a 500 (DynamoDB
 * refuses a start key of another index partition) and never an empty delta (a connector would
 * skip every change up to the forged position).
 */
describe('cursors: forged, foreign and beyond the end answer 400 invalid_cursor', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack();
    await configure(stack, 'pods', TWO_PODS);
    await configure(stack, 'audiences', { audiences: [{ id: 'everyone', name: 'Everyone', filter: {} }] });
    await collectAndDrain(stack, [
      ...visitEvents('one.example', 'rep', ['pricing_view']),
      ...visitEvents('two.example', 'rep', ['pricing_view']),
    ]);
  });
  afterAll(() => stopTestStack(stack));

  const queue = (pod: string, cursor: string) =>
    stack.api(`/v1/pods/${pod}/queue?limit=1&cursor=${encodeURIComponent(cursor)}`, { key: stack.secrets.adminKey });

  it('pages a pod queue with its own cursor, and refuses another pod’s or a forged one', async () => {
    const first = await stack.api('/v1/pods/default/queue?limit=1', { key: stack.secrets.adminKey });
    expect(first.status).toBe(200);
    const issued = first.body.nextCursor as string;
    expect((await queue('default', issued)).status).toBe(200);

    const position = tokenPayload(issued);
    const token = (value: unknown) => signedToken(stack, value);
    const forged = [
      issued, // replayed on another pod
      cursorToken(position), // the very position, unsigned
      `${cursorToken(position)}.${'A'.repeat(22)}`, // signed with another secret
      `${issued.slice(0, -1)}${issued.endsWith('A') ? 'B' : 'A'}`, // its signature altered
      token({ ...position, gsi1sk: undefined }), // a key attribute missing
      token({ ...position, sk: 1 }), // mistyped
      token({ ...position, extra: 'x' }), // more than the keys
      token({ pk: 'x', sk: 'y', gsi1pk: 'QUEUE#na', gsi1sk: 'z' }),
      'not-a-cursor',
    ];
    for (const [i, cursor] of forged.entries()) {
      const res = await queue(i === 0 ? 'na' : 'default', cursor);
      expect(res.status, cursor).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'invalid_cursor', details: [{ path: 'cursor' }] });
    }
  });

  it('refuses an audience cursor or page token it did not sign, or beyond the end of the change log', async () => {
    const members = await stack.api('/v1/audiences/everyone/members', { key: stack.secrets.marketingKey });
    expect(members.status).toBe(200);
    const { s } = tokenPayload(members.body.cursor);
    const token = (value: unknown) => signedToken(stack, value);
    const delta = await stack.api(`/v1/audiences/everyone/members?cursor=${members.body.cursor}`, {
      key: stack.secrets.marketingKey,
    });
    expect(delta.body).toMatchObject({ added: [], removed: [] });

    for (const [name, value] of [
      ['cursor', cursorToken({ a: 'everyone', s })], // a real position, unsigned
      ['cursor', token({ a: 'everyone', s: s + 1000 })],
      ['page', token({ a: 'everyone', s: s + 1000, m: 'delta' })],
      ['page', token({ a: 'everyone', s: s + 1000, k: 'one.example', m: 'full' })],
    ] as const) {
      const res = await stack.api(`/v1/audiences/everyone/members?${name}=${value}`, { key: stack.secrets.marketingKey });
      expect(res.status, `${name} ${value}`).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'invalid_cursor', details: [{ path: name }] });
    }
  });
});
