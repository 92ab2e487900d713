import './lib/quiet-sdk';
import { parseArgs } from 'node:util';
import { DEAD_LETTER_QUEUES, type DeadLetter, listDeadLetters, pipelineFrom, redrive, release } from './lib/dlq';
import { dataDir } from './lib/stack-address';

/**
 * `npm run dlq [-- --redrive] [--queue ingest|jobs|deliveries] [--limit N] [--outputs cdk-outputs.json]`:
 * lists what waits in the ingest, jobs and deliveries dead-letter queues, each message with why it failed,
 * and with `--redrive` sends them back to their queue. Locally it finds the running stack
 * (`npm start`) through its data dir (INTENT_DATA_DIR, default .data); for a deployment, pass
 * the outputs file of `npx cdk deploy --outputs-file cdk-outputs.json` (AWS credentials from
 * the environment).
 */
const USAGE = 'usage: npm run dlq -- [--redrive] [--queue ingest|jobs|deliveries] [--limit N] [--outputs cdk-outputs.json]';

async function main() {
  const { values } = parseArgs({
    options: {
      redrive: { type: 'boolean', default: false },
      queue: { type: 'string' },
      limit: { type: 'string', default: '100' },
      outputs: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return console.log(USAGE);
  const limit = Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new Error(`--limit must be 1 to 10000\n${USAGE}`);
  if (values.queue && !(DEAD_LETTER_QUEUES as readonly string[]).includes(values.queue))
    throw new Error(`--queue is one of ${DEAD_LETTER_QUEUES.join(', ')}\n${USAGE}`);
  const pipeline = pipelineFrom({ outputsFile: values.outputs, dataDir: dataDir(process.env) });
  console.log(`dead-letter queues of ${pipeline.where}`);
  for (const target of pipeline.targets.filter((t) => !values.queue || t.queue === values.queue)) {
    const letters = await listDeadLetters(pipeline, target, limit);
    console.log(
      `\n${target.queue} DLQ: ${letters.length}${letters.length === limit ? ' (the first; --limit for more)' : ''} messages`,
    );
    for (const l of letters) console.log(line(l));
    if (!letters.length) continue;
    if (values.redrive) console.log(`redriven to the ${target.queue} queue: ${await redrive(pipeline, target, letters)}`);
    else await release(pipeline, target, letters);
  }
  if (!values.redrive) console.log('\nnpm run dlq -- --redrive sends them back to their queue once the cause is fixed.');
}

const line = (l: DeadLetter) =>
  `  ${l.messageId}  sent ${l.sentAt}  received ${l.receiveCount}x  ${l.summary}\n      why: ${l.reason}`;

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error((err as Error).message);
    process.exit(1);
  },
);
