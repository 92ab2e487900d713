import {
  AUDIENCE_QUEUE,
  DELIVERIES_QUEUE,
  deadLetterQueueName,
  ENV,
  FUNCTIONS,
  INGEST_QUEUE,
  JOBS_QUEUE,
  podQueueName,
  TABLE,
} from '@intent/resources';
import { Duration } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import { OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { beforeAll, describe, expect, it } from 'vitest';
import { PIPELINE_LOG_RETENTION, pipelineBundling } from '../../infra/constructs/pipeline-function';
import { consumerVisibilityFloor } from '../../infra/stack';
import { type Synthesized, synthesize, TEST_PODS } from './fixture';
import { evaluateJoin, logicalIdWhere, referencedId } from './template-helpers';

let s: Synthesized;
let template: Template;
beforeAll(() => {
  s = synthesize();
  template = s.template;
});

describe('table', () => {
  it('is on-demand, point-in-time recoverable, AWS-managed encrypted, with the TTL attribute', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      TimeToLiveSpecification: { AttributeName: TABLE.ttlAttribute, Enabled: true },
      SSESpecification: { SSEEnabled: true },
      KeySchema: [
        { AttributeName: TABLE.partitionKey, KeyType: 'HASH' },
        { AttributeName: TABLE.sortKey, KeyType: 'RANGE' },
      ],
    });
  });

  it('has exactly the global indexes of the definition', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      GlobalSecondaryIndexes: TABLE.globalIndexes.map((index) => ({
        IndexName: index.name,
        KeySchema: [
          { AttributeName: index.partitionKey, KeyType: 'HASH' },
          { AttributeName: index.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'KEYS_ONLY' },
      })),
    });
  });

  it('is retained when the stack is deleted or the table replaced', () => {
    template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });
});

describe('queues', () => {
  it('redrives the ingest queue to its DLQ after maxReceiveCount receives', () => {
    const dlq = s.stack.ingest.deadLetterQueue;
    expect(dlq?.node.id).toBe(deadLetterQueueName(INGEST_QUEUE.id));
    template.hasResourceProperties('AWS::SQS::Queue', {
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': [s.idOf(dlq), 'Arn'] },
        maxReceiveCount: 5,
      },
    });
    expect(INGEST_QUEUE.maxReceiveCount).toBe(5);
  });

  it('keeps the ingest DLQ when the stack is deleted: its messages are accepted events never counted', () => {
    const ingestDlq = template.toJSON().Resources[s.idOf(s.stack.ingest.deadLetterQueue)];
    expect(ingestDlq).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  it('gives the ingest queue a visibility timeout of six function timeouts plus the batching window', () => {
    expect(consumerVisibilityFloor(INGEST_QUEUE)).toBe(6 * 60 + 1);
    template.hasResourceProperties('AWS::SQS::Queue', {
      RedrivePolicy: Match.anyValue(),
      VisibilityTimeout: 361,
    });
  });

  it('redrives the jobs queue to its DLQ after 5 receives, with six rescore timeouts of visibility', () => {
    const dlq = s.stack.jobs.deadLetterQueue;
    expect(dlq?.node.id).toBe(deadLetterQueueName(JOBS_QUEUE.id));
    expect(consumerVisibilityFloor(JOBS_QUEUE)).toBe(6 * 300);
    template.hasResourceProperties('AWS::SQS::Queue', {
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [s.idOf(dlq), 'Arn'] }, maxReceiveCount: 5 },
      VisibilityTimeout: 1800,
    });
  });

  it('keeps dead letters for 14 days', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      MessageRetentionPeriod: Duration.days(14).toSeconds(),
      RedrivePolicy: Match.absent(),
      SqsManagedSseEnabled: true,
    });
  });

  it('redrives the deliveries queue to its DLQ after 5 receives, with six deliver timeouts of visibility', () => {
    const dlq = s.stack.deliveries.deadLetterQueue;
    expect(dlq?.node.id).toBe(deadLetterQueueName(DELIVERIES_QUEUE.id));
    expect(consumerVisibilityFloor(DELIVERIES_QUEUE)).toBe(6 * 60);
    template.hasResourceProperties('AWS::SQS::Queue', {
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [s.idOf(dlq), 'Arn'] }, maxReceiveCount: 5 },
      VisibilityTimeout: 360,
    });
  });

  it('creates one outbound queue per pod of the context, the audience queue, and nothing else', () => {
    // ingest, jobs and deliveries with their DLQs, the audience queue, and one per pod.
    template.resourceCountIs('AWS::SQS::Queue', 7 + TEST_PODS.length);
    expect(s.stack.audienceQueue.queue.node.id).toBe(AUDIENCE_QUEUE.id);
    expect(s.stack.audienceQueue.deadLetterQueue).toBeUndefined();
    expect([...s.stack.podQueues.keys()]).toEqual(TEST_PODS);
    for (const pod of TEST_PODS) {
      expect(s.stack.podQueues.get(pod)?.queue.node.id).toBe(podQueueName(pod));
    }
  });

  it('encrypts every queue with SQS-managed keys and denies requests without TLS', () => {
    const queues = template.findResources('AWS::SQS::Queue');
    for (const queue of Object.values(queues)) expect(queue.Properties.SqsManagedSseEnabled).toBe(true);
    const policies = Object.values(template.findResources('AWS::SQS::QueuePolicy'));
    const protectedQueues = new Set<string | undefined>();
    for (const policy of policies) {
      const denies = policy.Properties.PolicyDocument.Statement.some(
        (s: Record<string, unknown>) =>
          s.Effect === 'Deny' && JSON.stringify(s.Condition) === JSON.stringify({ Bool: { 'aws:SecureTransport': 'false' } }),
      );
      if (denies) for (const q of policy.Properties.Queues) protectedQueues.add(referencedId(q));
    }
    expect([...protectedQueues].sort()).toEqual(Object.keys(queues).sort());
  });
});

