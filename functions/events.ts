import { z } from 'zod';
import { describeIssues, InvalidInputError, parseRunInput, type RunInput } from '../lib/sync/run-input';
import type { ObjectFailure, WorkItem } from '../lib/sync/types';

/**
 * The plan function's event: run input straight from the scheduler or a backfill request, or an
 * EventBridge event whose `detail` holds it.
 */
export function parsePlanEvent(event: unknown): RunInput {
  const value = event && typeof event === 'object' && 'detail' in event ? (event as { detail: unknown }).detail : event;
  return parseRunInput(value);
}

const WorkItemSchema = z.object({
  runId: z.string().min(1),
  kind: z.enum(['records', 'owners', 'pipelines']),
  object: z.string().regex(/^[A-Za-z0-9_-]+$/),
  apiName: z.string().min(1),
  mode: z.enum(['full', 'incremental', 'backfill']),
  snapshotDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  lastModifiedProperty: z.string().optional(),
  since: z.string().optional(),
  until: z.string().optional(),
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
          error: z.object({ Error: z.string().optional(), Cause: z.string().optional() }).optional(),
        })
        .passthrough(),
    )
    .default([]),
});

function parse<T>(schema: z.ZodType<T>, event: unknown, what: string): T {
  const result = schema.safeParse(event);
  if (!result.success) throw new InvalidInputError(`invalid ${what} event: ${describeIssues(result.error)}`);
  return result.data;
}

export const parseStepEvent = (event: unknown): { item: WorkItem } =>
  parse(StepEventSchema, event, 'sync-step') as { item: WorkItem };

/** finalize's event: the run id and the Map's per-item results; an item with `error` failed for good. */
export function parseFinalizeEvent(event: unknown): { runId: string; failedItems: ObjectFailure[] } {
  const { runId, results } = parse(FinalizeEventSchema, event, 'finalize');
  const failedItems = results
    .filter((r) => r.error)
    .map((r) => ({
      object: r.object,
      reason: `${r.error?.Error ?? 'error'}: ${r.error?.Cause ?? 'no cause given'}`.slice(0, 500),
    }));
  return { runId, failedItems };
}
