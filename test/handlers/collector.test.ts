import { gunzipSync } from 'node:zlib';
import { BatchGetItemCommand, DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { IngestBatch } from '@intent/events';
import { renderTracker } from '@intent/tracker';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MAX_BATCH_BODY_BYTES } from '../../packages/events/src/message';
import { defaultConfig } from '../default-config';
import { awsError, context, httpEvent, setHandlerEnv } from './events';

const ddb = mockClient(DynamoDBClient);
const sqs = mockClient(SQSClient);
let handler: typeof import('../../functions/collector/handler')['handler'];

beforeAll(async () => {
  setHandlerEnv();
  ({ handler } = await import('../../functions/collector/handler'));
});
afterEach(() => {
  ddb.reset();
  sqs.reset();
});

/** Page views with URLs of ~4 KB: about 14 fit in one queue message, so 40 take three. */
const batch = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    type: 'page',
    messageId: `m-${i}`,
    anonymousId: 'a-1',
    timestamp: new Date().toISOString(),
    properties: { url: `https://dev.example/${String(i).padStart(4000, 'x')}` },
  }));

/** The messageIds each queue message of a SendMessageBatch call carries, by entry. */
const messageIdsByEntry = (input: { Entries?: { MessageBody?: string }[] }) =>
  (input.Entries ?? []).map((e) =>
    IngestBatch.parse(JSON.parse(e.MessageBody ?? '')).messages.map((m) => ('messageId' in m ? m.messageId : m.kind)),
  );

async function post(events: unknown[]) {
  ddb.on(BatchGetItemCommand).resolves({ Responses: {} }); // no stored config: the fresh-stack defaults
  ddb.on(UpdateItemCommand).resolves({}); // the rate window takes the events, as DynamoDB answers
  const res = await handler(httpEvent('POST /v1/collect', { writeKey: 'wk_dev', batch: events }), context);
  return { status: res.statusCode, body: JSON.parse(res.body ?? '{}') };
}

describe('collector under SQS faults', () => {
  it('packs a request into as few queue messages as their size allows, each event once and in order', async () => {
    sqs.on(SendMessageBatchCommand).callsFake(async (input: { Entries: { Id: string }[] }) => ({
      Successful: input.Entries.map((e) => ({ Id: e.Id, MessageId: e.Id, MD5OfMessageBody: '' })),
    }));
    const res = await post(batch(40));
    expect(res).toEqual({ status: 202, body: { accepted: 40, rejected: [] } });
    const calls = sqs.commandCalls(SendMessageBatchCommand);
    const bodies = calls.flatMap((c) => c.args[0].input.Entries ?? []);
    expect(bodies.length).toBe(3);
    for (const b of bodies) expect(Buffer.byteLength(b.MessageBody ?? '')).toBeLessThanOrEqual(MAX_BATCH_BODY_BYTES);
    expect(calls.flatMap((c) => messageIdsByEntry(c.args[0].input)).flat()).toEqual(batch(40).map((e) => e.messageId));
  });

  it('retries only the entries SQS failed, and accepts them all once they go through', async () => {
    sqs
      .on(SendMessageBatchCommand)
      .resolvesOnce({
        Successful: [
          { Id: '0', MessageId: 'x', MD5OfMessageBody: '' },
          { Id: '2', MessageId: 'z', MD5OfMessageBody: '' },
        ],
        Failed: [{ Id: '1', Code: 'InternalError', SenderFault: false }],
      })
      .resolves({ Successful: [{ Id: '1', MessageId: 'y', MD5OfMessageBody: '' }] });
    const res = await post(batch(40));
    expect(res).toEqual({ status: 202, body: { accepted: 40, rejected: [] } });
    const calls = sqs.commandCalls(SendMessageBatchCommand);
    expect(calls).toHaveLength(2);
    expect(calls[1]?.args[0].input.Entries?.map((e) => e.Id)).toEqual(['1']);
  });

  it('reports the events of a message SQS keeps refusing as rejected, without losing their neighbours', async () => {
    let refused: string[] = [];
    sqs.on(SendMessageBatchCommand).callsFake(async (input: { Entries: { Id: string; MessageBody?: string }[] }) => {
      const second = input.Entries.find((e) => e.Id === '1');
      if (second) refused = messageIdsByEntry({ Entries: [second] })[0] ?? [];
      return {
        Successful: input.Entries.filter((e) => e.Id !== '1').map((e) => ({ Id: e.Id, MessageId: e.Id, MD5OfMessageBody: '' })),
        Failed: input.Entries.filter((e) => e.Id === '1').map((e) => ({
          Id: e.Id,
          Code: 'ServiceUnavailable',
          SenderFault: false,
        })),
      };
    });
    const res = await post(batch(40));
    expect(res.status).toBe(202);
    expect(refused.length).toBeGreaterThan(0);
    expect(res.body.accepted).toBe(40 - refused.length);
    expect(res.body.rejected).toEqual(
      refused.map((id) => ({ index: Number(id.slice(2)), code: 'enqueue_failed', message: expect.any(String) })),
    );
  });

  it('answers a throttled queue call with retries, then succeeds', async () => {
    sqs
      .on(SendMessageBatchCommand)
      .rejectsOnce(awsError('ThrottlingException'))
      .resolves({ Successful: [{ Id: '0', MessageId: 'x', MD5OfMessageBody: '' }] });
    const res = await post(batch(1));
    expect(res).toEqual({ status: 202, body: { accepted: 1, rejected: [] } });
  });
});

