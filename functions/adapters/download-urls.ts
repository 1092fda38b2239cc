import { GetObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { constantTimeEqual } from '../core/secret.ts';
import { bucketName } from '../resources.ts';
import { s3 } from './aws-clients.ts';

/**
 * What a URL is to Tessera's bucket: not one of its URLs at all; one whose signature this
 * process's credentials made and which has not expired (`valid`); one they did not make or that
 * expired (`invalid`); or one signed with credentials this process does not hold (another
 * function's role on AWS: only S3 itself can check it).
 */
export type DownloadUrlCheck =
  | { readonly kind: 'elsewhere' }
  | { readonly kind: 'bucket'; readonly key: string; readonly signature: 'valid' | 'invalid' | 'other-signer' };

const issue = (key: string, expiresIn: number, signingDate?: Date) =>
  getSignedUrl(s3(), new GetObjectCommand({ Bucket: bucketName(), Key: key }), { expiresIn, ...(signingDate ? { signingDate } : {}) });

/** `20261201T163614Z` → a Date, or undefined. */
function amzDate(raw: string | null): Date | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(raw ?? '');
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second] = match;
  return new Date(`${year}-${month}-${day}T${hour}:${minute}:${second}Z`);
}

async function checkSignature(url: URL, key: string, now: number): Promise<'valid' | 'invalid' | 'other-signer'> {
  const query = url.searchParams;
  const accessKey = (query.get('X-Amz-Credential') ?? '').split('/')[0];
  const signedAt = amzDate(query.get('X-Amz-Date'));
  const expiresIn = Number(query.get('X-Amz-Expires'));
  const signature = query.get('X-Amz-Signature');
  if (!accessKey || !signedAt || !Number.isInteger(expiresIn) || expiresIn <= 0 || !signature) return 'invalid';
  const credentials = await s3().config.credentials();
  if (accessKey !== credentials.accessKeyId) return 'other-signer';
  if (now > signedAt.getTime() + expiresIn * 1000) return 'invalid';
  const expected = new URL(await issue(key, expiresIn, signedAt)).searchParams.get('X-Amz-Signature') ?? '';
  return constantTimeEqual(expected, signature) ? 'valid' : 'invalid';
}

/** Download URLs of the one bucket: issued here, and recognised again by their signature. */
export const downloadUrls = {
  issue: (key: string, expiresInSeconds: number) => issue(key, expiresInSeconds),

  /**
   * Whether a URL points into the bucket, the key it names, and whether its signature holds.
   * The bucket's address is taken from a URL the SDK signs now, so path-style,
   * virtual-hosted and custom endpoints all match the way they were issued.
   */
  async check(url: URL, now = Date.now()): Promise<DownloadUrlCheck> {
    const probe = new URL(await issue('__probe__', 60));
    const prefix = probe.pathname.slice(0, -'__probe__'.length);
    if (url.origin !== probe.origin || !url.pathname.startsWith(prefix)) return { kind: 'elsewhere' };
    let key: string;
    try {
      key = url.pathname.slice(prefix.length).split('/').map(decodeURIComponent).join('/');
    } catch {
      return { kind: 'bucket', key: '', signature: 'invalid' };
    }
    return { kind: 'bucket', key, signature: key ? await checkSignature(url, key, now) : 'invalid' };
  },
};
