/**
 * Small readers over a synthesized template, for assertions that `hasResourceProperties`
 * cannot express alone (which function gets which actions on which resource).
 */
import type { Template } from 'aws-cdk-lib/assertions';

type Json = unknown;
type Resource = { Type: string; Properties?: Record<string, Json> };

/** The logical id of the only resource of `type` whose properties satisfy `pick`. */
export function logicalIdWhere(template: Template, type: string, pick: (properties: Record<string, Json>) => boolean): string {
  const ids = Object.entries(template.findResources(type) as Record<string, Resource>)
    .filter(([, r]) => pick(r.Properties ?? {}))
    .map(([id]) => id);
  if (ids.length !== 1) throw new Error(`expected one ${type}, found ${ids.length}`);
  return ids[0] as string;
}

/** `{Ref: id}` and `{Fn::GetAtt: [id, ...]}` -> id; anything else -> undefined. */
export function referencedId(value: Json): string | undefined {
  if (value && typeof value === 'object') {
    const v = value as Record<string, Json>;
    if (typeof v.Ref === 'string') return v.Ref;
    const getAtt = v['Fn::GetAtt'];
    if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return getAtt[0];
  }
  return undefined;
}

/**
 * Evaluates an `Fn::Join` (or a plain string) with every `Ref`/`GetAtt` replaced by
 * `ref:<logicalId>`, so a JSON value built with `Stack.toJsonString` can be parsed in a test.
 */
export function evaluateJoin(value: Json): string {
  if (typeof value === 'string') return value;
  const id = referencedId(value);
  if (id) return `ref:${id}`;
  const join = (value as Record<string, Json>)['Fn::Join'];
  if (Array.isArray(join) && typeof join[0] === 'string' && Array.isArray(join[1])) {
    return join[1].map(evaluateJoin).join(join[0]);
  }
  throw new Error(`cannot evaluate ${JSON.stringify(value)}`);
}

/**
 * Every action the role may perform, grouped by resource: `label(logicalId)` names a resource,
 * and `<label>/index/*` its indexes. Covers the role's attached AWS::IAM::Policy documents.
 */
export function actionsByResource(
  template: Template,
  roleId: string,
  label: (logicalId: string) => string,
): Record<string, string[]> {
  const grouped = new Map<string, Set<string>>();
  const policies = template.findResources('AWS::IAM::Policy') as Record<string, Resource>;
  for (const policy of Object.values(policies)) {
    const roles = (policy.Properties?.Roles as Json[] | undefined) ?? [];
    if (!roles.some((r) => referencedId(r) === roleId)) continue;
    const document = policy.Properties?.PolicyDocument as { Statement: Record<string, Json>[] };
    for (const statement of document.Statement) {
      if (statement.Effect !== 'Allow') throw new Error(`unexpected ${String(statement.Effect)} statement`);
      const actions = ([] as Json[]).concat(statement.Action) as string[];
      for (const resource of ([] as Json[]).concat(statement.Resource)) {
        const key = resourceLabel(resource, label);
        const set = grouped.get(key) ?? new Set<string>();
        for (const action of actions) set.add(action);
        grouped.set(key, set);
      }
    }
  }
  return Object.fromEntries([...grouped].map(([key, set]) => [key, [...set].sort()]));
}

function resourceLabel(resource: Json, label: (logicalId: string) => string): string {
  if (resource === '*') return '*';
  const id = referencedId(resource);
  if (id) return label(id);
  const join = (resource as Record<string, Json>)['Fn::Join'];
  if (Array.isArray(join) && Array.isArray(join[1]) && join[1].length === 2) {
    const [head, tail] = join[1] as [Json, Json];
    const headId = referencedId(head);
    if (headId && typeof tail === 'string') return `${label(headId)}${tail}`;
  }
  return JSON.stringify(resource);
}
