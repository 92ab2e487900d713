import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import {
  type Destination,
  type DestinationsConfig,
  isSealed,
  isSecretReference,
  mapSecrets,
  SEALED_PREFIX,
  secretFields,
} from '@intent/config';

/**
 * Destination secrets at rest: AES-256-GCM under a key derived (HKDF-SHA256) from the
 * deployment's hash secret, which already lives in Secrets Manager in AWS and in the data
 * dir's private secrets file locally. Nothing new to provision, and a copy of the table alone
 * (a backup, an export) does not reveal a webhook secret or a CRM token.
 */
const INFO = 'intent-pipeline destination secrets v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class SecretBox {
  private readonly key: Buffer;

  constructor(hashSecret: string) {
    this.key = Buffer.from(hkdfSync('sha256', hashSecret, Buffer.alloc(0), INFO, 32));
  }

  seal(plain: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return `${SEALED_PREFIX}${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url')}`;
  }

  /** True when `sealed` was sealed under this key and is intact. */
  opens(sealed: string): boolean {
    try {
      this.open(sealed);
      return true;
    } catch {
      return false;
    }
  }

  /** The plain value of a sealed secret; throws when it was sealed under another key or altered. */
  open(sealed: string): string {
    const raw = Buffer.from(sealed.slice(SEALED_PREFIX.length), 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, IV_BYTES));
    decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
  }
}

/** A sealed value the PUT carried that this deployment did not seal: refused. */
export interface ForeignSealedSecret {
  index: number;
  path: string[];
}

/**
 * The section as it is stored: plain secrets sealed, references kept, sealed values kept when
 * they open under this deployment's key (what a masked value was restored to, or an earlier
 * revision's value being restored). Answers the places of any other sealed value, which the
 * API refuses: a client cannot plant ciphertext this deployment did not make.
 */
export function sealDestinationSecrets(
  section: DestinationsConfig,
  box: SecretBox,
): { sealed: DestinationsConfig; foreign: ForeignSealedSecret[] } {
  const foreign: ForeignSealedSecret[] = [];
  const destinations = section.destinations.map((d, index) =>
    mapSecrets(d, (value, path) => {
      if (isSecretReference(value)) return value;
      if (!isSealed(value)) return box.seal(value);
      if (!box.opens(value)) foreign.push({ index, path });
      return value;
    }),
  );
  return { sealed: { destinations }, foreign };
}

/** Reads a Secrets Manager reference's value (the delivery function's, cached). */
export type SecretReader = (arn: string) => Promise<string>;

/** The destination with its secrets in plain: sealed ones opened, references read. */
export async function openDestinationSecrets(d: Destination, box: SecretBox, readSecret: SecretReader): Promise<Destination> {
  const plain = new Map<string, string>();
  for (const f of secretFields(d)) {
    plain.set(f.value, isSecretReference(f.value) ? await readSecret(f.value) : isSealed(f.value) ? box.open(f.value) : f.value);
  }
  return mapSecrets(d, (value) => plain.get(value) ?? value);
}
