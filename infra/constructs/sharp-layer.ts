import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Architecture, Code, LayerVersion, Runtime } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { buildFontsLayer, FONTS_DIR } from '../font-files.ts';

const LAYER_DIR = fileURLToPath(new URL('../../layers/sharp', import.meta.url));
/** Each package of the layer and the package holding its linux-arm64 binary. */
const LINUX_ARM64_BINARIES = [
  ['sharp', '@img/sharp-linux-arm64'],
  ['koffi', '@koromix/koffi-linux-arm64'],
] as const;

/**
 * sharp and libvips for linux-arm64, and koffi (the FFI through which the panorama build asks for
 * huge pages: functions/worker/panorama/huge-pages.ts), installed from npm into layers/sharp/nodejs by the
 * package's postinstall (npm ci --cpu=arm64 --os=linux --libc=glibc --ignore-scripts: their install
 * scripts would check, or build from source, a binary for this machine, not Lambda's), so no Docker is needed;
 * and the fonts its text rendering draws watermarks with, copied into layers/sharp/fonts at synth
 * (infra/font-files.ts), as Lambda has none.
 */
export class SharpLayer extends Construct {
  readonly layer: LayerVersion;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    for (const [name, binary] of LINUX_ARM64_BINARIES) {
      if (!existsSync(`${LAYER_DIR}/nodejs/node_modules/${binary}`)) {
        throw new Error(`layers/sharp/nodejs has no linux-arm64 ${name}: run \`npm install\` (its postinstall fills it)`);
      }
    }
    buildFontsLayer();
    this.layer = new LayerVersion(this, 'Layer', {
      code: Code.fromAsset(LAYER_DIR, {
        exclude: ['nodejs/package-lock.json', 'nodejs/node_modules/.package-lock.json', 'fonts/*.writing-*'],
      }),
      compatibleArchitectures: [Architecture.ARM_64],
      compatibleRuntimes: [Runtime.NODEJS_22_X, Runtime.NODEJS_24_X],
      description: `sharp (libvips) and koffi for linux-arm64, and the watermark fonts at ${FONTS_DIR}`,
    });
  }
}
