import type { Transport } from './deliver-stream';
import { openDestinationSecrets, type SecretBox, type SecretReader } from './destination-secrets';
import { sendHubspot } from './hubspot';
import { sendSlack } from './slack';
import { sendWebhook } from './webhook';

/**
 * The transport of every destination type: opens the destination's secrets (sealed ones with
 * the deployment's key, Secrets Manager references by `readSecret`) for the one attempt, then
 * sends the event the type's way.
 */
export function destinationTransport(box: () => Promise<SecretBox>, readSecret: SecretReader): Transport {
  return async (destination, event) => {
    const plain = await openDestinationSecrets(destination, await box(), readSecret);
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
