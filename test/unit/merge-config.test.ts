import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultSection } from '@intent/config';
import { afterAll, describe, expect, it } from 'vitest';
import { applyConfig, type ConfigApi, checkConfig, readConfigFile } from '../../scripts/lib/apply-config';
import { mergeSection, replaceSection, sameValue } from '../../scripts/lib/merge-config';

const starterPods = defaultSection('pods');
const emea = { id: 'emea', name: 'EMEA', match: { regions: ['emea'] } };
const na = { id: 'na', name: 'North America', match: { countries: ['US', 'CA'] } };

describe('mergeSection: adding configuration beside a stack’s', () => {
  it('puts the pods applied first, in their order, and keeps the stack’s others after them', () => {
    const plan = mergeSection('pods', starterPods, { pods: [na, emea] });
    expect((plan.value as { pods: { id: string }[] }).pods.map((p) => p.id)).toEqual(['na', 'emea', 'default']);
    expect(plan).toMatchObject({ changed: true, added: ['na', 'emea'], replaced: [], kept: ['default'], replacesWhole: false });
    expect(plan.warnings).toEqual([]);
  });

  it('replaces an entry of the same id in place of the old one and says which', () => {
    const current = { pods: [na, emea, ...starterPods.pods] };
    const plan = mergeSection('pods', current, { pods: [{ ...emea, name: 'Europe' }, na] });
    expect(plan).toMatchObject({ added: [], replaced: ['emea'], unchanged: ['na'], kept: ['default'] });
    expect((plan.value as { pods: { id: string; name: string }[] }).pods.map((p) => `${p.id}:${p.name}`)).toEqual([
      'emea:Europe',
      'na:North America',
      'default:Default pod',
    ]);
  });

  it('warns when a pod applied can never receive an account, listed after a pod that takes every one', () => {
    const plan = mergeSection('pods', { pods: [na] }, { pods: [{ id: 'rest', name: 'Rest', match: {} }] });
    expect(plan.warnings).toEqual([expect.stringContaining('pod na comes after pod rest, which matches every account')]);
  });

  it('keeps the stack’s sites, such as the starter’s wk_dev, beside the sites applied', () => {
    const site = { id: 'dw-weekly', name: 'DW Weekly', writeKey: 'wk_dw_weekly' };
    const plan = mergeSection('sites', defaultSection('sites'), { sites: [site] });
    expect((plan.value as { sites: { writeKey: string }[] }).sites.map((s) => s.writeKey)).toEqual(['wk_dw_weekly', 'wk_dev']);
  });

  it('merges beside sites as GET shows them, their server keys masked alike, and sends the masks back for the API to restore', () => {
    // Two stored sites whose server keys end alike: GET shows both as ****play.
    const shown = {
      sites: [
        { id: 'a', name: 'A', writeKey: 'wk_a_site', serverWriteKey: '****play' },
        { id: 'b', name: 'B', writeKey: 'wk_b_site', serverWriteKey: '****play' },
      ],
    };
    const site = { id: 'c', name: 'C', writeKey: 'wk_c_site', serverWriteKey: 'swk_c_0123456789abcdefghij' };
    const plan = mergeSection('sites', shown, { sites: [site] });
    expect(plan).toMatchObject({ changed: true, added: ['c'], kept: ['a', 'b'] });
    expect((plan.value as { sites: { serverWriteKey?: string }[] }).sites.map((s) => s.serverWriteKey)).toEqual([
      site.serverWriteKey,
      '****play',
      '****play',
    ]);
    // A backup of that section (what the demo's undo puts back) is valid configuration, and replaces as it is.
    expect(() => checkConfig({ sites: shown }, 'a backup')).not.toThrow();
    expect(replaceSection('sites', { sites: [site] }, shown)).toMatchObject({ changed: true, value: shown });
    // A mask is still no key of its own: a short or malformed key is refused as before.
    expect(() => checkConfig({ sites: { sites: [{ ...site, serverWriteKey: 'short' }] } }, 'a file')).toThrow(/serverWriteKey/);
  });

  it('replaces a one-object section whole, and only when its value differs', () => {
    expect(mergeSection('icp', defaultSection('icp'), { salesReadyTiers: ['A'] })).toMatchObject({
      changed: true,
      replacesWhole: true,
      value: { salesReadyTiers: ['A'] },
    });
    // The stack answers with every default filled in: the same ICP written more briefly is no change.
    expect(mergeSection('icp', defaultSection('icp'), {})).toMatchObject({ changed: false, replacesWhole: false });
  });

  it('finds nothing to do when the stack already has every entry, whatever the order of keys', () => {
    const stored = { pods: [{ match: { regions: ['emea'] }, name: 'EMEA', id: 'emea' }, ...starterPods.pods] };
    expect(mergeSection('pods', stored, { pods: [emea] }).changed).toBe(false);
  });

  it('counts a new order as a change for pods only, where it is the routing order', () => {
    const topics = {
      topics: [
        { id: 'a', name: 'A' },
        { id: 'b', name: 'B' },
      ],
    };
    expect(mergeSection('topics', topics, { topics: [topics.topics[1]] }).changed).toBe(false);
    expect(mergeSection('pods', { pods: [na, emea] }, { pods: [emea] }).changed).toBe(true);
  });

  it('with --replace, takes the section exactly as given, dropping what it does not name', () => {
    const plan = replaceSection('pods', { pods: [na, ...starterPods.pods] }, starterPods);
    expect(plan).toMatchObject({ changed: true, replacesWhole: true, value: starterPods });
  });

  it('compares values as JSON regardless of key order, but not of list order', () => {
    expect(sameValue({ a: 1, b: [1, 2] }, { b: [1, 2], a: 1 })).toBe(true);
    expect(sameValue({ b: [1, 2] }, { b: [2, 1] })).toBe(false);
  });
});

