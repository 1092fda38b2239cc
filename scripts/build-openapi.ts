import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const API_DOCUMENT = fileURLToPath(new URL('../docs/openapi.json', import.meta.url));

const readable = (path: string) => {
  try {
    JSON.parse(readFileSync(path, 'utf8'));
    return true;
  } catch {
    return false;
  }
};

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const check = process.argv.includes('--check');
  // GET /openapi.json's module imports this file and the generator imports that module: a missing
  // or merge-conflicted copy must not stop its own regeneration, so start from an empty one.
  if (!check && !readable(API_DOCUMENT)) writeFileSync(API_DOCUMENT, '{}\n');
  // Imported only now, after the placeholder: static imports would load the old file first.
  const { apiDocumentText } = await import('../functions/platform/api-document/document.ts');
  const text = await apiDocumentText();
  if (check) {
    if (!readable(API_DOCUMENT) || readFileSync(API_DOCUMENT, 'utf8') !== text) {
      console.error(`${API_DOCUMENT} is stale: run npm run build:openapi`);
      process.exit(1);
    }
  } else {
    writeFileSync(API_DOCUMENT, text);
    console.log(`wrote ${API_DOCUMENT} (${Buffer.byteLength(text)} bytes)`);
  }
}
