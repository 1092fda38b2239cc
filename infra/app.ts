import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { TesseraStack, tesseraStackProps } from './tessera-stack.ts';

const app = new App();
new TesseraStack(
  app,
  app.node.tryGetContext('stackName') ?? 'Tessera',
  await tesseraStackProps(app, { env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION } }),
);
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