describe('configuration files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'config-file-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, value: unknown) => {
    const path = join(dir, name);
    writeFileSync(path, JSON.stringify(value));
    return path;
  };

  it('drops _comment keys at any depth before checking', () => {
    const path = file('ok.json', {
      _comment: 'about the file',
      pods: { _comment: 'about the section', pods: [{ ...emea, _comment: 'about a pod' }] },
    });
    expect(readConfigFile(path)).toEqual({ pods: { pods: [emea] } });
  });

  it('refuses a key that is not a section, and names each invalid field as section.path', () => {
    expect(() => checkConfig({ pod: { pods: [emea] } }, 'f.json')).toThrow(
      /top-level keys must be configuration sections \(sites, .*\), not pod$/,
    );
    // A misspelt field is named itself.
    expect(() =>
      checkConfig({ sites: { sites: [{ id: 'a', name: 'A', writeKey: 'wk_a_site', allowedOrigin: [] }] } }, 'f.json'),
    ).toThrow('sites.sites.0.allowedOrigin: unknown field "allowedOrigin"');
    expect(() =>
      checkConfig({ pods: { pods: [{ id: 'Not An Id', name: 'x' }] }, icp: { salesReadyTiers: ['Z'] } }, 'f.json'),
    ).toThrow(/icp\.salesReadyTiers\.0: .*\n {2}pods\.pods\.0\.id: /);
  });

  it('says which file does not exist', () => {
    expect(() => readConfigFile(join(dir, 'missing.json'))).toThrow(`${join(dir, 'missing.json')}: no such file`);
  });

  it('says which file is not JSON', () => {
    const path = join(dir, 'broken.json');
    writeFileSync(path, '{"pods": ');
    expect(() => readConfigFile(path)).toThrow(`${path}: not valid JSON`);
  });
});

describe('applyConfig against a deployment that lacks a pod’s queue', () => {
  it('names the pods that need a deploy and the command that gives them their queues', async () => {
    // A stack in memory whose api function has queue URLs for `default` only, as in AWS before a deploy.
    const stored: Record<string, unknown> = { pods: starterPods };
    const api: ConfigApi = {
      getConfig: async (section) => stored[section],
      putConfig: async (section, value) => {
        stored[section] = value;
        return { revision: 1, needsDeploy: ['emea'] };
      },
    };
    const dir = mkdtempSync(join(tmpdir(), 'config-apply-'));
    const lines: string[] = [];
    try {
      const result = await applyConfig(api, { pods: { pods: [emea] } }, { backupDir: dir, log: (l) => lines.push(l) });
      expect(result.needsDeploy).toEqual(['emea']);
      expect(lines.at(-1)).toBe(
        'warning: pods emea have no SQS queue in this deployment yet, so integrations get none of their messages ' +
          `(GET /v1/pods/{id}/queue serves them meanwhile): deploy with npx cdk deploy -c pods='["emea","default"]'`,
      );
      expect(readConfigFile(result.backupFile as string)).toEqual({ pods: starterPods });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
