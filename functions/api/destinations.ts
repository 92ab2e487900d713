import { type HttpRequest, json, notFound, parseWith, type Route, requireScope } from '@intent/http';
import { z } from 'zod';
import { configs, pageTokens, principalOf, sendDeliveries, store } from './deps';
import { invalidCursor } from './page-tokens';

const DeliveriesQuery = z.object({
  status: z.enum(['pending', 'delivered', 'failed', 'dead']).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().max(2048).optional(),
});
const ReplayQuery = z.object({
  from: z.iso.datetime({ offset: true }),
  cursor: z.string().max(2048).optional(),
});

/** The configured destination the path names; 404 for any other. */
async function destinationOf(req: HttpRequest): Promise<string> {
  const id = req.params.id ?? '';
  configs.invalidate();
  if (!(await configs.get()).destinations.destinations.some((d) => d.id === id)) {
    throw notFound(`no destination "${id}" in the destinations configuration`);
  }
  return id;
}

/** A cursor's position, signed so a client cannot steer a read outside what a page reached. */
async function positionOf(cursor: string | undefined, destinationId: string): Promise<string | undefined> {
  if (cursor === undefined) return undefined;
  const payload = (await pageTokens()).open(cursor);
  const opened = payload === undefined ? undefined : Buffer.from(payload, 'base64url').toString('utf8');
  const prefix = `${destinationId}\n`;
  const position = opened?.startsWith(prefix) ? opened.slice(prefix.length) : undefined;
  if (!position?.startsWith('E#')) throw invalidCursor('cursor', 'not a cursor of this destination (pass `next` as it came)');
  return position;
}
const cursorOf = async (position: string | undefined, destinationId: string) =>
  position === undefined
    ? undefined
    : (await pageTokens()).sign(Buffer.from(`${destinationId}\n${position}`).toString('base64url'));

export const destinationRoutes: Record<string, Route> = {
  /**
   * A destination's deliveries, by account then time: each event's status (pending, delivered,
   * failed: refused by the receiver, dead: given up after a day), attempts, last answer and next
   * attempt. At most `limit` (100) a page, reading at most 200 events; `next` continues.
   */
  'GET /v1/destinations/{id}/deliveries': async (req) => {
    requireScope(await principalOf(req), 'admin');
    const id = await destinationOf(req);
    const query = parseWith(DeliveriesQuery, req.query);
    const after = await positionOf(query.cursor, id);
    const page = await store.deliveries.list(id, { status: query.status, after, limit: query.limit });
    const next = await cursorOf(page.next, id);
    return json(200, {
      destination: id,
      deliveries: page.deliveries.map(({ position: _p, destinationId: _d, data: _data, rank: _r, ...view }) => view),
      ...(next ? { next } : {}),
    });
  },
  /**
   * Sends a destination's events from `from` on again, whatever became of them: they are pending
   * again (attempts start over, same `webhook-id`) and delivered in order by the deliver function.
   * At most 200 events are read a call; `next` continues with the rest.
   */
  'POST /v1/destinations/{id}/replay': async (req) => {
    requireScope(await principalOf(req), 'admin');
    const id = await destinationOf(req);
    const query = parseWith(ReplayQuery, req.query);
    const after = await positionOf(query.cursor, id);
    const replay = await store.deliveries.replay(id, new Date(query.from).toISOString(), after);
    if (replay.domains.length) await sendDeliveries(replay.domains.map((a) => ({ message: { d: id, a }, delaySeconds: 0 })));
    const next = await cursorOf(replay.next, id);
    return json(202, { destination: id, replayed: replay.replayed, accounts: replay.domains.length, ...(next ? { next } : {}) });
  },
};
