import { DESTINATION_SECRET_NAME_PREFIX, FUNCTIONS, type FunctionName } from '@intent/resources';
import { App, Stack } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildPipelineApp } from '../../infra/pipeline-app';
import { configKey, rateWindowKey } from '../../packages/store/src/keys';
import { type Synthesized, synthesize, TEST_PODS } from './fixture';
import { actionsByResource, logicalIdWhere, referencedId } from './template-helpers';

const DDB_READ = [
  'dynamodb:BatchGetItem',
  'dynamodb:ConditionCheckItem',
  'dynamodb:DescribeTable',
  'dynamodb:GetItem',
  'dynamodb:GetRecords',
  'dynamodb:GetShardIterator',
  'dynamodb:Query',
  'dynamodb:Scan',
];
const DDB_READ_WRITE = [
  ...DDB_READ,
  'dynamodb:BatchWriteItem',
  'dynamodb:DeleteItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
].sort();
const SQS_SEND = ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'];
const SQS_CONSUME = [
  'sqs:ChangeMessageVisibility',
  'sqs:DeleteMessage',
  'sqs:GetQueueAttributes',
  'sqs:GetQueueUrl',
  'sqs:ReceiveMessage',
];
const SQS_SEND_AND_CONSUME = [...new Set([...SQS_SEND, ...SQS_CONSUME])].sort();
const SECRET_READ = ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'];
const OWN_LOGS = ['logs:CreateLogStream', 'logs:PutLogEvents'];
const DESTINATION_SECRETS_ARN = {
  'Fn::Join': [
    '',
    [
      'arn:',
      { Ref: 'AWS::Partition' },
      ':secretsmanager:',
      { Ref: 'AWS::Region' },
      ':',
      { Ref: 'AWS::AccountId' },
      `:secret:${DESTINATION_SECRET_NAME_PREFIX}*`,
    ],
  ],
};
const podSend = Object.fromEntries(TEST_PODS.map((pod) => [`pod:${pod}`, SQS_SEND]));

/** What each function may do, per resource: the whole policy, not a subset. */
const EXPECTED_ACTIONS: Record<FunctionName, Record<string, string[]>> = {
  collector: {
    'own-logs': OWN_LOGS,
    // Configuration items only, and the rate limiter's window counters (LeadingKeys conditions,
    // below): no Scan, no Put or Delete, no index.
    table: ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
    ingest: SQS_SEND,
    'hash-secret': SECRET_READ,
  },
  api: {
    'own-logs': OWN_LOGS,
    table: DDB_READ_WRITE,
    'table/index/*': DDB_READ_WRITE,
    ...podSend,
    audiences: SQS_SEND,
    jobs: SQS_SEND,
    deliveries: SQS_SEND,
    'hash-secret': SECRET_READ,
    'admin-key': SECRET_READ,
  },
  rollup: {
    'own-logs': OWN_LOGS,
    table: DDB_READ_WRITE,
    'table/index/*': DDB_READ_WRITE,
    ...podSend,
    audiences: SQS_SEND,
    deliveries: SQS_SEND,
    ingest: SQS_CONSUME,
  },
  rescore: {
    'own-logs': OWN_LOGS,
    table: DDB_READ_WRITE,
    'table/index/*': DDB_READ_WRITE,
    ...podSend,
    audiences: SQS_SEND,
    jobs: SQS_SEND_AND_CONSUME,
    deliveries: SQS_SEND,
  },
  deliver: {
    'own-logs': OWN_LOGS,
    // Configuration and its destinations' partitions only (LeadingKeys conditions): no Scan,
    // no Put or Delete, no index; no account, identity or key.
    table: ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
    deliveries: SQS_SEND_AND_CONSUME,
    'hash-secret': SECRET_READ,
    // Only secrets named under the destinations' prefix, in the stack's account and region.
    [JSON.stringify(DESTINATION_SECRETS_ARN)]: ['secretsmanager:GetSecretValue'],
  },
};

let s: Synthesized;
let template: Template;
beforeAll(() => {
  s = synthesize();
  template = s.template;
});

const secretWhere = (about: string) =>
  logicalIdWhere(template, 'AWS::SecretsManager::Secret', (p) => String(p.Description).includes(about));

