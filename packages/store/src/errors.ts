/** True when DynamoDB refused a write because its condition did not hold: a designed race, not a fault. */
export function isConditionalCheckFailed(err: unknown): boolean {
  return err instanceof Error && err.name === 'ConditionalCheckFailedException';
}
