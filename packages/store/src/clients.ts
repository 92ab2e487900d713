import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/**
 * X-Ray tracing of a process's AWS SDK clients, on in AWS when the stack turns tracing on
 * (`POWERTOOLS_TRACE_ENABLED`, with the function's name as `POWERTOOLS_SERVICE_NAME`); outside
 * Lambda it is off and leaves the clients as they are. The Tracer is loaded only then: the
 * X-Ray SDK under it enables an async hook on every promise of the process as soon as it
 * loads, traced or not, which cost the collector a good part of its time (docs/cost.md).
 */
const tracer =
  process.env.POWERTOOLS_TRACE_ENABLED === 'true' ? new (await import('@aws-lambda-powertools/tracer')).Tracer() : undefined;

/** The client, with a subsegment per call when tracing is on. */
export const traced = <T>(client: T): T => (tracer ? tracer.captureAWSv3Client(client) : client);

/**
 * The one DynamoDB client of a process, built at module scope so a warm Lambda reuses its
 * connections. Endpoints come from the SDK's own variables (`AWS_ENDPOINT_URL_DYNAMODB`), which
 * the local runtime sets: the handlers make the same calls locally as in AWS.
 */
export const dynamo = traced(new DynamoDBClient({}));
