import { gzipSync } from 'node:zlib';
import { TRACKER_SOURCE } from '@intent/tracker';

/** Size of the snippet without settings: raw UTF-8 bytes and gzipped (zlib defaults). */
export function trackerSizes(): { bytes: number; gzipBytes: number } {
  return { bytes: Buffer.byteLength(TRACKER_SOURCE), gzipBytes: gzipSync(TRACKER_SOURCE).length };
}
