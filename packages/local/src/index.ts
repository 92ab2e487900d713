export { type DynamoBackend, dynamoBackendFromEnv } from './backends';
export { type LocalStack, type LocalStackOptions, startLocalStack } from './stack';
