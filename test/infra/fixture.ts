/**
 * Builds the app once per test file, as `cdk synth` does (cdk-nag plugin included) but without
 * bundling: context `aws:cdk:bundling-stacks: []` (what `cdk deploy --exclusively` uses for the
 * stacks it skips) keeps every NodejsFunction property in the template and skips esbuild.
 */
import type { FunctionName } from '@intent/resources';
import type { App, CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { buildPipelineApp } from '../../infra/pipeline-app';
import type { IntentPipelineStack } from '../../infra/stack';

export const TEST_PODS = ['default', 'na-enterprise'];

export interface Synthesized {
  app: App;
  stack: IntentPipelineStack;
  template: Template;
  /** The logical id of a construct's CloudFormation resource. */
  idOf(construct: IConstruct | undefined): string;
  functionIdOf(name: FunctionName): string;
  /** The environment variables of a function, as in the template. */
  envOf(name: FunctionName): Record<string, unknown>;
}

export function synthesize(context: Record<string, unknown> = { pods: TEST_PODS }): Synthesized {
  // Skips only the built-in CloudFormation schema check (seconds on two cores); `cdk synth` runs it.
  process.env.CDK_VALIDATION = 'false';
  const { app, stack } = buildPipelineApp({ context: { 'aws:cdk:bundling-stacks': [], ...context } });
  const template = Template.fromStack(stack);
  const idOf = (construct: IConstruct | undefined): string => {
    if (!construct) throw new Error('no such construct');
    return stack.resolve(stack.getLogicalId(construct.node.defaultChild as CfnElement)) as string;
  };
  const functionIdOf = (name: FunctionName) => idOf(stack.functions.get(name)?.function);
  const envOf = (name: FunctionName): Record<string, unknown> =>
    template.findResources('AWS::Lambda::Function')[functionIdOf(name)]?.Properties?.Environment?.Variables ?? {};
  return { app, stack, template, idOf, functionIdOf, envOf };
}
