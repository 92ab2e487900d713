import { chmodSync, existsSync, mkdtempSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, describe, expect, it } from 'vitest';
import { peek, startTestStack, stopTestStack, type TestStack } from './harness';

/** Whether a TCP connection to host:port opens (true) or is refused (false). */
function opens(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** This machine's first address other than loopback, if it has one. */
const externalAddress = Object.values(networkInterfaces())
  .flat()
  .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;

const modeOf = (path: string) => statSync(path).mode & 0o777;

/**
 * The local stand-ins trust whoever reaches them (fauxqs checks no credentials): they listen
 * on loopback only, the data dir and the files that hold queued events or secrets are the
 * owner's alone, and a clean stop keeps every queue's messages, dead-letter queues included.
 */
describe('local stand-ins: loopback only, private files, every queue kept', () => {
  // Made readable by everyone, as a `.data/` a user created by hand would be.
  const dataDir = mkdtempSync(join(tmpdir(), 'intent-test-'));
  chmodSync(dataDir, 0o755);
  let stack: TestStack;
  afterAll(() => stopTestStack(stack));

  it.skipIf(!externalAddress)('serves the DynamoDB and SQS APIs on loopback, not on the machine’s other addresses', async () => {
    stack = await startTestStack({ dataDir });
    const sqsPort = Number(new URL(stack.queues.ingest?.url ?? '').port);
    const dynamoPort = Number((await stack.dynamo.config.endpoint?.())?.port);
    // On either DynamoDB backend: dynalite, or DynamoDB Local through its loopback launcher.
    for (const port of [sqsPort, dynamoPort]) {
      expect(await opens('127.0.0.1', port)).toBe(true);
      expect(await opens(externalAddress ?? '', port), `port ${port} on ${externalAddress}`).toBe(false);
    }
    await stack.stop();
  });

  it('saves and restores dead-letter queues on a clean stop, in files only the owner may read', async () => {
    stack = await startTestStack({ dataDir });
    expect(modeOf(dataDir)).toBe(0o700);
    expect(modeOf(join(stack.dataDir, 'local-secrets.json'))).toBe(0o600);
    const dead = { ingest: stack.queues.ingest?.dlqUrl ?? '', jobs: stack.queues.jobs?.dlqUrl ?? '' };
    await stack.sqs.send(new SendMessageCommand({ QueueUrl: dead.ingest, MessageBody: '{"dead":"ingest"}' }));
    await stack.sqs.send(new SendMessageCommand({ QueueUrl: dead.jobs, MessageBody: '{"dead":"jobs"}' }));

    const { saved } = await stack.stop();
    expect(saved).toBeGreaterThanOrEqual(2);
    const file = join(stack.dataDir, 'queued-messages.json');
    expect(existsSync(file)).toBe(true);
    expect(modeOf(file)).toBe(0o600);
    // Widened meanwhile (a copy, a careless chmod): the next start makes them owner-only again.
    chmodSync(stack.dataDir, 0o755);
    chmodSync(join(stack.dataDir, 'local-secrets.json'), 0o644);

    stack = await startTestStack({ dataDir: stack.dataDir });
    expect(modeOf(stack.dataDir)).toBe(0o700);
    expect(modeOf(join(stack.dataDir, 'local-secrets.json'))).toBe(0o600);
    expect(stack.restored).toBe(saved);
    expect(await peek(stack, stack.queues.ingest?.dlqUrl ?? '')).toEqual([{ dead: 'ingest' }]);
    expect(await peek(stack, stack.queues.jobs?.dlqUrl ?? '')).toEqual([{ dead: 'jobs' }]);
  });
});
