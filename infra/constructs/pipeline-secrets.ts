import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';

/**
 * On AWS the functions get the ARN of the hash secret (ENV.hashSecretArn), never its value in
 * the function configuration, where anyone with lambda:GetFunction could read it.
 *
 * The per-deployment secret mixed into hashes of emails, user ids and IPs: 64 random
 * alphanumeric characters, AWS-managed encryption, retained with the table whose hashes
 * depend on it.
 */
export function createHashSecret(scope: Construct, id: string): secretsmanager.Secret {
  const secret = new secretsmanager.Secret(scope, id, {
    description: 'Intent pipeline: secret mixed into the hashes of emails, user ids and IP addresses',
    generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
    removalPolicy: RemovalPolicy.RETAIN,
  });
  Validations.of(secret).acknowledge({
    id: 'AwsSolutions-SMG4',
    reason:
      'No automatic rotation: a new hash secret would orphan every stored visitor, user and IP hash (identity links, de-duplication). Rotating it is a migration, not a schedule.',
  });
  return secret;
}
