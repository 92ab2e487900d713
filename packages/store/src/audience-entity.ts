import { AudienceMember } from '@intent/audiences';
import { z } from 'zod';
import { defineEntity } from './entity';
import { audienceLogKey, audienceMemberKey, audienceMetaKey } from './keys';

/**
 * An audience's counters (`AUD#<id>` / `META`): the last log number handed out (`seq`), the
 * member count (`size`), the definitions revision being materialised (`rev`) and the last one
 * fully materialised (`done`). Each is absent until first written.
 */
export const audienceMetaEntity = defineEntity({
  name: 'audience meta',
  key: audienceMetaKey,
  attributes: z.object({
    pk: z.string(),
    sk: z.string(),
    seq: z.number().optional(),
    size: z.number().optional(),
    rev: z.number().optional(),
    done: z.number().optional(),
  }),
  indexes: [],
});

/** What reserving log numbers answers: the two counters it moved (UpdateItem's `UPDATED_NEW`). */
export const audienceCountersView = defineEntity({
  name: 'audience meta (counters)',
  key: audienceMetaKey,
  attributes: z.object({ seq: z.number(), size: z.number() }),
  indexes: [],
});

/**
 * An account's standing in one audience (`AUD#<id>` / `M#<domain>`), kept after it leaves
 * (`member: false`) so its (rev, ver) still orders later writes. Items written before
 * definitions had revisions have no `rev`.
 */
export const audienceMemberEntity = defineEntity({
  name: 'audience member',
  key: (p: { audienceId: string; domain: string }) => audienceMemberKey(p.audienceId, p.domain),
  attributes: z.object({
    pk: z.string(),
    sk: z.string(),
    domain: z.string(),
    member: z.boolean(),
    rev: z.number().default(0),
    ver: z.number(),
    /** What an audience exports of the member, as the members API shows it. */
    m: AudienceMember,
    at: z.string(),
  }),
  indexes: [],
});

/** What walking an audience's members reads of each (a projection). */
export const audienceMemberDomainView = defineEntity({
  name: 'audience member (domain)',
  key: audienceMemberEntity.key,
  attributes: audienceMemberEntity.attributes.pick({ domain: true }),
  indexes: [],
});

/**
 * One numbered change of an audience's log (`AUD#<id>` / `L#<12-digit sequence>`). A number a
 * writer abandoned is filled with `op: 'none'` and only its time; entries written before
 * revisions have no `rev`.
 */
export const audienceLogEntity = defineEntity({
  name: 'audience log entry',
  key: (p: { audienceId: string; seq: number }) => audienceLogKey(p.audienceId, p.seq),
  attributes: z.object({
    pk: z.string(),
    sk: z.string(),
    domain: z.string().optional(),
    name: z.string().optional(),
    op: z.enum(['add', 'remove', 'none']),
    at: z.string(),
    rev: z.number().default(0),
    ver: z.number().default(0),
  }),
  indexes: [],
});
