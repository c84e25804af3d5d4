import { z } from 'zod';
import {
  describeIssues,
  InvalidInputError,
  isoInstant,
  OBJECT_NAME,
  parseRunInput,
  quote,
  RUN_MODES,
  type RunInput,
} from '../lib/sync/run-input';
import { parseIsoInstant } from '../lib/sync/iso-instant';
import { executionRunId } from '../lib/sync/run-id';
import { WORK_KINDS, type ObjectFailure, type WorkItem } from '../lib/sync/types';

/** What the state machine hands plan: the execution's input (the run input) and which execution it is. */
const PlanEnvelopeSchema = z
  .object({
    input: z.unknown(),
    execution: z.object({ id: z.string().min(1), startTime: z.string().min(1) }),
  })
  .strict();

/**
 * The plan function's event: from the state machine, `{input, execution: {id, startTime}}` (the run id then comes
 * from the execution, the same for every retry); invoked directly, the run input itself or an EventBridge event
 * whose `detail` holds it.
 */
export function parsePlanEvent(event: unknown): { input: RunInput; runId?: string } {
  if (event && typeof event === 'object' && 'execution' in event) {
    const { input, execution } = parse(PlanEnvelopeSchema, event, 'plan');
    const startTime = parseIsoInstant(execution.startTime);
    if (!startTime)
      throw new InvalidInputError(`invalid plan event: execution.startTime ${quote(execution.startTime)}`);
    return { input: parseRunInput(input), runId: executionRunId(execution.id, startTime) };
  }
  const value = event && typeof event === 'object' && 'detail' in event ? (event as { detail: unknown }).detail : event;
  return { input: parseRunInput(value) };
}

const WorkItemSchema = z.object({
  runId: z.string().min(1),
  kind: z.enum(WORK_KINDS),
  object: z.string().regex(OBJECT_NAME),
  apiName: z.string().min(1),
  mode: z.enum(RUN_MODES),
  snapshotDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  startedAt: isoInstant,
  lastModifiedProperty: z.string().optional(),
  since: isoInstant.optional(),
  until: isoInstant.optional(),
  associationTargets: z.array(z.string()).optional(),
  expected: z.number().optional(),
});

const StepEventSchema = z.object({ item: WorkItemSchema });

const FinalizeEventSchema = z.object({
  runId: z.string().min(1),
  results: z
    .array(
      z
        .object({
          object: z.string(),
          // Set by sync-step for errors a retry cannot fix.
          failure: z.object({ error: z.string(), message: z.string() }).nullish(),
          // Set by the Map's catch once retries ran out: Cause is the Lambda's error JSON (with a stack trace).
          error: z.object({ Error: z.string().optional(), Cause: z.string().optional() }).optional(),
        })
        .passthrough(),
    )
    .default([]),
});

const REASON_LIMIT = 500;

/** `errorMessage` of a Lambda error Cause, or the Cause itself when it is not that JSON. */
function causeMessage(cause: string | undefined): string {
  if (!cause) return 'no cause given';
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') return parsed.errorMessage;
  } catch {
    // not JSON: a Step Functions cause such as a timeout
  }
  return cause;
}

function parse<T>(schema: z.ZodType<T>, event: unknown, what: string): T {
  const result = schema.safeParse(event);
  if (!result.success) throw new InvalidInputError(`invalid ${what} event: ${describeIssues(result.error.issues)}`);
  return result.data;
}

export const parseStepEvent = (event: unknown): { item: WorkItem } =>
  parse(StepEventSchema, event, 'sync-step') as { item: WorkItem };

/** finalize's event: the run id and the Map's per-item results; an item with `failure` or `error` failed for good. */
export function parseFinalizeEvent(event: unknown): { runId: string; failedItems: ObjectFailure[] } {
  const { runId, results } = parse(FinalizeEventSchema, event, 'finalize');
  const failedItems = results.flatMap((r) => {
    if (r.failure)
      return [{ object: r.object, reason: `${r.failure.error}: ${r.failure.message}`.slice(0, REASON_LIMIT) }];
    if (r.error) {
      return [
        {
          object: r.object,
          reason: `${r.error.Error ?? 'error'}: ${causeMessage(r.error.Cause)}`.slice(0, REASON_LIMIT),
        },
      ];
    }
    return [];
  });
  return { runId, failedItems };
}
