/**
 * The capture-job document of the reference receiver: `GET /capture/{captureID}` returns exactly this JSON
 * (EPCIS 2.0 REST binding `CaptureJob` schema, plus counts and conflicts). The sender depends on this shape:
 *
 * ```json
 * {
 *   "captureID": "4f1c…",                        // the id in Location: /capture/{captureID}
 *   "createdAt": "2025-03-01T00:00:00.000Z",
 *   "finishedAt": "2025-03-01T00:00:00.120Z",    // absent while running
 *   "running": false,
 *   "success": false,                            // false ⇔ errors.length > 0
 *   "captureErrorBehaviour": "rollback",         // or "proceed" (GS1-Capture-Error-Behaviour request header)
 *   "eventCount": 100,                           // events in the document
 *   "storedCount": 0,                            // newly stored by this job (0 under rollback with errors)
 *   "duplicateCount": 0,                         // identical events already stored (same eventID, same JSON)
 *   "rejectedCount": 1,                          // = errors.length
 *   "errors": [{                                 // RFC 7807 problem per rejected event
 *     "type": "epcisException:ValidationException",   // or epcisException:ResourceAlreadyExistsException
 *     "title": "事件不符合 EPCIS 2.0 规范 (event violates EPCIS 2.0)",
 *     "status": 400,
 *     "detail": "/parentID AggregationEvent with action ADD or DELETE requires parentID …",
 *     "instance": "/epcisBody/eventList/3",     // JSON pointer of the event in the posted document
 *     "eventIndex": 3,
 *     "eventID": "ni:///sha-256;…?ver=CBV2.0"   // null when the event had none
 *   }],
 *   "conflicts": [{                              // flagged, NOT rejected: the event is stored
 *     "kind": "DOUBLE_PARENT",                  // or UNKNOWN_CODE, COMMISSIONED_TWICE, UNKNOWN_SHIPPED, CLOCK_SKEW
 *     "eventID": "ni:///…", "epc": "urn:epc:id:sgtin:…", "detail": "…"
 *   }]
 * }
 * ```
 *
 * Under `rollback` (the default) a job with any error stores nothing: the sender quarantines exactly the
 * eventIDs in `errors` and resends the rest. Under `proceed` the valid events are stored and only the failing
 * ones are listed. Conflicts never block storage; they are also listed at `GET /conflicts`.
 */
export type CaptureErrorBehaviour = 'rollback' | 'proceed';

/** detect-conflicts.ts says what each means. */
export type ConflictKind = 'DOUBLE_PARENT' | 'UNKNOWN_CODE' | 'COMMISSIONED_TWICE' | 'UNKNOWN_SHIPPED' | 'CLOCK_SKEW';

export interface CaptureEventError {
  readonly type: 'epcisException:ValidationException' | 'epcisException:ResourceAlreadyExistsException';
  readonly title: string;
  readonly status: 400 | 409;
  readonly detail: string;
  readonly instance: string;
  readonly eventIndex: number;
  readonly eventID: string | null;
}

export interface Conflict {
  readonly kind: ConflictKind;
  readonly eventID: string;
  /** The identifier concerned; cap-inner / case-inner codes masked. */
  readonly epc: string;
  readonly detail: string;
  /** The station (readPoint, else bizLocation) whose event raised it. */
  readonly site?: string | null;
}

export interface CaptureJobResult {
  readonly captureID: string;
  readonly createdAt: string;
  readonly finishedAt?: string;
  readonly running: boolean;
  readonly success: boolean;
  readonly captureErrorBehaviour: CaptureErrorBehaviour;
  readonly eventCount: number;
  readonly storedCount: number;
  readonly duplicateCount: number;
  readonly rejectedCount: number;
  readonly errors: readonly CaptureEventError[];
  readonly conflicts: readonly Conflict[];
}
