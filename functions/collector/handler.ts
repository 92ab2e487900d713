import { Logger } from '@aws-lambda-powertools/logger';
import type { Config, Site } from '@intent/config';
import type { EventSource } from '@intent/events';
import { assetResponse, forbidden, HttpError, type HttpRequest, httpHandler, json, type Route } from '@intent/http';
import {
  admit,
  ConfigCache,
  collect,
  loadHashSecret,
  optionalEnv,
  rateBuckets,
  requiredEnv,
  sendAll,
  sqs,
} from '@intent/pipeline';
import { ENV } from '@intent/resources';
import { dynamo, isThrottling, Store } from '@intent/store';
import { renderTracker } from '@intent/tracker';
import {
  assertBatchSize,
  checkOrigin,
  corsHeaders,
  eventsOf,
  limiterThrottled,
  parseCollectEnvelope,
  parseSegmentEnvelope,
  preflightAllowed,
  rateLimited,
  requireSite,
  type SegmentCall,
  trackerWriteKey,
  writeKeyOf,
} from './envelope';

const logger = new Logger({ serviceName: 'collector' });
const store = new Store(dynamo, requiredEnv(ENV.tableName));
const ingestQueueUrl = requiredEnv(ENV.ingestQueueUrl);
const hashSecret = await loadHashSecret();
const configs = new ConfigCache(store);
const enqueue = (bodies: string[]) => sendAll(sqs, ingestQueueUrl, bodies);
/** How many instances of this function can run at once, when capped: each counts a share of an address's window itself. */
const instances = Number(optionalEnv(ENV.collectorInstances) ?? 0);
if (!Number.isInteger(instances) || instances < 0)
  throw new Error(`environment variable ${ENV.collectorInstances} must be a whole number of instances`);
/**
 * Browsers and a CDN may keep the script five minutes and serve a stale copy for a day while
 * they revalidate (a 304 when unchanged). Not immutable: its URL stays the same while its
 * content follows the site's configuration and each deploy.
 */
const TRACKER_CACHE_CONTROL = 'public, max-age=300, stale-while-revalidate=86400';

/** POST /v1/collect: the snippet's and forwarders' endpoint, with per-event answers. */
const collectRoute: Route = async (req) => {
  const origin = req.headers.origin;
  const config = await configs.get();
  try {
    return await collectFrom(req, origin, config);
  } catch (err) {
    // An allowed browser origin must be able to read an error, or the snippet retries blindly.
    if (err instanceof HttpError && preflightAllowed(config, origin, req.query.writeKey)) {
      throw new HttpError(err.status, err.code, err.message, err.details, { ...err.headers, ...corsHeaders(origin) });
    }
    throw err;
  }
};

async function collectFrom(req: HttpRequest, origin: string | undefined, config: Config) {
  const envelope = parseCollectEnvelope(req);
  const { site, source } = requireSite(config, writeKeyOf(req, envelope.writeKey));
  checkOrigin(site, origin);
  assertBatchSize(envelope.batch);
  await limitRate(site, source, req.sourceIp, envelope.batch.length);
  const result = await collect(
    {
      site,
      source,
      events: eventsOf(envelope),
      receivedAt: new Date(),
      // A server-side forwarder's own address and agent say nothing about the visitor: only a
      // browser's (a request with an Origin) count; forwarders put the visitor's in context.
      requestIp: origin ? req.sourceIp : undefined,
      requestUserAgent: origin ? req.headers['user-agent'] : undefined,
    },
    config,
    hashSecret,
    enqueue,
  );
  // `dropped` (per reason) only when something was: a headless browser's events, dropped as a
  // bot's, must not look like a silent success. accepted + rejected + dropped = the batch.
  const { accepted, rejected, dropped } = result;
  const answer = Object.keys(dropped).length ? { accepted, rejected, dropped } : { accepted, rejected };
  return json(202, answer, corsHeaders(origin));
}

/** Counts the request against its site's limits, shared by every collector instance; 429 when over one. */
async function limitRate(site: Site, source: EventSource, address: string, events: number): Promise<void> {
  const admission = await admit(store, rateBuckets(site, source, address, hashSecret), events, new Date(), instances).catch(
    (err: unknown) => {
      throw isThrottling(err) ? limiterThrottled() : err;
    },
  );
  if (!admission.admitted) throw rateLimited(admission.kind, admission.retryAfterSeconds);
}

/** Segment's HTTP Tracking API: the SDKs cannot act on per-event answers, so bad events are dropped. */
const segmentRoute =
  (call?: SegmentCall): Route =>
  async (req) => {
    const envelope = parseSegmentEnvelope(req, call);
    const config = await configs.get();
    const { site, source } = requireSite(config, writeKeyOf(req, envelope.writeKey));
    await limitRate(site, source, req.sourceIp, envelope.batch.length);
    const result = await collect(
      { site, source, mode: 'forwarder', events: eventsOf(envelope), receivedAt: new Date() },
      config,
      hashSecret,
      enqueue,
    );
    // Only 429 and 5xx make the SDKs retry: use 503 when events could not be queued.
    if (result.rejected.some((r) => r.code === 'enqueue_failed')) return json(503, { success: false });
    return json(200, { success: true });
  };

export const handler = httpHandler(logger, {
  'POST /v1/collect': collectRoute,
  'OPTIONS /v1/collect': async (req) => {
    const config = await configs.get();
    const origin = req.headers.origin;
    if (!preflightAllowed(config, origin, req.query.writeKey)) {
      throw forbidden('origin_not_allowed', `origin ${origin ?? '(none)'} is not allowed to post events here`);
    }
    return { status: 204, text: '', headers: corsHeaders(origin) };
  },
  'GET /v1/tracker.js': async (req) => {
    const config = await configs.get();
    const { site, source } = requireSite(config, trackerWriteKey(req));
    // The script is public: a server write key in its URL must not come back inside it.
    if (source === 'verified') throw new HttpError(401, 'unknown_write_key', "tracker.js takes the site's public write key");
    const script = renderTracker({
      endpoint: `${req.headers['x-forwarded-proto'] ?? 'https'}://${req.headers.host ?? ''}`,
      writeKey: site.writeKey,
      consentRequired: site.consentRequired,
      engagedRead: site.engagedRead,
    });
    return assetResponse(req, script, {
      contentType: 'application/javascript; charset=utf-8',
      cacheControl: TRACKER_CACHE_CONTROL,
    });
  },
  'POST /v1/batch': segmentRoute(),
  'POST /v1/track': segmentRoute('track'),
  'POST /v1/page': segmentRoute('page'),
  'POST /v1/identify': segmentRoute('identify'),
  'POST /v1/group': segmentRoute('group'),
});
