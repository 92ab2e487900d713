import * as path from 'node:path';
import type { FunctionDefinition } from '@intent/resources';
import { Duration, Stack, Token, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { type BundlingOptions, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** The one runtime every pipeline function runs on (and the bundle's esbuild target). */
export const PIPELINE_RUNTIME = lambda.Runtime.NODEJS_22_X;
export const PIPELINE_ARCHITECTURE = lambda.Architecture.ARM_64;
export const PIPELINE_LOG_RETENTION = logs.RetentionDays.ONE_MONTH;

/**
 * In ESM output, esbuild's shim for the `require()` calls of bundled CommonJS packages (of Node
 * built-ins, mostly) throws "Dynamic require is not supported" unless a real `require` exists.
 */
export const ESM_REQUIRE_BANNER = [
  "import { createRequire as __pipelineCreateRequire } from 'node:module';",
  'const require = __pipelineCreateRequire(import.meta.url);',
].join(' ');

/**
 * How every handler is bundled: local esbuild (never Docker), ESM, minified with source maps.
 * The AWS SDK is bundled too (no externals) so a deployment runs the SDK version the tests ran,
 * not whatever the Lambda runtime happens to ship.
 */
export function pipelineBundling(): BundlingOptions {
  return {
    forceDockerBundling: false,
    format: OutputFormat.ESM,
    target: 'node22',
    mainFields: ['module', 'main'],
    banner: ESM_REQUIRE_BANNER,
    minify: true,
    keepNames: true,
    sourceMap: true,
    sourcesContent: false,
    externalModules: [],
  };
}

export interface PipelineFunctionProps {
  definition: FunctionDefinition;
  /** Absolute path of the repository root; `definition.entry` is relative to it. */
  repoRoot: string;
  /** X-Ray active tracing. */
  tracing?: boolean;
  /**
   * Reserved concurrency: at most this many invocations at once, and as many kept for it. A
   * public function URL's throttle (what a stage's rate limit is for the HTTP API): beyond it
   * Lambda answers 429 and the snippet retries with backoff.
   */
  reservedConcurrency?: number;
}

/**
 * A pipeline Lambda function built from its definition: runtime, architecture, timeout, memory,
 * source maps, ESM bundling and a log group with retention are fixed here and nowhere else.
 * Its role starts with nothing but writing to its own log group; each `bind*` method grants
 * one resource and sets the variable that names it, so the two cannot drift apart.
 */
export class PipelineFunction extends Construct {
  readonly definition: FunctionDefinition;
  readonly function: NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: PipelineFunctionProps) {
    super(scope, id);
    const { definition } = props;
    this.definition = definition;

    this.logGroup = new logs.LogGroup(this, 'Logs', { retention: PIPELINE_LOG_RETENTION });
    // An explicit role instead of AWSLambdaBasicExecutionRole: that managed policy lets the
    // function create log groups and write to any of them; this one may write only its own.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of the ${definition.name} function`,
    });
    this.logGroup.grants.write(this.role);

    this.function = new NodejsFunction(this, 'Function', {
      entry: path.resolve(props.repoRoot, definition.entry),
      handler: 'handler',
      description: definition.description,
      runtime: PIPELINE_RUNTIME,
      architecture: PIPELINE_ARCHITECTURE,
      timeout: Duration.seconds(definition.timeoutSeconds),
      memorySize: definition.memoryMb,
      reservedConcurrentExecutions: props.reservedConcurrency,
      role: this.role,
      logGroup: this.logGroup,
      // JSON logs filtered by level: the handlers' lines below INFO and Lambda's own START, END
      // and REPORT lines per invocation never reach CloudWatch (at a beacon per invocation those
      // would be the larger part of the log bill; docs/cost.md).
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: lambda.ApplicationLogLevel.INFO,
      systemLogLevelV2: lambda.SystemLogLevel.WARN,
      tracing: props.tracing ? lambda.Tracing.ACTIVE : lambda.Tracing.DISABLED,
      projectRoot: props.repoRoot,
      depsLockFilePath: path.resolve(props.repoRoot, 'package-lock.json'),
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        // Powertools: the service dimension of the metrics and the tracer's name; tracing of the
        // SDK clients only when X-Ray is on (without it the tracer has no segment to write to).
        POWERTOOLS_SERVICE_NAME: definition.name,
        POWERTOOLS_TRACE_ENABLED: props.tracing ? 'true' : 'false',
      },
      bundling: pipelineBundling(),
    });
    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Node.js 22 (LTS) is pinned on purpose, with the bundle targeting node22: a newer runtime is adopted as a deliberate change with its own test run, not picked up silently.',
    });
    if (props.tracing) {
      Validations.of(this.role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'X-Ray PutTraceSegments and PutTelemetryRecords support no resource-level permissions.',
      });
    }
  }

  /**
   * Grants read or read/write data access to the table and sets `envName` to its name. With
   * `leadingKeys`, reads of those partition keys only (GetItem, BatchGetItem and Query under a
   * `dynamodb:LeadingKeys` condition), and UpdateItem of the `update` patterns only: no Scan
   * (which names no key, so the condition would not hold it back), no Put or Delete, no index
   * (whose keys are other attributes).
   */
  bindTable(
    envName: string,
    table: dynamodb.Table,
    access: 'read' | 'readWrite',
    leadingKeys?: { read: string[]; update?: string[] },
  ): void {
    if (leadingKeys) {
      if (access !== 'read') throw new Error('leading-key access grants reads, and updates of the keys named');
      // Exact keys compare as strings; a pattern (`DEST#*`) needs StringLike.
      const readMatch = leadingKeys.read.some((k) => k.includes('*')) ? 'ForAllValues:StringLike' : 'ForAllValues:StringEquals';
      this.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'],
          resources: [table.tableArn],
          conditions: { [readMatch]: { 'dynamodb:LeadingKeys': leadingKeys.read } },
        }),
      );
      if (leadingKeys.update?.length)
        this.role.addToPrincipalPolicy(
          new iam.PolicyStatement({
            actions: ['dynamodb:UpdateItem'],
            resources: [table.tableArn],
            conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': leadingKeys.update } },
          }),
        );
      this.function.addEnvironment(envName, table.tableName);
      return;
    }
    if (access === 'read') table.grants.readData(this.function);
    else table.grants.readWriteData(this.function);
    Validations.of(this.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${logicalIdOf(table)}.Arn>/index/*]`,
      reason:
        "The only wildcard of a table grant is <table ARN>/index/*: this table's own global indexes (the pod queue and other sparse indexes are queried), no other table.",
    });
    this.function.addEnvironment(envName, table.tableName);
  }

  /** Grants sending to the queue and sets `envName` to its URL. */
  bindQueueSender(envName: string, queue: sqs.Queue): void {
    queue.grants.sendMessages(this.function);
    this.function.addEnvironment(envName, queue.queueUrl);
  }

  /**
   * Grants sending to every queue of the map and sets `envName` to the JSON object
   * key -> queue URL (resolved by CloudFormation at deploy time).
   */
  bindQueueSenderMap(envName: string, queues: ReadonlyMap<string, sqs.Queue>): void {
    const urls: Record<string, string> = {};
    for (const [key, queue] of queues) {
      queue.grants.sendMessages(this.function);
      urls[key] = queue.queueUrl;
    }
    this.function.addEnvironment(envName, Stack.of(this).toJsonString(urls));
  }

  /**
   * Grants reading the values of the secrets whose names start with `namePrefix` (in this
   * stack's account and region): destinations refer to secrets an admin keeps there.
   */
  bindSecretsNamed(namePrefix: string): void {
    const { account, region, partition } = Stack.of(this);
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['secretsmanager:GetSecretValue'],
        resources: [`arn:${partition}:secretsmanager:${region}:${account}:secret:${namePrefix}*`],
      }),
    );
    // cdk-nag names a finding's resource as synthesised: a pseudo parameter where the stack's
    // environment leaves it open, the value where it is set (`cdk synth` with a region, a deploy).
    const named = (value: string, pseudo: string) => (Token.isUnresolved(value) ? `<AWS::${pseudo}>` : value);
    Validations.of(this.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:${named(partition, 'Partition')}:secretsmanager:${named(region, 'Region')}:${named(account, 'AccountId')}:secret:${namePrefix}*]`,
      reason:
        'Destinations refer to secrets an admin creates after deployment; the grant is held to the one name prefix they must use, read-only.',
    });
  }

  /** Grants reading the secret's value and sets `envName` to its ARN (never the value). */
  bindSecret(envName: string, secret: secretsmanager.ISecret): void {
    secret.grantRead(this.function);
    this.function.addEnvironment(envName, secret.secretArn);
  }
}

/** The CloudFormation logical id of a table defined in this app, as cdk-nag names it in findings. */
function logicalIdOf(table: dynamodb.Table): string {
  const cfn = table.node.defaultChild as dynamodb.CfnTable;
  return Stack.of(table).resolve(cfn.logicalId) as string;
}
