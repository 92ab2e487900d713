import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/**
 * The one DynamoDB client of a process, built at module scope so a warm Lambda reuses its
 * connections. Endpoints come from the SDK's own variables (`AWS_ENDPOINT_URL_DYNAMODB`), which
 * the local runtime sets: the handlers make the same calls locally as in AWS.
 */
export const dynamo = new DynamoDBClient({});
