import { chmodSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';

/**
 * The data dir holds the table (pending events, identities), saved queue messages and the
 * development secrets: readable by its owner alone. `mode` applies only when the directory is
 * created, so one left by an earlier version is narrowed too.
 */
export function preparePrivateDataDir(dataDir: string): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  chmodSync(dataDir, 0o700);
}

/**
 * Writes a file only its owner may read (mode 0600), through a temporary file and a rename: a
 * crash mid-write never leaves a half file that a start would trust.
 */
export function writePrivateFile(file: string, content: string): void {
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, content, { mode: 0o600 });
  // `mode` applies only when the file is created: a temporary file left by a crash keeps its own.
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}
