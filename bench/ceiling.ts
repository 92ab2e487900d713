import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { type Benchmark, benchDynamo, log, seconds } from './lib';

const CONCURRENCY = 12;
/** Three rounds, the median kept: one round on a shared machine swings by a third. */
const ROUNDS = 3;
const ROUND_MS = 3_000;
const KEYS = 10_000;

/**
 * The stand-in's write ceiling: as many single-item `UpdateItem ADD` calls as it answers per
 * second from 12 callers (the median of three 3 s rounds), on random `BENCH#` keys of the pipeline's own table, from a client of
 * our own (not counted with the pipeline's). The pipeline's writes go through the same
 * process and stand-in, so `e2e events/s x writes per event` over this ceiling says how
 * close the pipeline comes to what the store allows.
 */
export const ceilingBenchmark: Benchmark = {
  id: 'ceiling',
  title: 'Stand-in write ceiling',
  async run(ctx) {
    const { client, tableName, endpoint } = benchDynamo();
    log(`write ceiling: ${CONCURRENCY} callers, ${ROUNDS} x ${ROUND_MS / 1000} s of UpdateItem ADD on ${endpoint}`);
    let errors = 0;
    const round = async () => {
      let writes = 0;
      const t0 = performance.now();
      const deadline = t0 + ROUND_MS;
      const caller = async () => {
        while (performance.now() < deadline) {
          try {
            await client.send(
              new UpdateItemCommand({
                TableName: tableName,
                Key: { pk: { S: `BENCH#${Math.floor(Math.random() * KEYS)}` }, sk: { S: 'C' } },
                UpdateExpression: 'ADD n :one',
                ExpressionAttributeValues: { ':one': { N: '1' } },
              }),
            );
            writes++;
          } catch {
            errors++;
          }
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, caller));
      return writes / seconds(t0);
    };
    const rounds: number[] = [];
    for (let i = 0; i < ROUNDS; i++) rounds.push(await round());
    client.destroy();
    const ceiling = [...rounds].sort((a, b) => a - b)[Math.floor(ROUNDS / 2)] as number;
    ctx.metrics['ceiling.writesPerSecond'] = ceiling;

    const e2e = ctx.metrics['e2e.eventsPerSecond'];
    const wpe = ctx.metrics['e2e.writesPerEvent'];
    const rows = [
      {
        name: 'ceiling writes/s',
        value: ceiling,
        unit: 'writes/s',
        note: `UpdateItem ADD, ${CONCURRENCY} in flight, median of ${rounds.map((r) => r.toFixed(0)).join(', ')}${errors ? `; ${errors} errors` : ''}`,
      },
    ];
    let efficiency: number | undefined;
    if (e2e !== undefined && wpe !== undefined && wpe > 0) {
      // Events/s the store would allow at this write cost, and how much of it the pipeline reaches.
      const allowed = ceiling / wpe;
      efficiency = e2e / allowed;
      rows.push({
        name: 'e2e efficiency',
        value: efficiency,
        unit: 'ratio',
        note: `goal >= 0.8; ${e2e.toFixed(0)} ev/s of ${allowed.toFixed(0)} ev/s the ceiling allows at ${wpe.toFixed(3)} writes/ev`,
      });
      // Context: the pipeline's reads go to the same single-threaded stand-in as its writes.
      const items = ctx.metrics['e2e.dynamoItemsPerSecond'];
      if (items !== undefined)
        rows.push({
          name: 'e2e dynamodb items/s / ceiling',
          value: items / ceiling,
          unit: 'ratio',
          note: `reads + writes during e2e: ${items.toFixed(0)} items/s`,
        });
    }
    return { rows, details: { concurrency: CONCURRENCY, roundSeconds: ROUND_MS / 1000, rounds, errors, keys: KEYS, efficiency } };
  },
};
