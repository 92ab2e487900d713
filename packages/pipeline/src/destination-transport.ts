import type { Destination } from '@intent/config';
import type { DeliveryRecord } from '@intent/store';
import type { Transport } from './deliver-stream';
import { refusedDestination } from './destination-address';
import { slackChannelFor } from './destination-events';
import { openDestinationSecrets, type SecretBox, type SecretReader } from './destination-secrets';
import { sendHubspot } from './hubspot';
import { sendSlack } from './slack';
import { sendWebhook } from './webhook';

/**
 * The transport of every destination type: opens the destination's secrets (sealed ones with
 * the deployment's key, Secrets Manager references by `readSecret`) for the one attempt, checks
 * the address it would send to is a public one (unless `allowPrivate`: `refusedDestination`),
 * then sends the event the type's way.
 */
export function destinationTransport(box: () => Promise<SecretBox>, readSecret: SecretReader, allowPrivate: boolean): Transport {
  return async (destination, event) => {
    const plain = await openDestinationSecrets(destination, await box(), readSecret);
    const target = targetOf(plain, event);
    const refused = !allowPrivate && target ? await refusedDestination(target) : undefined;
    if (refused) return { status: 0, refused: true, error: `not sent: ${refused}` };
    switch (plain.type) {
      case 'webhook':
        return sendWebhook(plain, event);
      case 'slack':
        return sendSlack(plain, event);
      case 'hubspot':
        return sendHubspot(plain, event);
    }
  };
}

/** The URL an attempt would send to; undefined for HubSpot's own API. */
function targetOf(plain: Destination, event: DeliveryRecord): string | undefined {
  switch (plain.type) {
    case 'webhook':
      return plain.url;
    case 'slack':
      return slackChannelFor(plain, (event.data as { owner?: string }).owner);
    case 'hubspot':
      return plain.baseUrl;
  }
}
