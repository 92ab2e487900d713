/**
 * `npm run icp:suggest`: prints the ICP suggested from closed-won accounts by the running
 * stack (GET /v1/icp/suggestion) as JSON on stdout, and the evidence as sentences on stderr.
 * Base URL http://127.0.0.1:$PORT (default 3000); the admin key is INTENT_ADMIN_KEY, else the
 * one `npm start` keeps in $INTENT_DATA_DIR/local-secrets.json (default .data/).
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

function fail(message: string): never {
  console.error(`icp:suggest: ${message}`);
  process.exit(1);
}

function adminKey(): string {
  if (process.env.INTENT_ADMIN_KEY) return process.env.INTENT_ADMIN_KEY;
  const file = join(resolve(process.env.INTENT_DATA_DIR ?? '.data'), 'local-secrets.json');
  try {
    const key = (JSON.parse(readFileSync(file, 'utf8')) as { adminKey?: unknown }).adminKey;
    if (typeof key === 'string' && key) return key;
  } catch {
    // reported below
  }
  fail(`no admin key: set INTENT_ADMIN_KEY, or run \`npm start\` once so that ${file} exists`);
}

interface Suggestion {
  icp: unknown;
  evidence: { criterion: string; value: string; won: string; base: string; lift: number }[];
  basedOn: number;
}

const baseUrl = `http://127.0.0.1:${process.env.PORT ?? 3000}`;
const res = await fetch(`${baseUrl}/v1/icp/suggestion`, { headers: { authorization: `Bearer ${adminKey()}` } }).catch(
  (err: Error) => fail(`cannot reach the stack at ${baseUrl} (${err.message}); is \`npm start\` running?`),
);
const text = await res.text();
if (!res.ok) fail(`the stack answered ${res.status}: ${text}`);
const suggestion = JSON.parse(text) as Suggestion;
console.log(JSON.stringify(suggestion, null, 2));
console.error(`\nBased on ${suggestion.basedOn} closed-won account(s).`);
if (suggestion.evidence.length === 0) console.error('No criterion stands out yet: more closed-won feedback is needed.');
for (const e of suggestion.evidence) console.error(`- ${e.criterion} ${e.value} (lift ${e.lift}): ${e.won} ${e.base}`);
