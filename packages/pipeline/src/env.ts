/**
 * Reads a required environment variable once, at cold start: a missing one stops the function
 * with a sentence naming it, instead of failing later on a request.
 */
export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is required but not set`);
  return value;
}

export function optionalEnv(name: string): string | undefined {
  return process.env[name] || undefined;
}