describe('GET /v1/tracker.js as API Gateway receives it', () => {
  const script = renderTracker({ ...defaultConfig().sites.sites[0]!, endpoint: 'https://collector.test' });
  async function get(headers: Record<string, string>, query: Record<string, string> = { writeKey: 'wk_dev' }) {
    ddb.on(BatchGetItemCommand).resolves({ Responses: {} }); // no stored config: the fresh-stack defaults
    const event = {
      ...httpEvent('GET /v1/tracker.js', '', { host: 'collector.test', ...headers }),
      queryStringParameters: query,
    };
    return handler(event, context);
  }

  it('answers 503 with Retry-After when the rate counters stay throttled, so clients retry; nothing is queued', async () => {
    ddb.on(UpdateItemCommand).rejects(awsError('ProvisionedThroughputExceededException'));
    const res = await handler(httpEvent('POST /v1/collect', { writeKey: 'wk_dev', batch: batch(2) }), context);
    expect(res.statusCode).toBe(503);
    expect(res.headers?.['retry-after']).toBe('1');
    expect(JSON.parse(res.body ?? '{}').error.code).toBe('throttled');
    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(0);
  });

  it('answers a gzip-accepting browser with the site’s script gzipped and base64-encoded, and cache headers', async () => {
    const res = await get({ 'accept-encoding': 'gzip, deflate, br' });
    expect(res.statusCode).toBe(200);
    expect(res.isBase64Encoded).toBe(true);
    expect(gunzipSync(Buffer.from(res.body ?? '', 'base64')).toString('utf8')).toBe(script);
    expect(res.headers).toMatchObject({
      'content-type': 'application/javascript; charset=utf-8',
      'content-encoding': 'gzip',
      'cache-control': 'public, max-age=300, stale-while-revalidate=86400',
      vary: 'Accept-Encoding',
      etag: expect.stringMatching(/^W\/"/),
    });
  });

  it('answers 304 to a revalidation with the ETag it gave, and the plain script to a client without gzip', async () => {
    const first = await get({ 'accept-encoding': 'gzip' });
    const etag = String(first.headers?.etag);
    const revalidated = await get({ 'accept-encoding': 'gzip', 'if-none-match': etag });
    expect(revalidated.statusCode).toBe(304);
    expect(revalidated.body).toBe('');
    expect(revalidated.headers?.etag).toBe(etag);
    const plain = await get({});
    expect(plain).toMatchObject({ statusCode: 200, body: script });
    expect(plain.isBase64Encoded).toBeFalsy();
  });

  it('answers 400 missing_write_key naming the query parameter when the URL has no ?writeKey=', async () => {
    const res = await get({}, {});
    expect(res.statusCode).toBe(400);
    expect(JSON.parse(res.body ?? '')).toEqual({
      error: {
        code: 'missing_write_key',
        message: expect.stringContaining('?writeKey='),
        details: [{ path: 'writeKey', message: expect.any(String) }],
      },
    });
  });
});
