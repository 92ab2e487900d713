import { FUNCTIONS, METRICS } from '@intent/resources';
import { Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { ALARMS } from '../../infra/constructs/pipeline-monitoring';
import { type Synthesized, synthesize, TEST_PODS } from './fixture';

let s: Synthesized;
beforeAll(() => {
  s = synthesize({ pods: TEST_PODS, alarmEmail: 'ops@example.com' });
});

type AlarmProps = Record<string, unknown> & {
  MetricName?: string;
  Namespace?: string;
  Threshold: number;
  EvaluationPeriods: number;
  Period?: number;
  Statistic?: string;
  ExtendedStatistic?: string;
  Dimensions?: { Name: string; Value: unknown }[];
  AlarmActions: unknown[];
  OKActions: unknown[];
  Metrics?: unknown[];
};
const alarms = () => Object.values(s.template.findResources('AWS::CloudWatch::Alarm')).map((r) => r.Properties as AlarmProps);
const alarmOn = (namespace: string, metric: string, dimension?: { name: string; value: unknown }) => {
  const found = alarms().filter(
    (a) =>
      a.Namespace === namespace &&
      a.MetricName === metric &&
      (!dimension ||
        a.Dimensions?.some((d) => d.Name === dimension.name && JSON.stringify(d.Value) === JSON.stringify(dimension.value))),
  );
  expect(found, `${namespace} ${metric} ${JSON.stringify(dimension)}`).toHaveLength(1);
  return found[0] as AlarmProps;
};
const expectSpec = (a: AlarmProps, spec: { threshold: number; periodMinutes: number; evaluationPeriods: number }) => {
  expect(a.Threshold).toBe(spec.threshold);
  expect(a.EvaluationPeriods).toBe(spec.evaluationPeriods);
  expect(a.Period).toBe(spec.periodMinutes * 60);
  expect(a.ComparisonOperator).toBe('GreaterThanOrEqualToThreshold');
  expect(a.TreatMissingData).toBe('notBreaching');
};

describe('alarms', () => {
  it('fire on any message in the ingest, jobs and deliveries dead-letter queues', () => {
    for (const queue of [s.stack.ingest, s.stack.jobs, s.stack.deliveries]) {
      const a = alarmOn('AWS/SQS', 'ApproximateNumberOfMessagesVisible', {
        name: 'QueueName',
        value: { 'Fn::GetAtt': [s.idOf(queue.deadLetterQueue), 'QueueName'] },
      });
      expectSpec(a, ALARMS.ingestDeadLetters);
      expect(a.Statistic).toBe('Maximum');
    }
  });

  it('fire when the oldest ingest message has waited five minutes, five minutes running', () => {
    const a = alarmOn('AWS/SQS', 'ApproximateAgeOfOldestMessage', {
      name: 'QueueName',
      value: { 'Fn::GetAtt': [s.idOf(s.stack.ingest.queue), 'QueueName'] },
    });
    expectSpec(a, ALARMS.ingestOldestAgeSeconds);
    expect(a.Threshold).toBe(300);
  });

  it('fire on errors and throttles of every function', () => {
    for (const def of FUNCTIONS) {
      const fn = { name: 'FunctionName', value: { Ref: s.functionIdOf(def.name) } };
      expectSpec(alarmOn('AWS/Lambda', 'Errors', fn), ALARMS.functionErrors);
      expectSpec(alarmOn('AWS/Lambda', 'Throttles', fn), ALARMS.functionThrottles);
    }
  });

  it('fire on API 5xx answers', () => {
    const a = alarmOn('AWS/ApiGateway', '5xx');
    expectSpec(a, ALARMS.api5xx);
    expect(a.Statistic).toBe('Sum');
  });

  it('fire on DynamoDB throttles of the table, every operation the pipeline makes summed', () => {
    const math = alarms().filter((a) => JSON.stringify(a.Metrics ?? []).includes('ThrottledRequests'));
    expect(math).toHaveLength(1);
    const a = math[0] as AlarmProps;
    expect(a.Threshold).toBe(ALARMS.dynamoThrottles.threshold);
    // Sustained, not the minutes auto scaling takes to follow a burst.
    expect(a.EvaluationPeriods).toBe(ALARMS.dynamoThrottles.evaluationPeriods);
    const text = JSON.stringify(a.Metrics);
    for (const op of ['GetItem', 'BatchGetItem', 'Query', 'UpdateItem', 'PutItem', 'DeleteItem', 'BatchWriteItem'])
      expect(text).toContain(`"${op}"`);
    expect(text).toContain(s.idOf(s.stack.table));
  });

  it('fire when the rollup’s p95 freshness stays over a minute for fifteen minutes', () => {
    const a = alarmOn(METRICS.namespace, METRICS.freshness, { name: 'service', value: 'rollup' });
    expectSpec(a, ALARMS.freshnessP95Seconds);
    expect(a.ExtendedStatistic).toBe('p95');
  });

  it('all notify the alarm topic, on alarm and back to OK', () => {
    const topic = { Ref: s.idOf(s.stack.monitoring.topic) };
    const all = alarms();
    expect(all).toHaveLength(s.stack.monitoring.alarms.length);
    for (const a of all) {
      expect(a.AlarmActions).toEqual([topic]);
      expect(a.OKActions).toEqual([topic]);
    }
  });
});

describe('alarm topic and dashboard', () => {
  it('emails the address of context alarmEmail, and refuses TLS-less publishing', () => {
    s.template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
      TopicArn: { Ref: s.idOf(s.stack.monitoring.topic) },
    });
    s.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('has no subscription without the context, and refuses a malformed address', () => {
    const bare = synthesize({ pods: TEST_PODS });
    bare.template.resourceCountIs('AWS::SNS::Subscription', 0);
    expect(() => synthesize({ pods: TEST_PODS, alarmEmail: 'not-an-address' })).toThrow(/alarmEmail/);
  });

  it('has one dashboard with the rollup’s metrics, the queues, functions, table and API', () => {
    const dashboards = Object.values(s.template.findResources('AWS::CloudWatch::Dashboard'));
    expect(dashboards).toHaveLength(1);
    const body = JSON.stringify(dashboards[0]?.Properties?.DashboardBody);
    for (const metric of [
      METRICS.eventsAccepted,
      METRICS.eventsCounted,
      METRICS.freshness,
      METRICS.rescores,
      METRICS.eventsDropped,
    ])
      expect(body).toContain(metric);
    for (const metric of ['ApproximateAgeOfOldestMessage', 'Errors', 'Throttles', 'ConsumedWriteCapacityUnits', '5xx', 'Latency'])
      expect(body).toContain(metric);
  });

  it('publishes the topic ARN and the dashboard name', () => {
    s.template.hasOutput('AlarmTopicArn', { Value: { Ref: s.idOf(s.stack.monitoring.topic) } });
    s.template.hasOutput('DashboardName', Match.anyValue());
  });

  it('keeps cdk-nag clean: the topic’s AWS-managed-key rule is acknowledged with its reason', () => {
    const report = new AwsSolutionsChecks().validateScope(s.app);
    expect(report.violations.map((v) => v.ruleName)).toEqual([]);
  });
});
