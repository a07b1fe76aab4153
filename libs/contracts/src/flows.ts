import { z } from 'zod';

const eventTypes = z
  .array(z.string().regex(/^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)+$/, 'an event type such as order.placed'))
  .min(1);

/** One step of a business flow: done, failed or compensated by the event types it names. */
export const FlowStepSchema = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9-]*$/, 'lower-case letters, digits and -'),
  done: eventTypes,
  failed: eventTypes.optional(),
  compensatedBy: eventTypes.optional(),
  optional: z.boolean().optional(),
});

/** A flow definition as a file in FLOW_DEFINITIONS_DIR (YAML or JSON): adding a flow needs no code. */
export const FlowDefinitionSchema = z
  .strictObject({
    name: z.string().regex(/^[a-z][a-z0-9-]*$/, 'lower-case letters, digits and -'),
    /** Path into the event's data that holds the flow instance's key, e.g. `orderId`. */
    correlation: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/, 'a dotted path such as orderId'),
    /** SLA from the first event; a flow not ended by then is stalled. */
    timeoutMs: z.number().int().positive(),
    steps: z.array(FlowStepSchema).min(1),
  })
  .superRefine((def, ctx) => {
    const names = def.steps.map((s) => s.name);
    names.forEach((n, i) => {
      if (names.indexOf(n) !== i)
        ctx.addIssue({ code: 'custom', path: ['steps', i, 'name'], message: `duplicate step '${n}'` });
    });
  });

export type FlowStep = z.infer<typeof FlowStepSchema>;
export type FlowDefinition = z.infer<typeof FlowDefinitionSchema>;

/** Flow statuses (ARCHITECTURE.md "Flow definitions"). */
export const flowStatuses = ['running', 'completed', 'failed', 'compensating', 'compensated', 'stalled'] as const;
export type FlowStatus = (typeof flowStatuses)[number];
export type StepStatus = 'pending' | 'done' | 'failed' | 'compensated';
