import { dynamo } from '@intent/store';
import { countForMainThread } from './dynamo-counter';

/** Imported by each consumer worker before its handler: counts the handler's DynamoDB requests for the bench. */
countForMainThread(dynamo);