describe('functions', () => {
  it('are exactly the definitions: Node.js 22 on arm64, with their timeout, memory and source maps', () => {
    template.resourceCountIs('AWS::Lambda::Function', FUNCTIONS.length);
    for (const def of FUNCTIONS) {
      template.hasResourceProperties('AWS::Lambda::Function', {
        Description: def.description,
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        Timeout: def.timeoutSeconds,
        MemorySize: def.memoryMb,
        Environment: { Variables: Match.objectLike({ NODE_OPTIONS: '--enable-source-maps' }) },
      });
    }
  });

  it('log to their own log group with one month of retention', () => {
    template.resourceCountIs('AWS::Logs::LogGroup', FUNCTIONS.length + 1);
    template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    expect(PIPELINE_LOG_RETENTION).toBe(30);
    for (const def of FUNCTIONS) {
      const fn = s.stack.functions.get(def.name);
      template.hasResourceProperties('AWS::Lambda::Function', {
        Description: def.description,
        LoggingConfig: { LogGroup: { Ref: s.idOf(fn?.logGroup) } },
      });
    }
  });

  it('bundle as ESM with the createRequire banner, source maps and local esbuild only', () => {
    const bundling = pipelineBundling();
    expect(bundling.format).toBe(OutputFormat.ESM);
    expect(bundling.banner).toMatch(/createRequire.*import\.meta\.url/);
    expect(bundling.sourceMap).toBe(true);
    expect(bundling.forceDockerBundling).toBe(false);
  });

  it('have no tracing unless asked for', () => {
    template.allResourcesProperties('AWS::Lambda::Function', { TracingConfig: Match.absent() });
  });

  it('get the table name, the ingest queue URL and the pod queue URLs as their definitions say', () => {
    const tableRef = { Ref: s.idOf(s.stack.table) };
    for (const def of FUNCTIONS) {
      const env = s.envOf(def.name);
      expect(env[ENV.tableName]).toEqual(def.table === 'none' ? undefined : tableRef);
      expect(env[ENV.ingestQueueUrl]).toEqual(def.sendsToIngest ? { Ref: s.idOf(s.stack.ingest.queue) } : undefined);
      expect(env[ENV.jobsQueueUrl]).toEqual(def.sendsToJobs ? { Ref: s.idOf(s.stack.jobs.queue) } : undefined);
      expect(env[ENV.jobBudgetMs]).toBeUndefined();
      if (!def.sendsToPods) {
        expect(env[ENV.podQueueUrls]).toBeUndefined();
        continue;
      }
      const urls = JSON.parse(evaluateJoin(env[ENV.podQueueUrls]));
      expect(urls).toEqual(Object.fromEntries(TEST_PODS.map((pod) => [pod, `ref:${s.idOf(s.stack.podQueues.get(pod)?.queue)}`])));
    }
  });

  const secretWhere = (about: string) =>
    logicalIdWhere(template, 'AWS::SecretsManager::Secret', (p) => String(p.Description).includes(about));

  it('get the ARNs of the hash secret and the generated admin key, never their values; only the API the admin key', () => {
    const [hashSecret, adminKey] = [secretWhere('hashes'), secretWhere('admin API key')];
    for (const def of FUNCTIONS) {
      const env = s.envOf(def.name);
      expect(env[ENV.hashSecret]).toBeUndefined();
      expect(env[ENV.adminKeySha256]).toBeUndefined();
      expect(env[ENV.hashSecretArn]).toEqual(def.readsHashSecret ? { Ref: hashSecret } : undefined);
      expect(env[ENV.adminKeySecretArn]).toEqual(def.checksAdminKey ? { Ref: adminKey } : undefined);
    }
    // Long and random by construction: no parameter can set the admin key.
    expect(template.toJSON().Parameters ?? {}).not.toHaveProperty('AdminKeySha256');
    const generated = template.toJSON().Resources[adminKey].Properties.GenerateSecretString;
    expect(generated).toMatchObject({ PasswordLength: 64, ExcludePunctuation: true });
    template.hasOutput('AdminKeySecretArn', { Value: { Ref: adminKey } });
    template.hasResource('AWS::SecretsManager::Secret', { DeletionPolicy: 'Retain' });
  });
});

