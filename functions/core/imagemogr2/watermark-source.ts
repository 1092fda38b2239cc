/**
 * Where a watermark image is, as its rule names it: a COS URL (Tencent's documented form,
 * `http://<bucket>-<appid>.cos.<region>.myqcloud.com/<object>`, https too as cos-php-sdk-v5's
 * sample sends it, and the `.tencentcos.cn` domain cos-python-sdk-v5's demo uses), or an object
 * name in the client's first bucket. Anything else is no object Tessera can name.
 */
export type WatermarkSource =
  | { readonly kind: 'bucket'; readonly bucket: string; readonly region: string; readonly object: string }
  | { readonly kind: 'object'; readonly object: string }
  | { readonly kind: 'elsewhere' };

const COS_HOST = /^([a-z0-9-]+-\d+)\.cos\.([a-z0-9-]+)\.(?:myqcloud\.com|tencentcos\.cn)$/;

export function watermarkSource(reference: string): WatermarkSource {
  if (!/^[a-z][a-z0-9+.-]*:/i.test(reference)) return { kind: 'object', object: reference.replace(/^\/+/, '') };
  let url: URL;
  try {
    url = new URL(reference);
  } catch {
    return { kind: 'elsewhere' };
  }
  const host = COS_HOST.exec(url.hostname);
  if (!host || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.username || url.password) return { kind: 'elsewhere' };
  let object: string;
  try {
    object = decodeURIComponent(url.pathname.replace(/^\/+/, ''));
  } catch {
    return { kind: 'elsewhere' };
  }
  return object ? { kind: 'bucket', bucket: host[1]!, region: host[2]!, object } : { kind: 'elsewhere' };
}
