import { describe, expect, it } from 'vitest';
import { configRevisionEntity, configSectionEntity, StoredSections } from '../../packages/store/src/config-entity';
import { ItemShapeError } from '../../packages/store/src/entity';

describe('a config section item read', () => {
  it('that is not as defined fails naming the item and the attribute', () => {
    const item = { pk: 'CONFIG', sk: 'pods', value: {}, rev: 2, updatedAt: '2026-11-30T10:00:00.000Z' };
    expect(configSectionEntity.parse(item).rev).toBe(2);
    expect(() => configSectionEntity.parse({ ...item, updatedBy: { name: 'ops' } })).toThrow(
      /config section item CONFIG pods is not as defined: updatedBy\.keyId/,
    );
    expect(() => configSectionEntity.parse({ ...item, sk: 'colours' })).toThrow(ItemShapeError);
  });

  it('reads a section never stored as its default, and a stored one by its schema', () => {
    const sections = StoredSections.parse({ sla: { firstTouchHours: 4 } });
    expect(sections.sla.firstTouchHours).toBe(4);
    expect(sections.pods.pods.map((p) => p.id)).toEqual(['default']);
    expect(() => StoredSections.parse({ sla: { firstTouchHours: 'soon' } })).toThrow(/firstTouchHours/);
  });
});

describe('a config revision item read', () => {
  it('that is not as defined fails naming the item and the attribute', () => {
    const item = {
      ...configRevisionEntity.key({ section: 'sla', revision: 3 }),
      section: 'sla',
      revision: 3,
      at: 'x',
      value: {},
    };
    expect(configRevisionEntity.parse(item).revision).toBe(3);
    expect(() => configRevisionEntity.parse({ ...item, revision: '3' })).toThrow(
      /config revision item CFGREV#sla 000000000003 is not as defined: revision/,
    );
  });
});
