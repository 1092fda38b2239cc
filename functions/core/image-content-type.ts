const CONTENT_TYPES: Readonly<Record<string, string>> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  avif: 'image/avif',
  gif: 'image/gif',
  tiff: 'image/tiff',
};

/** The Content-Type stored with an image Tessera wrote, by format name (sharp's or an extension). */
export const imageContentType = (format: string): string => CONTENT_TYPES[format] ?? 'application/octet-stream';
