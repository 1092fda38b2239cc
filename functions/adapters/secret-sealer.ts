import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { DecryptCommand, EncryptCommand } from '@aws-sdk/client-kms';
import { kms } from './aws-clients.ts';

/**
 * Encrypts client secrets for storage. The xfyun and COS signatures are HMACs keyed by the raw
 * secret, so the server must be able to recover it: a one-way hash is not enough. In AWS the
 * secret is encrypted under a KMS key (the plaintext key never leaves KMS; every decrypt is
 * logged in CloudTrail); locally under an AES-256-GCM key from the environment. The client id is
 * bound in as encryption context / associated data, so a sealed secret copied onto another
 * client's record does not open.
 */
export interface SecretSealer {
  seal(plaintext: string, clientId: string): Promise<string>;
  open(sealed: string, clientId: string): Promise<string>;
}

const KMS_PREFIX = 'kms:';
const LOCAL_PREFIX = 'aesgcm:';

class KmsSealer implements SecretSealer {
  constructor(private readonly keyId: string) {}

  async seal(plaintext: string, clientId: string): Promise<string> {
    const result = await kms().send(
      new EncryptCommand({
        KeyId: this.keyId,
        Plaintext: Buffer.from(plaintext, 'utf8'),
        EncryptionContext: { clientId },
      }),
    );
    if (!result.CiphertextBlob) throw new Error('KMS returned no ciphertext');
    return KMS_PREFIX + Buffer.from(result.CiphertextBlob).toString('base64');
  }

  async open(sealed: string, clientId: string): Promise<string> {
    if (!sealed.startsWith(KMS_PREFIX)) throw new Error('secret was not sealed with KMS');
    const result = await kms().send(
      new DecryptCommand({
        CiphertextBlob: Buffer.from(sealed.slice(KMS_PREFIX.length), 'base64'),
        EncryptionContext: { clientId },
      }),
    );
    if (!result.Plaintext) throw new Error('KMS returned no plaintext');
    return Buffer.from(result.Plaintext).toString('utf8');
  }
}

class LocalKeySealer implements SecretSealer {
  constructor(private readonly key: Buffer) {}

  async seal(plaintext: string, clientId: string): Promise<string> {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(clientId, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return LOCAL_PREFIX + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
  }

  async open(sealed: string, clientId: string): Promise<string> {
    if (!sealed.startsWith(LOCAL_PREFIX)) throw new Error('secret was not sealed with the local key');
    const raw = Buffer.from(sealed.slice(LOCAL_PREFIX.length), 'base64');
    const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
    decipher.setAAD(Buffer.from(clientId, 'utf8'));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  }
}

export const SEAL_KMS_KEY_ENV = 'TESSERA_SEAL_KMS_KEY_ID';
export const SEAL_LOCAL_KEY_ENV = 'TESSERA_SEAL_LOCAL_KEY';

export function secretSealer(): SecretSealer {
  const kmsKeyId = process.env[SEAL_KMS_KEY_ENV];
  if (kmsKeyId) return new KmsSealer(kmsKeyId);
  const localKey = process.env[SEAL_LOCAL_KEY_ENV];
  if (localKey) {
    const key = Buffer.from(localKey, 'base64');
    if (key.length !== 32) throw new Error(`${SEAL_LOCAL_KEY_ENV} must be 32 bytes, base64-encoded`);
    return new LocalKeySealer(key);
  }
  throw new Error(`set ${SEAL_KMS_KEY_ENV} (AWS) or ${SEAL_LOCAL_KEY_ENV} (local) to store client secrets`);
}
