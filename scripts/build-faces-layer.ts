// npx tsx scripts/build-faces-layer.ts
//
// Builds layers/faces/opt from node_modules, as `cdk synth` does (infra/constructs/faces-layer.ts),
// and prints what it holds: the faces Lambda layer, mounted at /opt/faces.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { buildFacesLayer } from '../infra/face-files.ts';

const root = buildFacesLayer();
const files = (directory: string): string[] =>
  readdirSync(directory, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? files(join(directory, entry.name)) : [join(directory, entry.name)],
  );
let total = 0;
for (const file of files(root).sort()) {
  const { size } = statSync(file);
  total += size;
  console.log(`${String(size).padStart(10)}  ${relative(root, file)}`);
}
console.log(`${String(total).padStart(10)}  bytes in ${root}`);
