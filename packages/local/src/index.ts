export { type DynamoBackend, dynamoBackendFromEnv } from './backends';
export { DEV_KEYS_FILE, writeDevKeys } from './dev-keys';
export { type LocalStack, type LocalStackOptions, startLocalStack } from './stack';
