import { FUNCTIONS } from '@intent/resources';
import type { App } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { synthesize } from './fixture';

let app: App;
let template: Template;
beforeAll(() => {
  // As `npx cdk synth -c tracing=true` passes it (a string), and no `pods` context.
  ({ app, template } = synthesize({ tracing: 'true' }));
});

describe('tracing on', () => {
  it('turns on X-Ray active tracing for every function', () => {
    template.resourceCountIs('AWS::Lambda::Function', FUNCTIONS.length);
    template.allResourcesProperties('AWS::Lambda::Function', { TracingConfig: { Mode: 'Active' } });
  });

  it('grants the X-Ray actions, the only Resource "*" in any policy', () => {
    for (const policy of Object.values(template.findResources('AWS::IAM::Policy'))) {
      for (const statement of policy.Properties.PolicyDocument.Statement) {
        if (statement.Resource !== '*') continue;
        expect([statement.Action].flat().sort()).toEqual(['xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
      }
    }
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Action: Match.arrayWith(['xray:PutTraceSegments']), Resource: '*' })]),
      },
    });
  });

  it('keeps cdk-nag clean: the X-Ray wildcard is acknowledged with its reason', () => {
    const report = new AwsSolutionsChecks().validateScope(app);
    expect(report.violations.map((v) => v.ruleName)).toEqual([]);
  });

  it('pods default to ["default"] when the context has none', () => {
    template.resourceCountIs('AWS::SQS::Queue', 8); // ingest, jobs and deliveries with their DLQs, audiences, one pod
    template.hasOutput('PodQueueUrlDefault', { Value: Match.anyValue() });
  });
});
