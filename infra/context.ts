import type { Node } from 'constructs';

export const PODS_CONTEXT_KEY = 'pods';
export const DEFAULT_PODS = ['default'] as const;
/** Pod ids become construct ids, output names and keys of POD_QUEUE_URLS: keep them plain. */
const POD_ID = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;

/**
 * The SDR pods that get an outbound queue, from context `pods`: a JSON array in `cdk.json`, or
 * a string on the command line (`-c pods='["na-enterprise","strategic"]'` or `-c pods=a,b`).
 * Unset: `["default"]`, the pod a fresh stack routes every account to.
 */
export function podsFromContext(node: Node): string[] {
  const raw: unknown = node.tryGetContext(PODS_CONTEXT_KEY);
  if (raw === undefined || raw === null || raw === '') return [...DEFAULT_PODS];
  return validatePods(parsePods(raw));
}

function parsePods(raw: unknown): unknown {
  if (typeof raw !== 'string') return raw;
  const text = raw.trim();
  if (text.startsWith('[')) {
    try {
      return JSON.parse(text);
    } catch (cause) {
      throw new Error(`Context "${PODS_CONTEXT_KEY}" is not a valid JSON array: ${text}`, { cause });
    }
  }
  return text.split(',').map((pod) => pod.trim());
}

/** Checks the pod ids are unique, lower-case, dash-separated; answers them unchanged. */
export function validatePods(pods: unknown): string[] {
  if (!Array.isArray(pods) || pods.length === 0) {
    throw new Error(`Context "${PODS_CONTEXT_KEY}" must be a non-empty array of pod ids`);
  }
  const seen = new Set<string>();
  for (const pod of pods) {
    if (typeof pod !== 'string' || !POD_ID.test(pod)) {
      throw new Error(
        `Pod id ${JSON.stringify(pod)} in context "${PODS_CONTEXT_KEY}" must be lower-case letters, digits and dashes`,
      );
    }
    if (seen.has(pod)) throw new Error(`Pod id "${pod}" appears twice in context "${PODS_CONTEXT_KEY}"`);
    seen.add(pod);
  }
  return [...seen];
}

export const ALARM_EMAIL_CONTEXT_KEY = 'alarmEmail';

/** Context `alarmEmail` (`-c alarmEmail=ops@example.com`): who the alarm topic emails; unset, nobody. */
export function alarmEmailFromContext(node: Node): string | undefined {
  const raw: unknown = node.tryGetContext(ALARM_EMAIL_CONTEXT_KEY);
  if (raw === undefined || raw === null || raw === '') return undefined;
  if (typeof raw !== 'string' || !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(raw.trim()))
    throw new Error(`Context "${ALARM_EMAIL_CONTEXT_KEY}" must be an email address, got ${JSON.stringify(raw)}`);
  return raw.trim();
}

export const COLLECTOR_FRONT_DOOR_CONTEXT_KEY = 'collectorFrontDoor';
/**
 * What serves the collector's routes: its own Lambda function URL (the default: no per-request
 * price, see docs/cost.md), or the HTTP API beside the authenticated API.
 */
export const COLLECTOR_FRONT_DOORS = ['functionUrl', 'httpApi'] as const;
export type CollectorFrontDoor = (typeof COLLECTOR_FRONT_DOORS)[number];
export const DEFAULT_COLLECTOR_FRONT_DOOR: CollectorFrontDoor = 'functionUrl';

/** Context `collectorFrontDoor` (`-c collectorFrontDoor=httpApi`); unset, the function URL. */
export function collectorFrontDoorFromContext(node: Node): CollectorFrontDoor {
  const raw: unknown = node.tryGetContext(COLLECTOR_FRONT_DOOR_CONTEXT_KEY);
  if (raw === undefined || raw === null || raw === '') return DEFAULT_COLLECTOR_FRONT_DOOR;
  if (!COLLECTOR_FRONT_DOORS.includes(raw as CollectorFrontDoor))
    throw new Error(
      `Context "${COLLECTOR_FRONT_DOOR_CONTEXT_KEY}" must be one of ${COLLECTOR_FRONT_DOORS.join(', ')}, got ${JSON.stringify(raw)}`,
    );
  return raw as CollectorFrontDoor;
}

export const TABLE_CAPACITY_CONTEXT_KEY = 'tableCapacity';
export const TABLE_CAPACITIES = ['provisioned', 'onDemand'] as const;

/** Context `tableCapacity` (`-c tableCapacity=onDemand`); unset, provisioned with auto scaling. */
export function tableCapacityFromContext(node: Node): (typeof TABLE_CAPACITIES)[number] {
  const raw: unknown = node.tryGetContext(TABLE_CAPACITY_CONTEXT_KEY);
  if (raw === undefined || raw === null || raw === '') return 'provisioned';
  const capacity = TABLE_CAPACITIES.find((c) => c === raw);
  if (!capacity)
    throw new Error(
      `Context "${TABLE_CAPACITY_CONTEXT_KEY}" must be one of ${TABLE_CAPACITIES.join(', ')}, got ${JSON.stringify(raw)}`,
    );
  return capacity;
}

export const COLLECTOR_CONCURRENCY_CONTEXT_KEY = 'collectorConcurrency';

/**
 * Context `collectorConcurrency` (`-c collectorConcurrency=20`): the collector's reserved
 * concurrency behind its function URL; unset, the stack's default. An account whose
 * concurrency limit is low (a new account's may be 10) must lower it, or the deploy fails.
 */
export function collectorConcurrencyFromContext(node: Node): number | undefined {
  const raw: unknown = node.tryGetContext(COLLECTOR_CONCURRENCY_CONTEXT_KEY);
  if (raw === undefined || raw === null || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 10_000)
    throw new Error(
      `Context "${COLLECTOR_CONCURRENCY_CONTEXT_KEY}" must be a whole number from 1 to 10000, got ${JSON.stringify(raw)}`,
    );
  return value;
}
