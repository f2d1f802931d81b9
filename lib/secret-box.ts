/**
 * Secrets we must give back to ourselves later, stored encrypted with AES-256-GCM (a fresh 12-byte IV per value):
 * webhook signing secrets (under a key derived from WEBHOOK_SECRET_KEY: a copy of the database alone does not let
 * anyone sign webhooks) and the producers' own Chorus technical account passwords (under CHORUS_CREDENTIALS_KEY,
 * with the row's key as additional data, so a value copied onto another row does not decrypt). Stored as
 * `v1.<iv>.<tag>.<ciphertext>` (base64url).
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

const VERSION = 'v1';
const IV_BYTES = 12;
export const SECRET_KEY_BYTES = 32;

/** Seals `plaintext` under a 32-byte key; `context` (additional data) must be given again to open it. */
export function sealSecret(key: Buffer, plaintext: string, context = ''): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  if (context !== '') cipher.setAAD(Buffer.from(context, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [VERSION, iv, cipher.getAuthTag(), ciphertext].map((part) => (typeof part === 'string' ? part : part.toString('base64url'))).join('.');
}

/** The plaintext; throws when the value was altered, sealed for another context, or with another key. */
export function openSecret(key: Buffer, sealed: string, context = ''): string {
  const [version, iv, tag, ciphertext] = sealed.split('.');
  if (version !== VERSION || !iv || !tag || ciphertext === undefined) throw new Error('Not a sealed secret (expected v1.<iv>.<tag>.<ciphertext>).');
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  if (context !== '') decipher.setAAD(Buffer.from(context, 'utf8'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
}

/** A key given as 32 bytes in base64 (CHORUS_CREDENTIALS_KEY). Throws naming the problem otherwise. */
export function parseSecretKey(base64: string): Buffer {
  const key = Buffer.from(base64, 'base64');
  if (key.length !== SECRET_KEY_BYTES || key.toString('base64') !== base64.replace(/\s+/g, '')) {
    throw new Error(`must be ${SECRET_KEY_BYTES} bytes in base64 (e.g. \`openssl rand -base64 32\`)`);
  }
  return key;
}

export interface SecretBox {
  seal(plaintext: string): string;
  open(sealed: string): string;
}

/** A box whose key is derived from any key material (WEBHOOK_SECRET_KEY). */
export function createSecretBox(keyMaterial: string): SecretBox {
  const key = createHash('sha256').update(`agrilocal-secret-box:${keyMaterial}`, 'utf8').digest();
  return { seal: (plaintext) => sealSecret(key, plaintext), open: (sealed) => openSecret(key, sealed) };
}
