/**
 * Base64 as rules carry it, with web-standard APIs only (the console bundles the parser, and
 * browsers have no Buffer): URL-safe or standard alphabet, padded or not, as Tencent's SDKs send.
 */
export function base64Bytes(value: string): Uint8Array {
  const standard = value.replace(/-/g, '+').replace(/_/g, '/').replace(/=+$/, '');
  const binary = atob(standard + '='.repeat((4 - (standard.length % 4)) % 4));
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

/** URL-safe Base64 of text's UTF-8, without padding. */
export function base64UrlOf(text: string): string {
  const binary = Array.from(new TextEncoder().encode(text), (byte) => String.fromCharCode(byte)).join('');
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
