import { deadLetterQueueName, type QueueDefinition } from '@intent/resources';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** The longest SQS keeps a message: what a DLQ (or an outbound queue nobody reads yet) needs. */
export const MAX_RETENTION = Duration.days(14);

export interface PipelineQueueProps {
  definition: QueueDefinition;
  /**
   * A floor for the visibility timeout: a queue consumed by Lambda needs at least six times
   * the function's timeout (AWS guidance), which may exceed the definition's value.
   */
  minVisibilityTimeoutSeconds?: number;
  /** How long unconsumed messages stay; SQS's default (4 days) when unset. */
  retention?: Duration;
  /**
   * Keep the dead-letter queue when the stack is deleted: its messages are accepted events that
   * were never counted, to be redriven once the fault is fixed, not thrown away with the stack.
   */
  retainDeadLetters?: boolean;
}

/**
 * A queue built from its definition: SQS-managed encryption, TLS-only access, and a
 * dead-letter queue `deadLetterQueueName(id)` when the definition has a `maxReceiveCount`.
 */
export class PipelineQueue extends Construct {
  readonly definition: QueueDefinition;
  readonly queue: sqs.Queue;
  readonly deadLetterQueue?: sqs.Queue;
  /** The visibility timeout actually configured (definition or the consumer's floor). */
  readonly visibilityTimeoutSeconds: number;

  constructor(scope: Construct, id: string, props: PipelineQueueProps) {
    super(scope, id);
    const { definition } = props;
    this.definition = definition;
    this.visibilityTimeoutSeconds = Math.max(definition.visibilityTimeoutSeconds, props.minVisibilityTimeoutSeconds ?? 0);

    if (definition.maxReceiveCount !== undefined) {
      this.deadLetterQueue = new sqs.Queue(this, deadLetterQueueName(definition.id), {
        encryption: sqs.QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: MAX_RETENTION,
        removalPolicy: props.retainDeadLetters ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      });
    }
    this.queue = new sqs.Queue(this, definition.id, {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(this.visibilityTimeoutSeconds),
      retentionPeriod: props.retention,
      deadLetterQueue:
        this.deadLetterQueue && definition.maxReceiveCount !== undefined
          ? { queue: this.deadLetterQueue, maxReceiveCount: definition.maxReceiveCount }
          : undefined,
    });
    if (!this.deadLetterQueue) {
      Validations.of(this.queue).acknowledge({
        id: 'AwsSolutions-SQS3',
        reason: `No DLQ by definition: an outbound queue (${definition.purpose}) whose consumers are external integrations that own their failure handling; what a message says can be rebuilt from the account's state, and unconsumed ones are kept ${props.retention?.toDays() ?? 4} days.`,
      });
    }
  }
}
