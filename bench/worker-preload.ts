import { dynamo } from '@intent/store';
import { countForMainThread } from './dynamo-counter';
import { countUsageForMainThread } from './usage-counter';

/** Imported by each consumer worker before its handler: counts the handler's DynamoDB requests, invocations, SQS calls and log lines for the bench. */
countForMainThread(dynamo);
countUsageForMainThread();