describe('IAM', () => {
  const labels = (): Map<string, string> => {
    const map = new Map<string, string>([
      [s.idOf(s.stack.table), 'table'],
      [s.idOf(s.stack.ingest.queue), 'ingest'],
      [s.idOf(s.stack.ingest.deadLetterQueue), 'ingest-dlq'],
      [s.idOf(s.stack.jobs.queue), 'jobs'],
      [s.idOf(s.stack.jobs.deadLetterQueue), 'jobs-dlq'],
      [secretWhere('hashes'), 'hash-secret'],
      [secretWhere('admin API key'), 'admin-key'],
    ]);
    map.set(s.idOf(s.stack.audienceQueue.queue), 'audiences');
    map.set(s.idOf(s.stack.deliveries.queue), 'deliveries');
    map.set(s.idOf(s.stack.deliveries.deadLetterQueue), 'deliveries-dlq');
    for (const [pod, queue] of s.stack.podQueues) map.set(s.idOf(queue.queue), `pod:${pod}`);
    return map;
  };

  it.each(FUNCTIONS.map((def) => def.name))('gives %s exactly the actions its definition needs', (name) => {
    const fn = s.stack.functions.get(name);
    const ownLogs = s.idOf(fn?.logGroup);
    const known = labels();
    const actual = actionsByResource(template, s.idOf(fn?.role), (id) =>
      id === ownLogs ? 'own-logs' : (known.get(id) ?? `other:${id}`),
    );
    expect(actual).toEqual(EXPECTED_ACTIONS[name]);
  });

  it('lets the public collector read configuration items and update rate-limit windows only: LeadingKeys conditions', () => {
    expect(FUNCTIONS.find((def) => def.name === 'collector')?.tableLeadingKeys).toEqual({
      read: [configKey('sites').pk],
      update: [`${rateWindowKey('x', 0).pk.slice(0, -1)}*`],
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: s.idOf(s.stack.functions.get('collector')?.role) }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'],
            Resource: { 'Fn::GetAtt': [s.idOf(s.stack.table), 'Arn'] },
            Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['CONFIG'] } },
          }),
          Match.objectLike({
            Action: 'dynamodb:UpdateItem',
            Resource: { 'Fn::GetAtt': [s.idOf(s.stack.table), 'Arn'] },
            Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['RATE#*'] } },
          }),
        ]),
      },
    });
  });

  it('lets only rollup (from the ingest queue), rescore (from the jobs queue) and deliver (from the deliveries queue) receive messages', () => {
    const receivers: string[] = [];
    for (const [id, policy] of Object.entries(template.findResources('AWS::IAM::Policy'))) {
      for (const statement of policy.Properties.PolicyDocument.Statement) {
        const actions = [statement.Action].flat();
        if (actions.includes('sqs:ReceiveMessage')) receivers.push(`${id}:${referencedId(statement.Resource)}`);
      }
    }
    const policyOf = (name: FunctionName) => s.idOf(s.stack.functions.get(name)?.role.node.findChild('DefaultPolicy'));
    expect(receivers.sort()).toEqual(
      [
        `${policyOf('rollup')}:${s.idOf(s.stack.ingest.queue)}`,
        `${policyOf('rescore')}:${s.idOf(s.stack.jobs.queue)}`,
        `${policyOf('deliver')}:${s.idOf(s.stack.deliveries.queue)}`,
      ].sort(),
    );
  });

  it('attaches no managed policy and no inline policy to the function roles', () => {
    for (const def of FUNCTIONS) {
      const role = template.findResources('AWS::IAM::Role')[s.idOf(s.stack.functions.get(def.name)?.role)];
      expect(role?.Properties.ManagedPolicyArns).toBeUndefined();
      expect(role?.Properties.Policies).toBeUndefined();
    }
  });
});

describe('cdk-nag', () => {
  it('finds nothing unacknowledged in the stack (AWS Solutions rules)', () => {
    const report = new AwsSolutionsChecks(undefined, { verbose: true }).validateScope(s.app);
    const findings = report.violations.map(
      (v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`,
    );
    expect(findings).toEqual([]);
  });

  it('finds nothing unacknowledged when the environment names an account and region (a deploy, `cdk synth` with a region)', () => {
    const { app } = buildPipelineApp(
      { context: { 'aws:cdk:bundling-stacks': [], pods: TEST_PODS } },
      { env: { account: '123456789012', region: 'eu-west-1' } },
    );
    const report = new AwsSolutionsChecks(undefined, { verbose: true }).validateScope(app);
    expect(report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual(
      [],
    );
  });

  it('does report a finding nobody acknowledged (the check above is not vacuous)', () => {
    const scratch = new Stack(new App(), 'Scratch');
    new sqs.Queue(scratch, 'Plain', { encryption: sqs.QueueEncryption.UNENCRYPTED });
    const report = new AwsSolutionsChecks().validateScope(scratch);
    expect(report.violations.map((v) => v.ruleName)).toEqual(
      expect.arrayContaining(['AwsSolutions-SQS2', 'AwsSolutions-SQS3', 'AwsSolutions-SQS4']),
    );
  });
});
