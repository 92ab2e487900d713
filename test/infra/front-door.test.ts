import { DEFAULT_COLLECTOR_CONCURRENCY, ENV, ROUTES } from '@intent/resources';
import { Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { ALARMS } from '../../infra/constructs/pipeline-monitoring';
import { type Synthesized, synthesize, TEST_PODS } from './fixture';

const routeKeys = (s: Synthesized) =>
  Object.values(s.template.findResources('AWS::ApiGatewayV2::Route'))
    .map((r) => r.Properties.RouteKey as string)
    .sort();
const key = (r: (typeof ROUTES)[number]) => `${r.method} ${r.path}`;
const nagFindings = (s: Synthesized) =>
  new AwsSolutionsChecks(undefined, { verbose: true })
    .validateScope(s.app)
    .violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`);

let byDefault: Synthesized;
let onHttpApi: Synthesized;
beforeAll(() => {
  byDefault = synthesize({ pods: TEST_PODS });
  onHttpApi = synthesize({ pods: TEST_PODS, collectorFrontDoor: 'httpApi' });
});

describe('collector front door: a function URL by default', () => {
  it('gives the collector a public function URL without URL-level CORS (the collector answers preflights per site origin)', () => {
    byDefault.template.resourceCountIs('AWS::Lambda::Url', 1);
    byDefault.template.hasResourceProperties('AWS::Lambda::Url', {
      AuthType: 'NONE',
      InvokeMode: 'BUFFERED',
      TargetFunctionArn: { 'Fn::GetAtt': [byDefault.functionIdOf('collector'), 'Arn'] },
      Cors: Match.absent(),
    });
  });

  it('throttles it through reserved concurrency, and no other function', () => {
    const fns = byDefault.template.findResources('AWS::Lambda::Function');
    expect(fns[byDefault.functionIdOf('collector')]?.Properties.ReservedConcurrentExecutions).toBe(DEFAULT_COLLECTOR_CONCURRENCY);
    for (const name of ['api', 'rollup', 'rescore'] as const)
      expect(fns[byDefault.functionIdOf(name)]?.Properties.ReservedConcurrentExecutions, name).toBeUndefined();
  });

  it('tells the collector how many instances it can have, for its address limits; behind the HTTP API it has no cap to tell', () => {
    expect(byDefault.envOf('collector')[ENV.collectorInstances]).toBe(String(DEFAULT_COLLECTOR_CONCURRENCY));
    expect(synthesize({ pods: TEST_PODS, collectorConcurrency: 20 }).envOf('collector')[ENV.collectorInstances]).toBe('20');
    expect(onHttpApi.envOf('collector')[ENV.collectorInstances]).toBeUndefined();
  });

  it('leaves the HTTP API the authenticated routes only', () => {
    expect(routeKeys(byDefault)).toEqual(
      ROUTES.filter((r) => r.function !== 'collector')
        .map(key)
        .sort(),
    );
  });

  it('outputs the URL as CollectorUrl and alarms on its 5xx answers', () => {
    byDefault.template.hasOutput('CollectorUrl', {
      Value: { 'Fn::GetAtt': [byDefault.idOf(byDefault.stack.collectorUrl), 'FunctionUrl'] },
    });
    const alarms = Object.values(byDefault.template.findResources('AWS::CloudWatch::Alarm')).filter(
      (a) => a.Properties.MetricName === 'Url5xxCount',
    );
    expect(alarms).toHaveLength(1);
    expect(alarms[0]?.Properties).toMatchObject({
      Namespace: 'AWS/Lambda',
      Threshold: ALARMS.collectorUrl5xx.threshold,
      EvaluationPeriods: ALARMS.collectorUrl5xx.evaluationPeriods,
      Period: ALARMS.collectorUrl5xx.periodMinutes * 60,
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: byDefault.functionIdOf('collector') } }],
    });
  });

  it('is cdk-nag clean', () => {
    expect(nagFindings(byDefault)).toEqual([]);
  });
});

describe('collector front door: -c collectorFrontDoor=httpApi', () => {
  it('serves every route on the HTTP API, with no function URL and no reserved concurrency', () => {
    expect(routeKeys(onHttpApi)).toEqual(ROUTES.map(key).sort());
    onHttpApi.template.resourceCountIs('AWS::Lambda::Url', 0);
    const fns = onHttpApi.template.findResources('AWS::Lambda::Function');
    expect(fns[onHttpApi.functionIdOf('collector')]?.Properties.ReservedConcurrentExecutions).toBeUndefined();
    expect(
      Object.values(onHttpApi.template.findResources('AWS::CloudWatch::Alarm')).filter(
        (a) => a.Properties.MetricName === 'Url5xxCount',
      ),
    ).toHaveLength(0);
  });

  it('outputs the HTTP API as CollectorUrl', () => {
    const outputs = onHttpApi.template.findOutputs('CollectorUrl');
    const apiUrl = onHttpApi.template.findOutputs('ApiUrl');
    expect(outputs.CollectorUrl?.Value).toEqual(apiUrl.ApiUrl?.Value);
  });

  it('is cdk-nag clean', () => {
    expect(nagFindings(onHttpApi)).toEqual([]);
  });

  it('takes the collector concurrency from context, and refuses a bad one', () => {
    const lower = synthesize({ pods: TEST_PODS, collectorConcurrency: '20' });
    const fns = lower.template.findResources('AWS::Lambda::Function');
    expect(fns[lower.functionIdOf('collector')]?.Properties.ReservedConcurrentExecutions).toBe(20);
    expect(() => synthesize({ pods: TEST_PODS, collectorConcurrency: 'lots' })).toThrow(/collectorConcurrency/);
  });

  it('refuses any other front door', () => {
    expect(() => synthesize({ pods: TEST_PODS, collectorFrontDoor: 'cloudfront' })).toThrow(/collectorFrontDoor/);
  });
});
