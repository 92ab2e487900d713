import type { FunctionName, RouteDefinition } from '@intent/resources';
import { Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { PIPELINE_LOG_RETENTION } from './pipeline-function';

export interface PipelineHttpApiProps {
  routes: readonly RouteDefinition[];
  functions: ReadonlyMap<FunctionName, lambda.IFunction>;
  /** Default stage throttling for every route (requests per second, and the burst above it). */
  throttle: { rateLimit: number; burstLimit: number };
}

/**
 * Fields of one access log line. No source IP or user agent: the pipeline keeps only hashes of
 * visitors' addresses, and the access log should not become the place that keeps them in clear.
 */
const ACCESS_LOG_FORMAT = {
  requestId: '$context.requestId',
  requestTime: '$context.requestTimeEpoch',
  routeKey: '$context.routeKey',
  status: '$context.status',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationStatus: '$context.integrationStatus',
  integrationLatency: '$context.integrationLatency',
  integrationError: '$context.integrationErrorMessage',
  errorMessage: '$context.error.message',
};

/**
 * The HTTP API: one route per route definition, each to its function through one Lambda
 * integration per function. No API-level CORS and no API Gateway authorizer: the collector
 * answers preflights per site origin (OPTIONS routes go to it) and both functions check keys.
 */
export class PipelineHttpApi extends Construct {
  readonly api: apigw.HttpApi;
  readonly stage: apigw.HttpStage;
  readonly accessLogs: logs.LogGroup;

  constructor(scope: Construct, id: string, props: PipelineHttpApiProps) {
    super(scope, id);
    this.api = new apigw.HttpApi(this, 'Api', {
      description: 'Intent pipeline: collector and API',
      createDefaultStage: false,
    });
    this.accessLogs = new logs.LogGroup(this, 'AccessLogs', { retention: PIPELINE_LOG_RETENTION });
    this.stage = new apigw.HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: props.throttle,
      accessLogSettings: {
        destination: new apigw.LogGroupLogDestination(this.accessLogs),
        format: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FORMAT)),
      },
    });

    const integrations = new Map<FunctionName, HttpLambdaIntegration>();
    for (const route of props.routes) {
      const fn = props.functions.get(route.function);
      if (!fn) {
        throw new Error(
          `Route ${route.method} ${route.path} names the function "${route.function}", which the stack does not have`,
        );
      }
      let integration = integrations.get(route.function);
      if (!integration) {
        // One invoke permission per function for the whole API, not one per route.
        integration = new HttpLambdaIntegration(`${route.function}Integration`, fn, {
          scopePermissionToRoute: false,
        });
        integrations.set(route.function, integration);
      }
      this.api.addRoutes({
        path: route.path,
        methods: [apigw.HttpMethod[route.method]],
        integration,
      });
    }

    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        'Authorization is done in the functions: the collector is public by design (site write keys, checked against allowed origins), and the API checks Bearer API keys and their scopes (admin, marketing, sdr:<pod>) against hashed keys in the table. An API Gateway authorizer would repeat that lookup on every request.',
    });
  }

  /** The base URL of the default stage, ending in `/`. */
  get url(): string {
    return this.stage.url;
  }
}
