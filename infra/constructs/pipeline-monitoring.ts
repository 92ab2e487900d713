import type { FunctionName } from '@intent/resources';
import { METRICS } from '@intent/resources';
import { Duration, Validations } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { PipelineFunction } from './pipeline-function';

/**
 * When each alarm fires: its metric's statistic over `periodMinutes`, compared with `threshold`
 * in `evaluationPeriods` periods in a row. Exported so the infra tests pin them and docs/operate.md
 * can say what each means.
 */
export const ALARMS = {
  /** Any message in the ingest DLQ is events that were accepted and never counted. */
  ingestDeadLetters: { threshold: 1, periodMinutes: 5, evaluationPeriods: 1 },
  /** A job step that failed five times: a walk (decay, re-score, re-materialisation) that stopped. */
  jobsDeadLetters: { threshold: 1, periodMinutes: 5, evaluationPeriods: 1 },
  /** A delivery message the deliver function failed on five times (the table or the queue unreachable, not a receiver's answer). */
  deliveriesDeadLetters: { threshold: 1, periodMinutes: 5, evaluationPeriods: 1 },
  /** The consumer has fallen behind: the oldest ingest message waited 5 minutes, five minutes running. */
  ingestOldestAgeSeconds: { threshold: 300, periodMinutes: 1, evaluationPeriods: 5 },
  /** A function invocation failed as a whole (a crash or a timeout; partial batch failures are not errors). */
  functionErrors: { threshold: 1, periodMinutes: 5, evaluationPeriods: 1 },
  functionThrottles: { threshold: 1, periodMinutes: 5, evaluationPeriods: 1 },
  /**
   * The table throttles for fifteen minutes running: provisioned capacity lags the traffic
   * longer than auto scaling takes to follow (a few minutes, while the queue holds the
   * surplus), so its maximum is too low or the traffic too spiky for it.
   */
  dynamoThrottles: { threshold: 10, periodMinutes: 5, evaluationPeriods: 3 },
  /** API answers 5xx: five in five minutes (one is a blip, the handlers log each). */
  api5xx: { threshold: 5, periodMinutes: 5, evaluationPeriods: 1 },
  /** The same for the collector's function URL, when it is the front door. */
  collectorUrl5xx: { threshold: 5, periodMinutes: 5, evaluationPeriods: 1 },
  /** p95 of batches' freshness (acceptance to re-score) over a minute, for fifteen minutes. */
  freshnessP95Seconds: { threshold: 60, periodMinutes: 5, evaluationPeriods: 3 },
} as const;

export interface PipelineMonitoringProps {
  functions: ReadonlyMap<FunctionName, PipelineFunction>;
  ingest: { queue: sqs.IQueue; deadLetterQueue?: sqs.IQueue };
  jobs: { queue: sqs.IQueue; deadLetterQueue?: sqs.IQueue };
  deliveries: { queue: sqs.IQueue; deadLetterQueue?: sqs.IQueue };
  table: dynamodb.ITable;
  api: apigw.HttpApi;
  /** The collector, when its function URL is the front door (its 5xx answers are Lambda's `Url5xxCount`). */
  collectorUrl?: lambda.IFunction;
  /** Who gets the alarms by email (context `alarmEmail`); none: subscribe to the topic yourself. */
  alarmEmail?: string;
}

/**
 * The pipeline's alarms, their SNS topic and one CloudWatch dashboard: queues, functions, the
 * table, the API and the rollup's own metrics (`METRICS`, one line per batch).
 */
