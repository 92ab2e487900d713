import { ENV } from '@intent/resources';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, stopTestStack, type TestStack } from './harness';

const SECRET = `whsec_${Buffer.alloc(32, 3).toString('base64')}`;
const webhook = (url: string) => ({
  destinations: [{ id: 'crm', type: 'webhook', url, secret: SECRET, events: ['account.qualified'] }],
});

/** `PUT /v1/config/destinations` refuses what it cannot send to, with a 400 naming the field. */
describe('destination addresses', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(() => stopTestStack(stack));
  const put = (body: unknown) =>
    stack.api('/v1/config/destinations', { method: 'PUT', key: stack.secrets.adminKey, body: JSON.stringify(body) });

  it('answers 400, never 500, for a URL that is not one, has a password, or is not http(s)', async () => {
    for (const url of ['not a url', '', '::', 'ftp://hooks.example.com/x', 'http://user:pw@hooks.example.com/x']) {
      const res = await put(webhook(url));
      expect(res.status, url).toBe(400);
      expect(res.body.error.details?.[0]?.path, url).toBe('destinations.0.url');
    }
  });

  it('refuses this machine and private or metadata addresses where the deployment does not allow them (AWS)', async () => {
    const allowed = process.env[ENV.allowPrivateDestinations];
    process.env[ENV.allowPrivateDestinations] = 'false';
    try {
      for (const url of [
        'http://169.254.169.254/latest/meta-data/',
        'http://2852039166/',
        'http://localhost:9/x',
        'http://10.0.0.1/x',
      ]) {
        const res = await put(webhook(url));
        expect(res.status, url).toBe(400);
        expect(res.body.error.message, url).toMatch(/destinations\.0\.url: not a public address/);
      }
      expect((await put(webhook('https://hooks.example.com/intent'))).status).toBe(200);
    } finally {
      process.env[ENV.allowPrivateDestinations] = allowed;
    }
    // The local stack allows them: its demo's and tests' receivers listen on this machine.
    expect((await put(webhook('http://127.0.0.1:9/intent'))).status).toBe(200);
  });
});
