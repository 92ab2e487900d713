import { describe, expect, it } from 'vitest';
import { accountScoredKeyView } from '../../packages/store/src/account-entity';
import { siteDayEntity } from '../../packages/store/src/activity-repo';
import { apiKeyEntity, apiKeyListingEntity } from '../../packages/store/src/api-key-repo';
import { audienceLogEntity, audienceMemberEntity, audienceMetaEntity } from '../../packages/store/src/audience-entity';
import { configRevisionEntity, configSectionEntity, StoredSections } from '../../packages/store/src/config-entity';
import { domainClaimsEntity } from '../../packages/store/src/domain-claims-repo';
import { ItemShapeError } from '../../packages/store/src/entity';
import { feedbackEntity, wonEntity } from '../../packages/store/src/feedback-repo';
import { firmographicsListingEntity } from '../../packages/store/src/firmographics-repo';
import { erasedEntryEntity, userLinkEntity, visitorLinkEntity } from '../../packages/store/src/identity-entity';
import { ipRangeEntity } from '../../packages/store/src/ip-range-repo';
import { pendingDayEntity } from '../../packages/store/src/pending-entity';
import { pushEntity, pushPointerEntity } from '../../packages/store/src/push-repo';
import { rateWindowEntity } from '../../packages/store/src/rate-limit-repo';

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

describe('audience item reads', () => {
  const view = { domain: 'x.example', name: 'X', tier: 'A', stage: 'surging', priority: 70, topics: ['security'] };
  const member = { ...audienceMemberEntity.key({ audienceId: 'emea', domain: 'x.example' }), domain: 'x.example' };

  it('a member item that is not as defined fails naming the item and the attribute', () => {
    const item = { ...member, member: true, ver: 3, m: view, at: '2026-11-30T10:00:00.000Z' };
    expect(audienceMemberEntity.parse(item)).toMatchObject({ rev: 0, m: view });
    expect(() => audienceMemberEntity.parse({ ...item, m: { ...view, priority: 'high' } })).toThrow(
      /audience member item AUD#emea M#x\.example is not as defined: m\.priority/,
    );
    expect(() => audienceMemberEntity.parse({ ...item, member: 'yes' })).toThrow(ItemShapeError);
  });

  it('a log entry that is not as defined fails naming the item and the attribute', () => {
    const gap = { ...audienceLogEntity.key({ audienceId: 'emea', seq: 7 }), op: 'none', at: '2026-11-30T10:00:00.000Z' };
    expect(audienceLogEntity.parse(gap)).toMatchObject({ op: 'none', rev: 0, ver: 0 });
    expect(() => audienceLogEntity.parse({ ...gap, op: 'join' })).toThrow(
      /audience log entry item AUD#emea L#000000000007 is not as defined: op/,
    );
  });

  it('a meta item that is not as defined fails naming the item and the attribute', () => {
    const meta = { ...audienceMetaEntity.key('emea'), seq: 4, size: 2 };
    expect(audienceMetaEntity.parse(meta).seq).toBe(4);
    expect(() => audienceMetaEntity.parse({ ...meta, size: '2' })).toThrow(
      /audience meta item AUD#emea META is not as defined: size/,
    );
  });
});

describe('push item reads', () => {
  const ref = { podId: 'emea', pushedAt: '2026-11-30T10:00:00.000Z', domain: 'x.example' };

  it('a push that is not as defined fails naming the item and the attribute; its outcomes set reads as a list', () => {
    const item = { ...pushEntity.key(ref), ...ref, outcomes: new Set(['meeting']) };
    expect(pushEntity.parse(item)).toEqual({ ...ref, outcomes: ['meeting'] });
    expect(() => pushEntity.parse({ ...item, outcomes: new Set(['shrug']) })).toThrow(
      /push item PUSH#emea 2026-11-30T10:00:00\.000Z#x\.example is not as defined: outcomes/,
    );
  });

  it('a push pointer that is not as defined fails naming the item and the attribute', () => {
    expect(() => pushPointerEntity.parse({ ...pushPointerEntity.key(ref), podId: 'emea' })).toThrow(
      /push pointer item ACCT#x\.example P#2026-11-30T10:00:00\.000Z#emea is not as defined: pushedAt/,
    );
  });
});

describe('feedback item reads', () => {
  it('a piece of feedback that is not as defined fails naming the item and the attribute', () => {
    const record = { id: 'f1', domain: 'x.example', outcome: 'rejected', reason: 'no budget', at: '2026-11-30T10:00:00.000Z' };
    const item = { ...feedbackEntity.key(record), ...record };
    expect(feedbackEntity.parse(item)).toEqual(record);
    expect(() => feedbackEntity.parse({ ...item, bant: { budget: 3 } })).toThrow(
      /feedback item ACCT#x\.example F#2026-11-30T10:00:00\.000Z#f1 is not as defined: bant\.budget/,
    );
  });

  it('a won account that is not as defined fails naming the item and the attribute', () => {
    expect(() => wonEntity.parse({ ...wonEntity.key('x.example'), domain: 'x.example' })).toThrow(
      /won account item WON x\.example is not as defined: at/,
    );
  });
});

