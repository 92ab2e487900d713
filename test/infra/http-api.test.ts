import { ROUTES } from '@intent/resources';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Synthesized, synthesize, TEST_PODS } from './fixture';
import { evaluateJoin, referencedId } from './template-helpers';

let s: Synthesized;
let template: Template;
beforeAll(() => {
  // Every route on the HTTP API (the collector's too): front-door.test.ts covers the default, where the collector has its own URL.
  s = synthesize({ pods: TEST_PODS, collectorFrontDoor: 'httpApi' });
  template = s.template;
});

describe('HTTP API', () => {
  it('has one route per route definition, each to the function that serves it', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Route', ROUTES.length);
    const integrations = template.findResources('AWS::ApiGatewayV2::Integration');
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route'));
    for (const route of ROUTES) {
      const found = routes.filter((r) => r.Properties.RouteKey === `${route.method} ${route.path}`);
      expect(found, `${route.method} ${route.path}`).toHaveLength(1);
      const target = evaluateJoin(found[0]?.Properties.Target);
      const integration = integrations[target.replace('integrations/ref:', '')];
      expect(referencedId(integration?.Properties.IntegrationUri)).toBe(s.functionIdOf(route.function));
    }
  });

  it('sends OPTIONS to the collector and configures no API-level CORS', () => {
    expect(ROUTES.filter((r) => r.method === 'OPTIONS').every((r) => r.function === 'collector')).toBe(true);
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      ProtocolType: 'HTTP',
      CorsConfiguration: Match.absent(),
    });
  });

  it('uses one Lambda integration and one invoke permission per function', () => {
    const served = new Set(ROUTES.map((r) => r.function));
    template.resourceCountIs('AWS::ApiGatewayV2::Integration', served.size);
    const apiPermissions = Object.values(template.findResources('AWS::Lambda::Permission')).filter(
      (p) => p.Properties.Principal === 'apigateway.amazonaws.com',
    );
    expect(apiPermissions).toHaveLength(served.size);
  });

  it('logs access to a log group and throttles the default stage', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      AccessLogSettings: {
        DestinationArn: { 'Fn::GetAtt': [s.idOf(s.stack.httpApi.accessLogs), 'Arn'] },
        Format: Match.stringLikeRegexp('\\$context\\.requestId'),
      },
      DefaultRouteSettings: { ThrottlingRateLimit: 500, ThrottlingBurstLimit: 1000 },
    });
  });
});
