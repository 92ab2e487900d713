import { App, type AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { IntentPipelineStack, type IntentPipelineStackProps } from './stack';

export const STACK_NAME = 'IntentPipeline';

/**
 * The app as `cdk synth` builds it: the one stack, checked by cdk-nag's AWS Solutions rules as
 * a policy validation plugin (a finding not acknowledged with a reason fails synthesis).
 * Tests build it the same way.
 */
export function buildPipelineApp(
  appProps: AppProps = {},
  stackProps: IntentPipelineStackProps = {},
): { app: App; stack: IntentPipelineStack } {
  const app = new App(appProps);
  const tracingContext: unknown = app.node.tryGetContext('tracing');
  const tracing = stackProps.tracing ?? (tracingContext === true || tracingContext === 'true');
  const stack = new IntentPipelineStack(app, STACK_NAME, {
    description: 'Intent pipeline: collector, rollup, scoring and SDR pod queues',
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
    ...stackProps,
    tracing,
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { app, stack };
}
