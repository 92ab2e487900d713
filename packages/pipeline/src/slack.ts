import type { Destination } from '@intent/config';
import type { DeliveryRecord } from '@intent/store';
import type { KnownBlock } from '@slack/types';
import { IncomingWebhook, IncomingWebhookHTTPError, IncomingWebhookRequestError } from '@slack/webhook';
import type { Attempt } from './deliver-stream';
import { parseRetryAfter } from './delivery-schedule';
import { slackChannelFor } from './destination-events';

type SlackDestination = Extract<Destination, { type: 'slack' }>;

/** What an account change's data holds, as `podChange` writes it. */
interface AccountData {
  domain: string;
  name?: string;
  podId: string;
  priority: number;
  stage: string;
  previousStage?: string;
  tier: string;
  reasons: string[];
  intentReasons?: string[];
  topics?: { topic: string; reads: number; people: number }[];
  owner?: string;
  links: { account: string };
}

/** A Slack message: the notification text and the Block Kit blocks (typed by Slack's own package). */
export interface SlackAlert {
  text: string;
  blocks: KnownBlock[];
}

/** Reasons an alert lists at most: the strongest, as the explanation orders them. */
const ALERT_REASONS = 3;
/** Slack refuses a section text over 3000 characters and a header over 150. */
const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/**
 * The alert a rep acts on at a glance: which account, in which pod, why now (the reasons), the
 * people and topics behind it, the stage change, and a link to the account in the API
 * (absolute when `apiBaseUrl` is known).
 */
export function slackAlert(event: Pick<DeliveryRecord, 'type' | 'data'>, apiBaseUrl?: string): SlackAlert {
  const data = event.data as unknown as AccountData;
  const who = data.name ? `${data.name} (${data.domain})` : data.domain;
  const what = event.type === 'account.qualified' ? 'New sales-ready account' : 'New hand-raiser';
  // Why now is what the account's people did; the routing and fit sentences are in the header line.
  const reasons = (data.intentReasons?.length ? data.intentReasons : data.reasons).slice(0, ALERT_REASONS);
  const link = apiBaseUrl ? `${apiBaseUrl.replace(/\/$/, '')}${data.links.account}` : undefined;
  const topics = (data.topics ?? []).map(
    (t) => `• ${t.topic}: ${t.people} ${t.people === 1 ? 'person' : 'people'}, ${t.reads} reads`,
  );
  const stageChange =
    data.previousStage && data.previousStage !== data.stage ? `${data.previousStage} → ${data.stage}` : data.stage;
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: clip(`${what}: ${data.name ?? data.domain}`, 150), emoji: true } },
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: clip(`*${who}* in pod *${data.podId}*: tier ${data.tier}, priority ${Math.round(data.priority)}`, 3000),
      },
      fields: [
        { type: 'mrkdwn', text: `*Stage*\n${stageChange}` },
        ...(data.owner ? [{ type: 'mrkdwn' as const, text: `*Owner*\n${clip(data.owner, 200)}` }] : []),
      ],
    },
    { type: 'section', text: { type: 'mrkdwn', text: clip(`*Why now*\n${reasons.map((r) => `• ${r}`).join('\n')}`, 3000) } },
    ...(topics.length
      ? [
          {
            type: 'section' as const,
            text: { type: 'mrkdwn' as const, text: clip(`*People and topics*\n${topics.join('\n')}`, 3000) },
          },
        ]
      : []),
    link
      ? {
          type: 'actions',
          elements: [
            { type: 'button', text: { type: 'plain_text', text: 'Open the account' }, url: link, action_id: 'open_account' },
          ],
        }
      : { type: 'context', elements: [{ type: 'mrkdwn', text: `API: \`GET ${data.links.account}\`` }] },
  ];
  return { text: clip(`${what} in pod ${data.podId}: ${who}. ${reasons[0] ?? ''}`.trim(), 3000), blocks };
}

/**
 * Posts the alert with `@slack/webhook` to the owner's webhook, or the pod channel's (the
 * destination's secrets in plain). Slack's answer is the attempt's status; its Retry-After on
 * a 429 is honoured, read from the response by the fetch handed to the client.
 */
export async function sendSlack(destination: SlackDestination, event: DeliveryRecord, timeoutMs = 10_000): Promise<Attempt> {
  const url = slackChannelFor(destination, (event.data as { owner?: string }).owner);
  if (!url) return { status: 404, error: 'no Slack webhook for this account owner, and no pod channel' };
  let retryAfter: string | null = null;
  const webhook = new IncomingWebhook(url, {
    timeout: timeoutMs,
    fetch: async (input, init) => {
      const res = await fetch(input, { ...init, redirect: 'manual' });
      retryAfter = res.headers.get('retry-after');
      return res;
    },
  });
  try {
    await webhook.send(slackAlert(event, destination.apiBaseUrl));
    return { status: 200 };
  } catch (err) {
    if (err instanceof IncomingWebhookHTTPError) {
      const retryAfterMs = parseRetryAfter(retryAfter, Date.now());
      return {
        status: err.statusCode,
        error: clip(err.body || err.statusMessage, 200),
        ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      };
    }
    if (err instanceof IncomingWebhookRequestError) return { status: 0, error: err.original.message };
    throw err;
  }
}
