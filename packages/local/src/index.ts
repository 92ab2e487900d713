export { type DynamoBackend, dynamoBackendFromEnv } from './backends';
export { DEV_KEYS_FILE, writeDevKeys } from './dev-keys';
export { LOCAL_ENDPOINTS_FILE, type LocalEndpoints, readLocalEndpoints } from './endpoints';
export { INVOCATION_CHANNEL, type Invocation } from './invocations';
export { type LocalStack, type LocalStackOptions, startLocalStack } from './stack';