export class PipelineMonitoring extends Construct {
  readonly topic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: PipelineMonitoringProps) {
    super(scope, id);
    this.topic = new sns.Topic(this, 'AlarmTopic', { displayName: 'intent-pipeline alarms', enforceSSL: true });
    Validations.of(this.topic).acknowledge({
      id: 'AwsSolutions-SNS2',
      reason:
        'Alarm notifications name a metric and a threshold, nothing about visitors or accounts; CloudWatch cannot publish to a topic under the AWS-managed SNS key, and a customer key would cost more than the topic.',
    });
    if (props.alarmEmail) this.topic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));

    const rollupMetric = (name: string, statistic: string, label?: string) =>
      new cloudwatch.Metric({
        namespace: METRICS.namespace,
        metricName: name,
        dimensionsMap: { service: 'rollup' },
        statistic,
        period: Duration.minutes(5),
        label,
      });
    const alarm = (
      name: string,
      metric: cloudwatch.IMetric,
      spec: { threshold: number; periodMinutes: number; evaluationPeriods: number },
      description: string,
    ) => {
      const a = new cloudwatch.Alarm(this, name, {
        alarmDescription: description,
        metric: metric instanceof cloudwatch.Metric ? metric.with({ period: Duration.minutes(spec.periodMinutes) }) : metric,
        threshold: spec.threshold,
        evaluationPeriods: spec.evaluationPeriods,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      a.addAlarmAction(new actions.SnsAction(this.topic));
      a.addOkAction(new actions.SnsAction(this.topic));
      this.alarms.push(a);
      return a;
    };

    const deadLetters = [
      [
        'IngestDeadLetters',
        props.ingest.deadLetterQueue,
        ALARMS.ingestDeadLetters,
        'Accepted events failed five times and wait in the ingest DLQ: the rollup log says why each failed.',
      ],
      [
        'JobsDeadLetters',
        props.jobs.deadLetterQueue,
        ALARMS.jobsDeadLetters,
        'A job step failed five times: GET /v1/jobs shows the walk that stopped.',
      ],
      [
        'DeliveriesDeadLetters',
        props.deliveries.deadLetterQueue,
        ALARMS.deliveriesDeadLetters,
        'The deliver function failed on a delivery five times: GET /v1/destinations/{id}/deliveries?status=dead, and its log.',
      ],
    ] as const;
    for (const [name, queue, spec, description] of deadLetters)
      if (queue) alarm(name, queue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum' }), spec, description);
    alarm(
      'IngestOldestMessageAge',
      props.ingest.queue.metricApproximateAgeOfOldestMessage({ statistic: 'Maximum' }),
      ALARMS.ingestOldestAgeSeconds,
      'The rollup consumer is behind: the oldest ingest message has waited over five minutes.',
    );
    for (const [name, fn] of props.functions) {
      alarm(
        `${name}Errors`,
        fn.function.metricErrors({ statistic: 'Sum' }),
        ALARMS.functionErrors,
        `The ${name} function failed whole invocations (crashes or timeouts): see its log group.`,
      );
      alarm(
        `${name}Throttles`,
        fn.function.metricThrottles({ statistic: 'Sum' }),
        ALARMS.functionThrottles,
        `The ${name} function was throttled: the account's concurrency limit or its reserved concurrency.`,
      );
    }
    const throttled = props.table.metricThrottledRequestsForOperations({
      operations: DYNAMO_OPERATIONS,
      period: Duration.minutes(ALARMS.dynamoThrottles.periodMinutes),
    });
    alarm(
      'DynamoThrottles',
      throttled,
      ALARMS.dynamoThrottles,
      'DynamoDB throttled the pipeline table for 15 minutes running: raise the auto scaling maximums (TABLE.capacity) or deploy with -c tableCapacity=onDemand.',
    );
    alarm(
      'Api5xx',
      props.api.metricServerError({ statistic: 'Sum' }),
      ALARMS.api5xx,
      'The HTTP API answered 5xx: the logs of the functions behind it have each error.',
    );
    const collectorUrl5xx = props.collectorUrl?.metric('Url5xxCount', { statistic: 'Sum' });
    if (collectorUrl5xx)
      alarm(
        'CollectorUrl5xx',
        collectorUrl5xx,
        ALARMS.collectorUrl5xx,
        "The collector's function URL answered 5xx: the collector's log has each error.",
      );
    alarm(
      'Freshness',
      rollupMetric(METRICS.freshness, 'p95'),
      ALARMS.freshnessP95Seconds,
      'Accepted events take over a minute (p95) to reach their accounts’ scores.',
    );

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.hours(3),
      widgets: [
        [new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24, height: 4 })],
        [
          graph('Events per 5 minutes', [
            rollupMetric(METRICS.eventsAccepted, 'Sum', 'accepted'),
            rollupMetric(METRICS.eventsCounted, 'Sum', 'counted'),
            rollupMetric(METRICS.eventsRejected, 'Sum', 'rejected'),
          ]),
          graph('Dropped, by reason', [
            new cloudwatch.MathExpression({
              expression: `SEARCH('{${METRICS.namespace},reason,service} MetricName="${METRICS.eventsDropped}"', 'Sum', 300)`,
              label: '',
              period: Duration.minutes(5),
            }),
          ]),
          graph('Freshness (s): acceptance to score', [
            rollupMetric(METRICS.freshness, 'p50', 'p50'),
            rollupMetric(METRICS.freshness, 'p95', 'p95'),
            rollupMetric(METRICS.freshness, 'Maximum', 'max'),
          ]),
        ],
        [
          graph('Rollup batches', [
            rollupMetric(METRICS.eventsAccepted, 'Average', 'events per batch'),
            rollupMetric(METRICS.batchDuration, 'p95', 'duration p95 (ms)'),
            rollupMetric(METRICS.failedRecords, 'Sum', 'failed records'),
          ]),
          graph('Re-scores and pod messages', [
            rollupMetric(METRICS.rescores, 'Sum', 're-scores saved'),
            rollupMetric(METRICS.podMessages, 'Sum', 'pod messages'),
          ]),
          graph('Ingest queue', [
            props.ingest.queue.metricApproximateNumberOfMessagesVisible({ label: 'waiting' }),
            props.ingest.queue.metricApproximateAgeOfOldestMessage({ label: 'oldest (s)' }),
            ...(props.ingest.deadLetterQueue
              ? [props.ingest.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ label: 'DLQ' })]
              : []),
          ]),
        ],
        [
          graph(
            'Function errors and throttles',
            [...props.functions].flatMap(([name, fn]) => [
              fn.function.metricErrors({ label: `${name} errors` }),
              fn.function.metricThrottles({ label: `${name} throttles` }),
            ]),
          ),
          graph(
            'Function duration p95 (ms)',
            [...props.functions].map(([name, fn]) => fn.function.metricDuration({ statistic: 'p95', label: name })),
          ),
          graph('DynamoDB', [
            props.table.metricConsumedWriteCapacityUnits({ label: 'write units' }),
            props.table.metricConsumedReadCapacityUnits({ label: 'read units' }),
            throttled,
          ]),
        ],
        [
          graph('HTTP API', [
            props.api.metricCount({ label: 'requests' }),
            props.api.metricClientError({ label: '4xx (429 included)' }),
            props.api.metricServerError({ label: '5xx' }),
          ]),
          graph('HTTP API latency p95 (ms)', [props.api.metricLatency({ statistic: 'p95', label: 'p95' })]),
          ...(props.collectorUrl
            ? [
                graph('Collector function URL', [
                  props.collectorUrl.metric('UrlRequestCount', { statistic: 'Sum', label: 'requests' }),
                  props.collectorUrl.metric('Url4xxCount', { statistic: 'Sum', label: '4xx (429 included)' }),
                  props.collectorUrl.metric('Url5xxCount', { statistic: 'Sum', label: '5xx' }),
                ]),
              ]
            : []),
        ],
      ],
    });
  }
}

/** The table operations the pipeline makes (what a throttle can hit). */
const DYNAMO_OPERATIONS = [
  dynamodb.Operation.GET_ITEM,
  dynamodb.Operation.BATCH_GET_ITEM,
  dynamodb.Operation.QUERY,
  dynamodb.Operation.UPDATE_ITEM,
  dynamodb.Operation.PUT_ITEM,
  dynamodb.Operation.DELETE_ITEM,
  dynamodb.Operation.BATCH_WRITE_ITEM,
];

const graph = (title: string, left: cloudwatch.IMetric[]) => new cloudwatch.GraphWidget({ title, left, width: 8, height: 6 });
