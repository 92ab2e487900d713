import { describe, expect, it } from 'vitest';
import { skippedSummary, skipUnless } from '../skips';

const browser = { what: 'browser tests', why: 'no Chromium at /usr/bin/chromium; install it or set CHROMIUM_PATH' };
const java = { what: 'conformance tests', why: 'no Java 17' };

describe('what npm test says it skipped', () => {
  it('counts the skipped tests per reason, one line each, in the order first met', () => {
    expect(skippedSummary([browser, java, browser, browser])).toEqual([
      `skipped: 3 browser tests (${browser.why})`,
      'skipped: 1 conformance test (no Java 17)',
    ]);
  });

  it('says nothing when nothing was skipped for a missing prerequisite', () => {
    expect(skippedSummary([])).toEqual([]);
  });

  it('skips a suite, carrying the reason to each test, only when the prerequisite is missing', () => {
    expect(skipUnless(true, browser)).toEqual({});
    expect(skipUnless(false, browser)).toEqual({ skip: true, meta: { skippedBecause: browser } });
  });
});
