import { Tracer } from '@aws-lambda-powertools/tracer';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/**
 * X-Ray tracing of a process's AWS SDK clients, on in AWS when the stack turns tracing on
 * (`POWERTOOLS_TRACE_ENABLED`, with the function's name as `POWERTOOLS_SERVICE_NAME`); outside
 * Lambda it is off and leaves the clients as they are.
 */
const tracer = new Tracer();

/** The client, with a subsegment per call when tracing is on. */
export const traced = <T>(client: T): T => tracer.captureAWSv3Client(client);

/**
 * The one DynamoDB client of a process, built at module scope so a warm Lambda reuses its
 * connections. Endpoints come from the SDK's own variables (`AWS_ENDPOINT_URL_DYNAMODB`), which
 * the local runtime sets: the handlers make the same calls locally as in AWS.
 */
export const dynamo = traced(new DynamoDBClient({}));
