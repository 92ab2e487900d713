import { type Config, defaultSection, SECTION_NAMES } from '@intent/config';

/** The configuration of a fresh, unconfigured stack: every section's defaults. */
export function defaultConfig(): Config {
  return Object.fromEntries(SECTION_NAMES.map((s) => [s, defaultSection(s)])) as unknown as Config;
}
