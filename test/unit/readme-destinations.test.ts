import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DestinationsSection } from '@intent/config';
import { describe, expect, it } from 'vitest';
import { signWebhook } from '../../packages/pipeline/src/webhook';

const README = readFileSync(resolve(__dirname, '../../README.md'), 'utf8');
const section = README.slice(README.indexOf('\n## Destinations'));
const block = (lang: string) => new RegExp(`\`\`\`${lang}\\n([\\s\\S]*?)\`\`\``).exec(section)?.[1] ?? '';
const hasPython = spawnSync('python3', ['--version']).status === 0;

/** The README's destinations section: its configuration is valid, its Python verifier accepts our signatures. */
describe('README: destinations', () => {
  it('shows a destinations configuration the schema accepts', () => {
    const parsed = DestinationsSection.safeParse(JSON.parse(block('json')));
    expect(parsed.error?.issues ?? []).toEqual([]);
  });

  it.skipIf(!hasPython)("shows a Python verifier that accepts the pipeline's signature and refuses a changed body", () => {
    const secret = JSON.parse(block('json')).destinations[0].secret as string;
    const body = JSON.stringify({
      type: 'account.qualified',
      timestamp: '2026-03-02T09:00:00.000Z',
      data: { domain: 'acme.example' },
    });
    const headers = signWebhook(secret, 'msg_1', Math.floor(Date.now() / 1000), body);
    const run = (sent: string) =>
      execFileSync(
        'python3',
        ['-c', `${block('python')}\nimport json,sys\na=json.load(sys.stdin)\nprint(verify(a["s"], a["h"], a["b"].encode()))`],
        {
          input: JSON.stringify({ s: secret, h: headers, b: sent }),
        },
      )
        .toString()
        .trim();
    expect(run(body)).toBe('True');
    expect(run(`${body} `)).toBe('False');
  });
});
