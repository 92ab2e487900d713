import { type Config, SECTION_NAMES, type SectionName } from '@intent/config';
import type { z } from 'zod';
import {
  configRevisionEntity,
  configRevisionSummaryView,
  configSectionEntity,
  type RevisionAuthor,
  StoredSections,
} from './config-entity';
import { configRevisionPk, configRevisionSk } from './keys';
import { type Item, type Table, toAttr } from './table';

/** How a revision came about, besides its value. */
export interface RevisionOrigin {
  by?: RevisionAuthor;
  /** The revision whose value a restore applied again. */
  restoredFrom?: number;
  /**
   * Called when the history write failed after the section was stored, instead of throwing: the
   * change is made (a caller answering an error would say it was not), and the next `put` writes
   * the lost item again. Without it, the failure is thrown.
   */
  onHistoryLost?: (err: unknown) => void;
}

/** One revision of a section as listed: when, by whom, and whether it restored an earlier one. */
export interface RevisionSummary {
  revision: number;
  at: string;
  /** null: not recorded (written without the API, or before revisions were kept). */
  by: RevisionAuthor | null;
  restoredFrom?: number;
}

/** A revision with the section's value as it was stored (validated then; see `ConfigRepository.revision`). */
export interface ConfigRevision extends RevisionSummary {
  value: unknown;
}

/**
 * Configuration sections, one item each; a section never written reads as its default. Each
 * item carries `rev`, a counter bumped by every replacement: the revision of the section.
 * Every replacement is also kept as a history item per revision (`configRevisionKey`).
 */
export class ConfigRepository {
  constructor(private readonly table: Table) {}

  /** Every section; `consistent` reads what the latest `put` wrote, not a replica that may lag. */
  async getAll(consistent = false): Promise<Config> {
    const items = await this.table.getMany(SECTION_NAMES.map(configSectionEntity.key), consistent);
    const values: Partial<Record<SectionName, unknown>> = {};
    const revisions: Partial<Record<SectionName, number>> = {};
    for (const { sk: section, value, rev } of items.map(configSectionEntity.parse)) {
      values[section] = value;
      if (rev !== undefined) revisions[section] = rev;
    }
    // Stored values were validated on the way in; parsing again fills defaults added since.
    const sections: Omit<Config, 'revisions'> = StoredSections.parse(values);
    return { ...sections, revisions };
  }

  /**
   * Replaces a section; answers its new revision (1 for the first write). The section item is
   * written first (its `rev` counter numbers the revision, atomically), then the revision's
   * history item and, again, the one of the revision it replaced, from the section item as it
   * was: so a history write lost after the section was stored is made good by the next `put`
   * (until then `revisions` and `revision` read the latest from the section item itself).
   */
  async put<S extends SectionName>(section: S, value: Config[S], at: Date, origin: RevisionOrigin = {}): Promise<number> {
    const set = ['#value = :v', 'updatedAt = :at'];
    const remove: string[] = [];
    const values: Record<string, unknown> = { ':v': value, ':at': at.toISOString(), ':one': 1 };
    if (origin.by) {
      set.push('updatedBy = :by');
      values[':by'] = origin.by;
    } else remove.push('updatedBy');
    if (origin.restoredFrom !== undefined) {
      set.push('restoredFrom = :from');
      values[':from'] = origin.restoredFrom;
    } else remove.push('restoredFrom');
    const replaced = await this.table.update(configSectionEntity.key(section), {
      UpdateExpression: `SET ${set.join(', ')}${remove.length ? ` REMOVE ${remove.join(', ')}` : ''} ADD #rev :one`,
      ExpressionAttributeNames: { '#value': 'value', '#rev': 'rev' },
      ExpressionAttributeValues: toAttr(values),
      ReturnValues: 'ALL_OLD',
    });
    const before = replaced ? asRevision(replaced) : undefined;
    const revision = (before?.revision ?? 0) + 1;
    const written: ConfigRevision = { revision, at: at.toISOString(), by: origin.by ?? null, value, ...pickOrigin(origin) };
    try {
      await this.table.writeMany([historyItem(section, written), ...(before ? [historyItem(section, before)] : [])]);
    } catch (err) {
      if (!origin.onHistoryLost) throw err;
      origin.onHistoryLost(err);
    }
    return revision;
  }

  /**
   * The section's revisions, newest first, `limit` at most, those below `before` when given:
   * one Query of its history (values left out), and the section item's own revision, which is
   * the newest, should its history item be missing.
   */
  async revisions(section: SectionName, limit: number, before?: number): Promise<RevisionSummary[]> {
    const [page, current] = await Promise.all([
      this.table.queryPage({
        KeyConditionExpression: before === undefined ? 'pk = :pk' : 'pk = :pk AND sk < :before',
        ExpressionAttributeValues: toAttr({
          ':pk': configRevisionPk(section),
          ...(before === undefined ? {} : { ':before': configRevisionSk(before) }),
        }),
        ProjectionExpression: 'revision, #at, #by, restoredFrom',
        ExpressionAttributeNames: { '#at': 'at', '#by': 'by' },
        ScanIndexForward: false,
        Limit: limit,
      }),
      this.current(section),
    ]);
    const listed = page.items.map((item) => summaryOf(configRevisionSummaryView.parse(item)));
    if (current && (before === undefined || current.revision < before) && !listed.some((r) => r.revision === current.revision)) {
      const { value: _value, ...summary } = current;
      listed.unshift(summary);
    }
    return listed.slice(0, limit);
  }

  /** One revision of the section with its stored value; undefined when there is none of that number. */
  async revision(section: SectionName, revision: number): Promise<ConfigRevision | undefined> {
    const item = await this.table.get(configRevisionEntity.key({ section, revision }), true);
    if (item) {
      const { value, ...stored } = configRevisionEntity.parse(item);
      return { ...summaryOf(stored), value };
    }
    const current = await this.current(section);
    return current?.revision === revision ? current : undefined;
  }

  /** The section item as a revision (read consistently); undefined while the section was never stored. */
  private async current(section: SectionName): Promise<ConfigRevision | undefined> {
    const item = await this.table.get(configSectionEntity.key(section), true);
    return item ? asRevision(item) : undefined;
  }
}

/** A section item as the revision it holds. */
function asRevision(item: Item): ConfigRevision | undefined {
  const { rev, value, updatedAt, updatedBy, restoredFrom } = configSectionEntity.parse(item);
  if (rev === undefined || value === undefined) return undefined;
  return { revision: rev, at: updatedAt, by: updatedBy ?? null, value, ...(restoredFrom === undefined ? {} : { restoredFrom }) };
}

function summaryOf({ revision, at, by, restoredFrom }: z.infer<typeof configRevisionSummaryView.attributes>): RevisionSummary {
  return { revision, at, by: by ?? null, ...(restoredFrom === undefined ? {} : { restoredFrom }) };
}

function historyItem(section: SectionName, r: ConfigRevision): Item {
  return { ...configRevisionEntity.key({ section, revision: r.revision }), section, ...r, by: r.by ?? undefined };
}

const pickOrigin = (origin: RevisionOrigin) => (origin.restoredFrom === undefined ? {} : { restoredFrom: origin.restoredFrom });
