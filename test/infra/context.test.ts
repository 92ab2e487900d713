import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { podsFromContext } from '../../infra/context';

describe('pods context', () => {
  const podsOf = (pods: unknown) => podsFromContext(new App({ context: pods === undefined ? {} : { pods } }).node);

  it('defaults to the one pod a fresh stack routes to', () => {
    expect(podsOf(undefined)).toEqual(['default']);
  });

  it('accepts a JSON array from cdk.json or the command line, and a comma list', () => {
    expect(podsOf(['default', 'strategic'])).toEqual(['default', 'strategic']);
    expect(podsOf('["na-enterprise","catch-all"]')).toEqual(['na-enterprise', 'catch-all']);
    expect(podsOf('a, b')).toEqual(['a', 'b']);
  });

  it('rejects ids that cannot name a queue or an output, and duplicates', () => {
    expect(() => podsOf(['Default'])).toThrow(/lower-case/);
    expect(() => podsOf(['a', 'a'])).toThrow(/twice/);
    expect(() => podsOf([])).toThrow(/non-empty/);
  });
});
