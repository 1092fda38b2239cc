import { Code, LayerVersion, Runtime } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { buildFacesLayer, FACES_DIR } from '../face-files.ts';

/**
 * The face engine's data files for Lambda (infra/face-files.ts): face-api's weights of the nets
 * the engine loads and tfjs' SIMD .wasm, ≈13 MB, copied from node_modules into
 * layers/faces/opt at synth and mounted at /opt/faces. Data only, so any architecture.
 */
export class FacesLayer extends Construct {
  readonly layer: LayerVersion;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.layer = new LayerVersion(this, 'Layer', {
      code: Code.fromAsset(buildFacesLayer(), { exclude: ['**/*.writing-*'] }),
      compatibleRuntimes: [Runtime.NODEJS_22_X, Runtime.NODEJS_24_X],
      description: `face-api weights and the tfjs WASM binary (SIMD), at ${FACES_DIR}`,
    });
  }
}
