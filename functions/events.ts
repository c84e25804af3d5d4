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
import { STOPPED_STATUSES } from '../lib/sync/events';
import { parseIsoInstant } from '../lib/sync/iso-instant';
import { executionRunId } from '../lib/sync/run-id';
import { WORK_KINDS, type ObjectFailure, type WorkItem } from '../lib/sync/types';

/** An execution as the state machine (ISO start time) or its status event (epoch milliseconds) names it. */
const ExecutionSchema = z.object({
  id: z.string().min(1),
  startTime: z.union([z.string().min(1), z.number().int().positive()]),
});

/** The run id of an execution: the same for its plan, its retries and a finalize of it after it stopped. */
function runIdOfExecution(execution: z.infer<typeof ExecutionSchema>, what: string): string {
  const { id, startTime } = execution;
  const started = typeof startTime === 'number' ? new Date(startTime) : parseIsoInstant(startTime);
  // A run id spells its start with a four-digit year: past 9999 (or past what Date holds) no run has that id.
  const year = started?.getUTCFullYear() ?? NaN;
  if (!started || !(year >= 0 && year <= 9999)) {
    throw new InvalidInputError(`invalid ${what} event: execution.startTime ${quote(startTime)}`);
  }
  return executionRunId(id, started);
}

/** What the state machine hands plan: the execution's input (the run input) and which execution it is. */
const PlanEnvelopeSchema = z.object({ input: z.unknown(), execution: ExecutionSchema }).strict();

/**
 * The plan function's event: from the state machine, `{input, execution: {id, startTime}}` (the run id then comes
 * from the execution, the same for every retry); invoked directly, the run input itself or an EventBridge event
 * whose `detail` holds it.
 */
export function parsePlanEvent(event: unknown): { input: RunInput; runId?: string } {
  if (event && typeof event === 'object' && 'execution' in event) {
    const { input, execution } = parse(PlanEnvelopeSchema, event, 'plan');
    return { input: parseRunInput(input), runId: runIdOfExecution(execution, 'plan') };
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
  pipelineObjects: z.array(z.string().regex(OBJECT_NAME)).optional(),
  clockSkewMs: z.number().int().nonnegative().optional(),
  liveCount: z
    .object({ countedBelow: z.string().regex(/^\d+$/), live: z.number().int().nonnegative() })
    .strict()
    .optional(),
  archived: z
    .object({ sweep: z.boolean(), from: isoInstant.optional(), pending: z.boolean().optional() })
    .strict()
    .optional(),
  idBounds: z
    .object({ min: z.string().regex(/^\d+$/), max: z.string().regex(/^\d+$/) })
    .strict()
    .optional(),
  slice: z
    .object({
      index: z.number().int().nonnegative(),
      count: z.number().int().positive(),
      start: z.string().regex(/^\d+$/).optional(),
      end: z.string().regex(/^\d+$/).optional(),
    })
    .strict()
    .optional(),
  built: z
    .object({ base: z.string().min(1), changeSets: z.array(z.string().min(1)) })
    .strict()
    .optional(),
});
/**
 * Fails to compile when WorkItem has a field the schema lacks: zod drops keys it does not know, and a step
 * handed an item without `pipelineObjects` once exported every type's pipelines instead of the ones planned.
 */
const WORK_ITEM_FIELDS_COVERED: Record<Exclude<keyof WorkItem, keyof z.infer<typeof WorkItemSchema>>, never> = {};
void WORK_ITEM_FIELDS_COVERED;

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

/**
 * The reason of an error the Map caught once retries ran out: the `errorMessage` of a Lambda error Cause (what the
 * CLI reports for the same error), else the error's name and its Cause (a Step Functions timeout, say).
 */
function caughtReason(error: { Error?: string; Cause?: string }): string {
  try {
    const parsed = JSON.parse(error.Cause ?? '') as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') return parsed.errorMessage;
  } catch {
    // not JSON: a Step Functions cause such as a timeout
  }
  return `${error.Error ?? 'error'}: ${error.Cause || 'no cause given'}`;
}

function parse<T>(schema: z.ZodType<T>, event: unknown, what: string): T {
  const result = schema.safeParse(event);
  if (!result.success) throw new InvalidInputError(`invalid ${what} event: ${describeIssues(result.error.issues)}`);
  return result.data;
}

export const parseStepEvent = (event: unknown): { item: WorkItem } =>
  parse(StepEventSchema, event, 'sync-step') as { item: WorkItem };

/** The stopped-run rule's event: an execution that ended without a finalize that held. */
const StoppedRunSchema = z.object({ execution: ExecutionSchema.extend({ status: z.enum(STOPPED_STATUSES) }) }).strict();

/**
 * finalize's event: from the state machine, the run id and the Map's per-item results (an item with `failure` or
 * `error` failed for good); from the stopped-run rule, the execution, with `stopped` set to its status.
 */
export function parseFinalizeEvent(event: unknown): {
  runId: string;
  failedItems: ObjectFailure[];
  stopped?: (typeof STOPPED_STATUSES)[number];
} {
  if (event && typeof event === 'object' && 'execution' in event) {
    const { execution } = parse(StoppedRunSchema, event, 'finalize');
    return { runId: runIdOfExecution(execution, 'finalize'), failedItems: [], stopped: execution.status };
  }
  const { runId, results } = parse(FinalizeEventSchema, event, 'finalize');
  const failedItems = results.flatMap((r) => {
    // Reasons as the CLI words them: the error's own line, without its class name.
    if (r.failure) return [{ object: r.object, reason: r.failure.message.slice(0, REASON_LIMIT) }];
    if (r.error) return [{ object: r.object, reason: caughtReason(r.error).slice(0, REASON_LIMIT) }];
    return [];
  });
  return { runId, failedItems };
}
