import { parseArgs } from 'node:util';
import type { CalibrationAnswer } from '@intent/pipeline';
import { adminKeyFrom, stackUrl } from './lib/stack-address';
import { ApiError, StackClient } from './lib/stack-client';

/**
 * `npm run calibrate [-- --from 2026-09-01 --to 2026-11-30]`: prints the running stack's
 * calibration report (GET /v1/calibration) as JSON on stdout, and a reading of it on stderr:
 * the outcomes, the features that predict acceptance, the proposal and its backtest. The stack
 * is at INTENT_URL (default http://127.0.0.1:$PORT); the key is INTENT_ADMIN_KEY or the data
 * dir's development key.
 */
class CalibrationClient extends StackClient {
  async calibration(from?: string, to?: string): Promise<CalibrationAnswer> {
    const query = new URLSearchParams({ ...(from && { from }), ...(to && { to }) }).toString();
    const res = await this.admin<CalibrationAnswer>('GET', `/v1/calibration${query ? `?${query}` : ''}`);
    if (res.status !== 200) throw new ApiError(res.status, res.body, 'GET /v1/calibration');
    return res.body;
  }
}

const pct = (x: number | null) => (x === null ? '-' : `${(x * 100).toFixed(1)}%`);

function describe(report: CalibrationAnswer): string[] {
  const { window, outcomes: o, features, proposal, backtest } = report;
  const lines = [
    `Window ${window.from} to ${window.to}${window.truncated ? ` (only the newest ${window.maxPushes} pushes: from ${window.coveredFrom})` : ''}.`,
    `${o.pushed} pushes, ${o.decided} with feedback: ${o.accepted} accepted (${pct(o.acceptanceRate.value)}), ${o.rejected.count} rejected; ` +
      `${o.meeting} meetings, ${o.opportunity} opportunities, ${o.closed_won} won, ${o.closed_lost} lost.`,
    '',
    `Features (lift over the base rate, 95% interval; a number needs ${report.minPushes} decided pushes with and without):`,
  ];
  for (const f of features.slice(0, 15)) {
    const lift = f.lift.value === null ? 'insufficient' : `${f.lift.value} (${f.lift.low}-${f.lift.high}) ${f.lift.verdict}`;
    lines.push(
      `  ${f.feature.padEnd(34)} accepted ${pct(f.acceptanceRate).padStart(6)} of n=${String(f.n).padEnd(5)} lift ${lift}`,
    );
  }
  if (features.length > 15) lines.push(`  ... ${features.length - 15} more in the JSON`);
  lines.push('', `Proposal (fitted on the ${backtest.split.train} earlier decided pushes):`);
  if (proposal.changes.length === 0) lines.push('  no change: the evidence does not support one yet.');
  for (const c of proposal.changes) lines.push(`  ${c.field}: ${JSON.stringify(c.from)} -> ${JSON.stringify(c.to)}. ${c.reason}`);
  lines.push('', `Backtest on the ${backtest.split.test} later decided pushes:`);
  for (const [name, side] of [
    ['current', backtest.current],
    ['proposed', backtest.proposed],
  ] as const) {
    lines.push(
      `  ${name.padEnd(9)} pushes ${side.pushed.value}/${side.pushed.n}, accepted ${pct(side.acceptanceRate.value)} (n=${side.acceptanceRate.n}), ` +
        `accepted kept ${side.acceptedKept.value}/${side.acceptedKept.n}, won kept ${side.wonKept.value}/${side.wonKept.n}, ` +
        `rejected spared ${side.rejectedSpared.value}/${side.rejectedSpared.n}`,
    );
  }
  return lines;
}

async function main() {
  const { values } = parseArgs({ options: { from: { type: 'string' }, to: { type: 'string' } } });
  const env = process.env;
  const client = new CalibrationClient(stackUrl(env), adminKeyFrom(env));
  if (!(await client.health(5_000)))
    throw new Error(`no stack answers ${client.baseUrl}/v1/health: start it with npm start, or set INTENT_URL`);
  const report = await client.calibration(values.from, values.to);
  console.log(JSON.stringify(report, null, 2));
  console.error(`\n${describe(report).join('\n')}`);
}

main().catch((err: unknown) => {
  console.error(`calibrate failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
