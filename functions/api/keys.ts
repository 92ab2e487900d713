import { randomUUID } from 'node:crypto';
import { hashApiKey, json, jsonBody, newApiKey, notFound, parseWith, type Route, requireScope, Scope } from '@intent/http';
import { z } from 'zod';
import { principalOf, store } from './deps';

const CreateKey = z.object({ name: z.string().trim().min(1).max(100), scopes: z.array(Scope).min(1) });

export const keyRoutes: Record<string, Route> = {
  'POST /v1/keys': async (req) => {
    requireScope(await principalOf(req), 'admin');
    const input = parseWith(CreateKey, jsonBody(req));
    const key = newApiKey();
    const record = {
      id: randomUUID(),
      name: input.name,
      scopes: [...new Set(input.scopes)],
      createdAt: new Date().toISOString(),
    };
    await store.apiKeys.create(record, hashApiKey(key));
    // The key itself is shown this once; only its hash is stored.
    return json(201, { id: record.id, key, name: record.name, scopes: record.scopes });
  },
  'GET /v1/keys': async (req) => {
    requireScope(await principalOf(req), 'admin');
    return json(200, { keys: await store.apiKeys.list() });
  },
  'DELETE /v1/keys/{id}': async (req) => {
    requireScope(await principalOf(req), 'admin');
    if (!(await store.apiKeys.delete(req.params.id ?? ''))) throw notFound(`no API key with id ${req.params.id}`);
    return { status: 204, text: '' };
  },
};