describe('event sources and schedules', () => {
  it('feeds the consumers from their queue with partial batch failure reports', () => {
    const consumers = FUNCTIONS.filter((def) => def.consumes);
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', consumers.length);
    const queues = {
      [INGEST_QUEUE.id]: s.stack.ingest.queue,
      [JOBS_QUEUE.id]: s.stack.jobs.queue,
      [DELIVERIES_QUEUE.id]: s.stack.deliveries.queue,
    };
    for (const def of consumers) {
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        FunctionName: { Ref: s.functionIdOf(def.name) },
        EventSourceArn: { 'Fn::GetAtt': [s.idOf(queues[def.consumes?.queue.id ?? '']), 'Arn'] },
        BatchSize: def.consumes?.batchSize,
        MaximumBatchingWindowInSeconds: def.consumes?.maxBatchingWindowSeconds,
        ScalingConfig: { MaximumConcurrency: def.consumes?.maxConcurrency },
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      });
    }
  });

  it('runs job steps one per invocation in the rescore function, reporting failed steps', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: s.functionIdOf('rescore') },
      EventSourceArn: { 'Fn::GetAtt': [s.idOf(s.stack.jobs.queue), 'Arn'] },
      BatchSize: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('runs the scheduled functions on an EventBridge rate rule', () => {
    const scheduled = FUNCTIONS.filter((def) => def.everyMinutes !== undefined);
    template.resourceCountIs('AWS::Events::Rule', scheduled.length);
    for (const def of scheduled) {
      template.hasResourceProperties('AWS::Events::Rule', {
        ScheduleExpression: events.Schedule.rate(Duration.minutes(def.everyMinutes ?? 0)).expressionString,
        State: 'ENABLED',
        Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [s.functionIdOf(def.name), 'Arn'] } })],
      });
    }
  });
});

describe('outputs', () => {
  it('publishes the API URL, the table name, the ingest queue URL and every pod queue URL', () => {
    template.hasOutput('ApiUrl', { Value: Match.anyValue() });
    template.hasOutput('TableName', { Value: { Ref: s.idOf(s.stack.table) } });
    template.hasOutput('IngestQueueUrl', { Value: { Ref: s.idOf(s.stack.ingest.queue) } });
    template.hasOutput('JobsQueueUrl', { Value: { Ref: s.idOf(s.stack.jobs.queue) } });
    template.hasOutput('PodQueueUrlDefault', { Value: { Ref: s.idOf(s.stack.podQueues.get('default')?.queue) } });
    template.hasOutput('PodQueueUrlNaEnterprise', {
      Value: { Ref: s.idOf(s.stack.podQueues.get('na-enterprise')?.queue) },
    });
  });
});
