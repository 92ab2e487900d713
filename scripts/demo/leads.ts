import type { DemoAccount } from './accounts';
import type { Catalog } from './catalog';
import { worker } from './scenarios';
import { DAY, type Simulator } from './simulator';
import type { TopicId } from './sites';

/**
 * Fitting accounts that become sales-ready in the last two weeks, in the mix SDRs meet: buying
 * committees with and without a pricing visit, lone readers, lone pricing visitors and asset
 * hoarders. They give the simulated SDRs (`sdrs.ts`) enough pushes to judge for calibration to
 * have something to learn from. How many: LEADS_PER_SCALE x the demo's scale.
 */
export const LEADS_PER_SCALE = 240;

type Kind = 'committeeWithPricing' | 'committee' | 'loneReader' | 'lonePricing' | 'hoarder';
const MIX: [Kind, number][] = [
  ['committeeWithPricing', 0.25],
  ['committee', 0.2],
  ['loneReader', 0.3],
  ['lonePricing', 0.1],
  ['hoarder', 0.15],
];

export function runLeads(sim: Simulator, catalog: Catalog, fitting: DemoAccount[], used: Set<string>, count: number): void {
  const rng = sim.rng;
  const topics = [...catalog.byTopic.keys()];
  for (const account of rng.sample(fitting, Math.min(count, fitting.length))) {
    const kind = rng.weighted(MIX);
    const topic: TopicId = rng.pick(topics);
    const articles = (catalog.byTopic.get(topic) ?? []).filter((p) => p.kind === 'article');
    const from = sim.end - rng.int(4, 12) * DAY;
    const to = sim.end - DAY / 24;
    const person = () => worker(sim, used, account.domain, account.name, account.region);
    const readSome = (n: number) => {
      const p = person();
      let t = sim.moment(p, from, to);
      for (const page of rng.sample(articles, n)) t = sim.read(p, page, t);
      return { p, t };
    };
    // A pricing visit a few hours after the visitor's reading, on the site they read.
    const pricing = (at: { p: ReturnType<typeof person>; t: number }) =>
      sim.pricing(at.p, rng.pick(articles).site, Math.min(at.t + rng.int(1, 48) * (DAY / 24), to), [topic]);
    switch (kind) {
      case 'committeeWithPricing':
      case 'committee': {
        const members = Array.from({ length: rng.int(3, 5) }, () => readSome(rng.int(1, 2)));
        if (kind === 'committeeWithPricing') pricing(rng.pick(members));
        break;
      }
      case 'loneReader':
        readSome(rng.int(3, 5));
        break;
      case 'lonePricing':
        pricing(readSome(1));
        break;
      case 'hoarder': {
        const p = person();
        let t = sim.moment(p, from, to);
        for (const asset of rng.shuffle(catalog.assets).slice(0, rng.int(6, 10))) t = sim.download(p, asset, t);
        break;
      }
    }
  }
}
