import { SECTION_SCHEMAS } from '@intent/config';
import { describe, expect, it } from 'vitest';

describe('configuration sections', () => {
  it('refuse a field they do not know, naming it, instead of dropping it (a typo must not empty a section)', () => {
    const typo = SECTION_SCHEMAS.icp.safeParse({ salesReadyTeirs: ['A'] });
    expect(typo.success).toBe(false);
    expect(JSON.stringify(typo.error?.issues)).toContain('salesReadyTeirs');
    const nested = SECTION_SCHEMAS.pods.safeParse({ pods: [{ id: 'na', name: 'NA', match: { country: ['US'] } }] });
    expect(nested.success).toBe(false);
    expect(nested.error?.issues[0]?.path).toEqual(['pods', 0, 'match']);
  });

  it('hold every section to the section size, the SLA too', () => {
    const padded = SECTION_SCHEMAS.sla.safeParse({ firstTouchHours: 24 });
    expect(padded.success).toBe(true);
    const big = SECTION_SCHEMAS.topics.safeParse({
      topics: Array.from({ length: 500 }, (_, i) => ({ id: `t-${i}`, name: 'x'.repeat(190) })),
    });
    expect(big.success).toBe(false);
  });
});
