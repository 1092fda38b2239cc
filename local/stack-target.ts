import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { SEAL_KMS_KEY_ENV } from '../functions/adapters/secret-sealer.ts';
import { BUCKET, TABLES } from '../functions/resources.ts';
import { useLocalStackFile } from './local-stack-file.ts';

/** Output names of the CDK stack, mapped to the environment variables the adapters read. */
const OUTPUTS_TO_ENV: Record<string, string> = {
  BucketName: BUCKET.envVar,
  SealKeyId: SEAL_KMS_KEY_ENV,
  ...Object.fromEntries(Object.entries(TABLES).map(([name, table]) => [`${name}TableName`, table.envVar])),
};

/**
 * Points the adapters at a deployed stack (by its outputs), at what the environment already
 * names, or at the `npm start` running on this machine (which records its endpoints in a file).
 */
export async function connectToStack(stackName: string | undefined): Promise<void> {
  if (stackName) {
    await useDeployedStack(stackName);
    return;
  }
  if (process.env[TABLES.clients.envVar]) return;
  if (!useLocalStackFile()) {
    throw new Error('no target: start Tessera with `npm start`, or pass --stack NAME for a deployed stack');
  }
}

/** Sets the environment from a deployed stack's outputs, using the caller's AWS credentials. */
export async function useDeployedStack(stackName: string): Promise<void> {
  const result = await new CloudFormationClient({}).send(new DescribeStacksCommand({ StackName: stackName }));
  const outputs = result.Stacks?.[0]?.Outputs ?? [];
  for (const output of outputs) {
    const envVar = OUTPUTS_TO_ENV[output.OutputKey ?? ''];
    if (envVar && output.OutputValue) process.env[envVar] = output.OutputValue;
  }
  const missing = Object.entries(OUTPUTS_TO_ENV).filter(([, envVar]) => !process.env[envVar]);
  if (missing.length) throw new Error(`stack ${stackName} lacks outputs ${missing.map(([key]) => key).join(', ')}`);
}
