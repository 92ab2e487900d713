/**
 * Reads the README's shell walk-throughs as a reader follows them: a fenced `bash` block, cut
 * into steps, each step's commands followed by the sample answer shown after `# ->`.
 */

/** One step of a walk-through: the shell lines to run and the answer the README shows, if any. */
export interface WalkthroughStep {
  commands: string;
  /** The text after `# ->`, its continuation lines joined (`undefined`: no answer shown). */
  answer?: string;
}

/** The first fenced `bash` block under the README heading that starts with `heading`. */
export function bashBlockUnder(readme: string, heading: string): string {
  const start = readme.indexOf(`\n## ${heading}`);
  if (start === -1) throw new Error(`README has no section "## ${heading}"`);
  const block = /```bash\n([\s\S]*?)```/.exec(readme.slice(start));
  if (!block?.[1]) throw new Error(`README section "${heading}" has no bash block`);
  return block[1];
}

/**
 * Cuts a bash block into steps: each ends with its `# -> answer` (and the comment lines
 * indented under it); lines after the last answer make a last step without one.
 */
export function walkthroughSteps(block: string): WalkthroughStep[] {
  const steps: WalkthroughStep[] = [];
  let commands: string[] = [];
  let answer: string[] | undefined;
  const close = () => {
    if (commands.some((l) => l.trim() && !l.trim().startsWith('#')) || answer)
      steps.push({ commands: commands.join('\n'), ...(answer ? { answer: answer.join(' ') } : {}) });
    commands = [];
    answer = undefined;
  };
  for (const line of block.split('\n')) {
    if (line.startsWith('# ->')) answer = [line.slice(4).trim()];
    else if (answer && /^# {2,}/.test(line)) answer.push(line.slice(1).trim());
    else {
      if (answer) close();
      commands.push(line);
    }
  }
  close();
  return steps;
}

/** Marks where a sample elides the rest of an object or an array (`...`): no answer holds it. */
const MORE = '\u2026elided\u2026';

/**
 * A sample answer as JSON, where `...` stands for fields or elements left out:
 * `{"fit":{"score":60,...},"reasons":["first", ...]}`.
 */
export function parseSample(sample: string): unknown {
  return JSON.parse(sample.replace(/,\s*\.\.\.\s*}/g, `,"${MORE}":true}`).replace(/,\s*\.\.\.\s*]/g, `,"${MORE}"]`));
}

/**
 * Where an answer differs from a parsed sample, as `path: why` lines (none when it matches):
 * what the sample shows must be exactly there; an elided object may have more fields, an
 * elided array more elements after those shown.
 */
export function sampleMismatches(actual: unknown, sample: unknown, path = '$'): string[] {
  if (Array.isArray(sample)) {
    if (!Array.isArray(actual)) return [`${path}: expected an array, got ${JSON.stringify(actual)}`];
    const elided = sample.at(-1) === MORE;
    const shown = elided ? sample.slice(0, -1) : sample;
    if (elided ? actual.length < shown.length : actual.length !== shown.length)
      return [`${path}: expected ${elided ? 'at least ' : ''}${shown.length} elements, got ${actual.length}`];
    return shown.flatMap((s, i) => sampleMismatches(actual[i], s, `${path}[${i}]`));
  }
  if (sample && typeof sample === 'object') {
    if (!actual || typeof actual !== 'object' || Array.isArray(actual))
      return [`${path}: expected an object, got ${JSON.stringify(actual)}`];
    const { [MORE]: elided, ...shown } = sample as Record<string, unknown>;
    const extra = elided ? [] : Object.keys(actual).filter((k) => !(k in shown));
    return [
      ...extra.map((k) => `${path}.${k}: not in the sample`),
      ...Object.entries(shown).flatMap(([k, s]) => sampleMismatches((actual as Record<string, unknown>)[k], s, `${path}.${k}`)),
    ];
  }
  return Object.is(actual, sample)
    ? []
    : [`${path}: the README shows ${JSON.stringify(sample)}, the stack answers ${JSON.stringify(actual)}`];
}
