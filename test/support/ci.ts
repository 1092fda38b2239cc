import { signCos } from '../../functions/core/cos-signature.ts';
import { postForm } from './local-stack.ts';
import { gradientJpeg } from './synthetic-images.ts';

export interface CiAnswer {
  readonly status: number;
  readonly body: string;
  readonly contentType: string;
}

/** A client of the ci dialect that signs like the Tencent SDKs (host signed, all query params). */
export class CiClient {
  constructor(
    readonly endpoint: string,
    readonly secretId: string,
    readonly secretKey: string,
  ) {}

  authorization(method: string, path: string, query: Record<string, string>, validity: { start?: number; end?: number } = {}): string {
    const now = Math.floor(Date.now() / 1000);
    const host = new URL(this.endpoint).host;
    return signCos(
      { method, path, query, headers: { host } },
      this.secretId,
      this.secretKey,
      validity.start ?? now - 60,
      validity.end ?? now + 900,
    );
  }

  async request(
    method: string,
    path: string,
    options: { query?: Record<string, string>; body?: string; contentType?: string; authorization?: string | null } = {},
  ): Promise<CiAnswer> {
    const query = options.query ?? {};
    const search = new URLSearchParams(query).toString().replace(/=(&|$)/g, '$1');
    const headers: Record<string, string> = {};
    if (options.authorization !== null) headers.authorization = options.authorization ?? this.authorization(method, path, query);
    if (options.body !== undefined) headers['content-type'] = options.contentType ?? 'application/xml';
    const response = await fetch(`${this.endpoint}${path}${search ? `?${search}` : ''}`, { method, headers, body: options.body });
    return { status: response.status, body: await response.text(), contentType: response.headers.get('content-type') ?? '' };
  }
}

const ENTITIES: Record<string, string> = { '&lt;': '<', '&gt;': '>', '&quot;': '"', '&apos;': "'", '&amp;': '&' };

/** The text of the first element of that name, entities decoded. */
export const tag = (xml: string, name: string) =>
  new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1]?.replace(/&(lt|gt|quot|apos|amp);/g, (entity) => ENTITIES[entity]!);

export function jobXml(fields: {
  input?: string;
  output?: string;
  rule?: string;
  isPicInfo?: boolean;
  level?: number;
  callBack?: string;
  format?: string;
  userData?: string;
  bucket?: string;
  region?: string;
  extra?: string;
}): string {
  return (
    '<Request><Tag>PicProcess</Tag>' +
    `<Input><Object>${fields.input ?? 'in/photo.jpg'}</Object></Input>` +
    '<Operation>' +
    `<PicProcess><IsPicInfo>${fields.isPicInfo ?? false}</IsPicInfo><ProcessRule>${fields.rule ?? 'imageMogr2/thumbnail/256x'}</ProcessRule></PicProcess>` +
    `<Output><Region>${fields.region ?? 'ap-local'}</Region><Bucket>${fields.bucket ?? 'demo-1250000000'}</Bucket><Object>${fields.output ?? 'out/thumb.jpg'}</Object></Output>` +
    (fields.userData !== undefined ? `<UserData>${fields.userData}</UserData>` : '') +
    `<JobLevel>${fields.level ?? 0}</JobLevel>` +
    '</Operation>' +
    (fields.callBack ? `<CallBack>${fields.callBack}</CallBack><CallBackFormat>${fields.format ?? 'XML'}</CallBackFormat>` : '') +
    (fields.extra ?? '') +
    '</Request>'
  );
}

/** Stores demo/in/photo.jpg, the input the ci tests' jobs read, through /upload. */
export async function uploadInputPhoto(url: string, secret: string, width: number, height: number, quality?: number): Promise<void> {
  const data = quality === undefined ? await gradientJpeg(width, height) : await gradientJpeg(width, height, quality);
  await postForm(`${url}/upload`, { secret_key: secret, filename: 'demo/in/photo.jpg', filedata: { data, type: 'image/jpeg' } });
}