describe('identity item reads', () => {
  it('a visitor link that is not as defined fails naming the item and the attribute; its users set reads sorted', () => {
    const item = { ...visitorLinkEntity.key('anon-1'), domain: 'x.example', linkedAt: 'now', users: new Set(['u2', 'u1']) };
    expect(visitorLinkEntity.parse(item).users).toEqual(['u1', 'u2']);
    expect(() => visitorLinkEntity.parse({ ...item, erased: 'yes' })).toThrow(
      /visitor link item VISITOR#anon-1 LINK is not as defined: erased/,
    );
  });

  it('a user link that is not as defined fails naming the item and the attribute', () => {
    expect(() => userLinkEntity.parse({ ...userLinkEntity.key('h1'), domain: 'x.example', person: 7 })).toThrow(
      /user link item USER#h1 LINK is not as defined: person/,
    );
  });

  it('an erased visitor entry without its sort key fails naming the attribute', () => {
    expect(() => erasedEntryEntity.parse({ pk: 'ERASED' })).toThrow(/erased visitor entry item ERASED {2}is not as defined: sk/);
  });
});

describe('a site day item read', () => {
  it('keeps the counters named by the data, and fails naming a fixed attribute that is not as defined', () => {
    const item = { ...siteDayEntity.key({ siteId: 's1', day: '2026-11-30' }), accepted: 3, rej_401: 1 };
    expect(siteDayEntity.parse(item)).toMatchObject({ accepted: 3, rej_401: 1 });
    expect(() => siteDayEntity.parse({ ...item, lagN: '2' })).toThrow(
      /site day item SITE#s1 D#2026-11-30 is not as defined: lagN/,
    );
  });
});

describe('api key item reads', () => {
  const record = { id: 'k1', name: 'ops', scopes: ['admin'], createdAt: '2026-11-30T10:00:00.000Z' };

  it('a key by its hash reads as its record, and one not as defined fails naming the item and the attribute', () => {
    const item = { ...apiKeyEntity.key('h1'), ...record };
    expect(apiKeyEntity.parse(item)).toEqual(record);
    expect(() => apiKeyEntity.parse({ ...item, scopes: 'admin' })).toThrow(
      /api key item APIKEY#h1 KEY is not as defined: scopes/,
    );
  });

  it('a listing item without its hash fails naming the item and the attribute', () => {
    const item = { ...apiKeyListingEntity.key('k1'), ...record };
    expect(apiKeyListingEntity.parse({ ...item, hash: 'h1' })).toEqual({ ...record, hash: 'h1' });
    expect(() => apiKeyListingEntity.parse(item)).toThrow(/api key listing item APIKEYS k1 is not as defined: hash/);
  });
});

describe('an ip range item read', () => {
  it('reads its range from its sort key, and fails naming the attribute when not as defined', () => {
    const range = { cidr: '10.0.0.0/8', domain: 'x.example' };
    const item = { ...ipRangeEntity.key(range), domain: range.domain };
    expect(ipRangeEntity.parse(item)).toEqual(range);
    expect(() => ipRangeEntity.parse({ ...item, domain: 7 })).toThrow(
      /ip range item IPRANGES 10\.0\.0\.0\/8 is not as defined: domain/,
    );
  });
});

describe('a domain claims item read', () => {
  it('reads its domains as a set, and fails naming the attribute when not as defined', () => {
    const item = { ...domainClaimsEntity.key({ subject: 'v#a1', day: '2026-11-30' }), subject: 'v#a1', expiresAt: 1 };
    expect(domainClaimsEntity.parse({ ...item, domains: new Set(['x.example']) }).domains).toEqual(new Set(['x.example']));
    expect(() => domainClaimsEntity.parse({ ...item, domains: ['x.example'] })).toThrow(
      /domain claims item DCLAIMS#v#a1 2026-11-30 is not as defined: domains/,
    );
  });
});

describe('a rate window item read', () => {
  it('that is not as defined fails naming the item and the attribute', () => {
    const item = { ...rateWindowEntity.key({ bucket: 'addr#s1#10.0.0.1', window: 42 }), n: 3, expiresAt: 100 };
    expect(rateWindowEntity.parse(item)).toEqual({ n: 3, expiresAt: 100 });
    expect(() => rateWindowEntity.parse({ ...item, n: '3' })).toThrow(
      /rate window item RATE#addr#s1#10\.0\.0\.1 42 is not as defined: n/,
    );
  });
});

describe('a pending day item read', () => {
  it('without its entries fails naming the item and the attribute', () => {
    const item = { ...pendingDayEntity.key({ anonymousId: 'anon-1', day: '2026-11-30' }), expiresAt: 100 };
    expect(pendingDayEntity.parse({ ...item, ev: new Set(['e1|pv|security|p1|10']) }).ev.size).toBe(1);
    expect(() => pendingDayEntity.parse(item)).toThrow(/pending day item PV#\S+ D#2026-11-30 is not as defined: ev/);
  });
});

describe('a firmographics listing item read', () => {
  it('reads its firmographics, and fails naming the attribute when not as defined', () => {
    const item = { ...firmographicsListingEntity.key('x.example'), f: { domain: 'x.example', employees: 40 } };
    expect(firmographicsListingEntity.parse(item).f).toMatchObject({ domain: 'x.example', employees: 40 });
    expect(() => firmographicsListingEntity.parse({ ...item, f: { domain: 'x.example', employees: 'many' } })).toThrow(
      /firmographics listing item ACCTS#\d x\.example is not as defined: f\.employees/,
    );
  });
});

describe('a scored-accounts index entry read', () => {
  it('reads the domain from its index sort key, and fails naming it when absent', () => {
    expect(accountScoredKeyView.parse({ gsi2sk: 'x.example' })).toEqual({ domain: 'x.example' });
    expect(() => accountScoredKeyView.parse({ pk: 'ACCT#x.example', sk: 'A' })).toThrow(
      /account \(scored index key\) item ACCT#x\.example A is not as defined: gsi2sk/,
    );
  });
});
