import { defineMachine } from '../domain/state-machine.ts';

/** Batch lifecycle (issue 4 §1): start → run ⇄ pause → close. A closed batch never reopens. */
export const BATCH_STATES = ['running', 'paused', 'closed'] as const;
export type BatchState = (typeof BATCH_STATES)[number];

export const BATCH_EVENTS = ['pause', 'resume', 'close'] as const;
export type BatchEvent = (typeof BATCH_EVENTS)[number];

export const batchMachine = defineMachine<BatchState, BatchEvent>('批次 (batch)', BATCH_STATES, BATCH_EVENTS, {
  running: { pause: 'paused', close: 'closed' },
  paused: { resume: 'running', close: 'closed' },
  closed: {},
});
