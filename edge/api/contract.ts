/**
 * The local API's typed contract, shared by the edge server (edge/api) and the renderer (desktop/renderer).
 * Types and plain constants only: this file imports nothing but its warehouse half (warehouse-contract.ts, alike:
 * no node:*, no store, no devices), so the browser can load it as is. The server's route table (routes.ts) is keyed by `OperationId` and typechecked against
 * `API_OPERATIONS`, and the OpenAPI document is built from that same table — there is one list of endpoints.
 *
 * Transport rules (see start-api.ts):
 * - Every request carries the per-launch token: `Authorization: Bearer <token>` (desktop main process, scripts),
 *   or the `wuma_token` cookie the server sets when the browser opens `/?token=<token>` once (then redirected to
 *   `/`). The Host header must name the loopback address and port (127.0.0.1:PORT, localhost:PORT), an Origin
 *   header, when present, the same; otherwise 403 (DNS rebinding / CSRF).
 * - A user session (login by badge or user + PIN) is sent as the `wuma_session` cookie or the `X-Wuma-Session`
 *   header. Sessions end after an idle time (`SessionInfo.idleTimeoutMs`).
 * - Codes of secret kinds (cap-inner 盖内码, case-inner 箱内码) never appear in full in any response or push.
 */

import { WAREHOUSE_OPERATIONS, type WarehouseContract } from './warehouse-contract.ts';

/** A user's role: defined once, by the store that keeps users (type-only here, so the browser loads nothing of it). */
export type ApiRole = import('../store/users.ts').Role;

/** The permission an operation needs (edge/store/users.ts PERMISSIONS); null = any logged-in user / public. */
export type ApiPermission =
  | 'batch.start' | 'batch.pause' | 'batch.close' | 'pallet.force-close' | 'codes.import' | 'device.settings'
  | 'rework.remove' | 'rework.add' | 'rework.replace' | 'rework.relabel' | 'rework.move' | 'rework.break-pallet'
  | 'rework.destroy' | 'rework.sample' | 'rework.repack' | 'capture.manual'
  | 'dispatch.order' | 'dispatch.scan' | 'dispatch.return' | 'trace.finding' | 'trace.inner';

export type HttpMethod = 'GET' | 'POST';

/** Who may call an operation: `token` = the per-launch token only (login, docs); `session` = a logged-in user. */
export type ApiAccess = 'token' | 'session';

export interface OperationDescriptor {
  readonly method: HttpMethod;
  /** OpenAPI-style path; `{name}` segments are path parameters. */
  readonly path: string;
  readonly access: ApiAccess;
  /** Changes state (role-checked when `permission` is set; every mutating operation but login/logout has one). */
  readonly mutating: boolean;
  readonly permission: ApiPermission | null;
  /** The user's PIN is asked again in the body (21 CFR 11.200 signed actions). */
  readonly signed: boolean;
  readonly summary: string;
  readonly tag: 'session' | 'products' | 'batches' | 'station' | 'capture' | 'codes' | 'rejects' | 'rework' | 'devices' | 'packages' | 'sync' | 'charts' | 'docs' | 'warehouse' | 'trace';
}

const op = <const D extends OperationDescriptor>(d: D): D => d;

/** Every operation of the API. The server has exactly one handler per entry (routes.ts). */
export const API_OPERATIONS = {
  login: op({ method: 'POST', path: '/api/session/login', access: 'token', mutating: true, permission: null, signed: false, tag: 'session', summary: '登录：刷工卡或工号 + PIN (log in by badge or user + PIN)' }),
  logout: op({ method: 'POST', path: '/api/session/logout', access: 'session', mutating: true, permission: null, signed: false, tag: 'session', summary: '退出登录 (log out)' }),
  me: op({ method: 'GET', path: '/api/session/me', access: 'session', mutating: false, permission: null, signed: false, tag: 'session', summary: '当前用户与会话 (current user and session)' }),
  listProducts: op({ method: 'GET', path: '/api/products', access: 'session', mutating: false, permission: null, signed: false, tag: 'products', summary: '产品列表 (products)' }),
  listBatches: op({ method: 'GET', path: '/api/batches', access: 'session', mutating: false, permission: null, signed: false, tag: 'batches', summary: '未关闭及最近的批次 (open and recent batches)' }),
  getBatch: op({ method: 'GET', path: '/api/batches/{batchId}', access: 'session', mutating: false, permission: null, signed: false, tag: 'batches', summary: '批次详情 (one batch)' }),
  startBatch: op({ method: 'POST', path: '/api/batches', access: 'session', mutating: true, permission: 'batch.start', signed: false, tag: 'batches', summary: '开始批次 (start a batch)' }),
  pauseBatch: op({ method: 'POST', path: '/api/batches/{batchId}/pause', access: 'session', mutating: true, permission: 'batch.pause', signed: false, tag: 'batches', summary: '暂停批次 (pause a batch)' }),
  resumeBatch: op({ method: 'POST', path: '/api/batches/{batchId}/resume', access: 'session', mutating: true, permission: 'batch.pause', signed: false, tag: 'batches', summary: '恢复批次 (resume a batch)' }),
  closeBatch: op({ method: 'POST', path: '/api/batches/{batchId}/close', access: 'session', mutating: true, permission: 'batch.close', signed: true, tag: 'batches', summary: '关闭批次；有未说明的码时需原因与 PIN 签名 (close; unexplained codes need a reason signed with the PIN)' }),
  batchReport: op({ method: 'GET', path: '/api/batches/{batchId}/report', access: 'session', mutating: false, permission: null, signed: false, tag: 'batches', summary: '对账报告 JSON / CSV / PDF (reconciliation report; ?format=json|csv|pdf)' }),
  status: op({ method: 'GET', path: '/api/status', access: 'session', mutating: false, permission: null, signed: false, tag: 'station', summary: '工作站实时状态 (station status snapshot)' }),
  endPallet: op({ method: 'POST', path: '/api/station/end-pallet', access: 'session', mutating: true, permission: 'pallet.force-close', signed: false, tag: 'station', summary: '提前结束当前垛；不足一垛（短垛）时需填写原因 (end the current pallet early; a short pallet needs a reason)' }),
  getCapture: op({ method: 'GET', path: '/api/batches/{batchId}/capture', access: 'session', mutating: false, permission: null, signed: false, tag: 'capture', summary: '人工采集：当前步骤、提示与上次结果；没有则为 null (manual capture: step, prompt and last outcome; null when none is open)' }),
  startCapture: op({ method: 'POST', path: '/api/batches/{batchId}/capture', access: 'session', mutating: true, permission: 'capture.manual', signed: false, tag: 'capture', summary: '开始人工采集（相机故障时用手持扫码枪）；每个批次最多一个 (start manual capture for a running batch; one per batch)' }),
  captureScan: op({ method: 'POST', path: '/api/batches/{batchId}/capture/scan', access: 'session', mutating: true, permission: 'capture.manual', signed: false, tag: 'capture', summary: '人工采集的一次扫码：码或控制码 #CASE #PALLET #END #CLEAR (one scan: a code or a control scan)' }),
  endCapture: op({ method: 'POST', path: '/api/batches/{batchId}/capture/end', access: 'session', mutating: true, permission: 'capture.manual', signed: false, tag: 'capture', summary: '结束人工采集：未扫齐的箱不提交，未完成的垛暂存 (end manual capture: a half case is dropped, a started pallet parked)' }),
  queryCode: op({ method: 'POST', path: '/api/codes/query', access: 'session', mutating: false, permission: null, signed: false, tag: 'codes', summary: '查码：层级与历史，内码打码显示 (code lookup: tree and history, inner codes masked)' }),
  listRejects: op({ method: 'GET', path: '/api/rejects', access: 'session', mutating: false, permission: null, signed: false, tag: 'rejects', summary: '剔除记录 (rejects; ?batchId=)' }),
  reworkRemove: op({ method: 'POST', path: '/api/rework/remove', access: 'session', mutating: true, permission: 'rework.remove', signed: true, tag: 'rework', summary: '取出 (remove from its container)' }),
  reworkAdd: op({ method: 'POST', path: '/api/rework/add', access: 'session', mutating: true, permission: 'rework.add', signed: true, tag: 'rework', summary: '装入 (add to a container)' }),
  reworkReplace: op({ method: 'POST', path: '/api/rework/replace', access: 'session', mutating: true, permission: 'rework.replace', signed: true, tag: 'rework', summary: '替换 (replace in its container)' }),
  reworkRelabel: op({ method: 'POST', path: '/api/rework/relabel', access: 'session', mutating: true, permission: 'rework.relabel', signed: true, tag: 'rework', summary: '换标 (relabel a case or pallet)' }),
  reworkMove: op({ method: 'POST', path: '/api/rework/move', access: 'session', mutating: true, permission: 'rework.move', signed: true, tag: 'rework', summary: '整箱转新箱码 (move a case to a new case code)' }),
  reworkBreakPallet: op({ method: 'POST', path: '/api/rework/break-pallet', access: 'session', mutating: true, permission: 'rework.break-pallet', signed: true, tag: 'rework', summary: '拆垛 (break a pallet)' }),
  reworkDestroy: op({ method: 'POST', path: '/api/rework/destroy', access: 'session', mutating: true, permission: 'rework.destroy', signed: true, tag: 'rework', summary: '销毁 (destroy codes)' }),
  reworkSample: op({ method: 'POST', path: '/api/rework/sample', access: 'session', mutating: true, permission: 'rework.sample', signed: true, tag: 'rework', summary: '抽样 (pull a sample)' }),
  reworkRepack: op({ method: 'POST', path: '/api/rework/repack', access: 'session', mutating: true, permission: 'rework.repack', signed: true, tag: 'rework', summary: '剔除品重新装箱 (re-pack rejected items)' }),
  listDevices: op({ method: 'GET', path: '/api/devices', access: 'session', mutating: false, permission: null, signed: false, tag: 'devices', summary: '设备列表 (devices)' }),
  probeDevice: op({ method: 'POST', path: '/api/devices/{deviceId}/probe', access: 'session', mutating: true, permission: 'device.settings', signed: false, tag: 'devices', summary: '探测设备 (probe a device)' }),
  testDevice: op({ method: 'POST', path: '/api/devices/{deviceId}/test', access: 'session', mutating: true, permission: 'device.settings', signed: false, tag: 'devices', summary: '测试设备：打印一个测试码（非真实码）或触发一次读码 (test a device: print one test code, never a real one, or trigger one read)' }),
  listPackages: op({ method: 'GET', path: '/api/packages', access: 'session', mutating: false, permission: null, signed: false, tag: 'packages', summary: '码包列表 (code packages)' }),
  importPackage: op({ method: 'POST', path: '/api/packages/import', access: 'session', mutating: true, permission: 'codes.import', signed: false, tag: 'packages', summary: '导入码包：请求体为文件，进度经 WebSocket 推送 (import a package: the body is the file; progress is pushed)' }),
  syncStatus: op({ method: 'GET', path: '/api/sync', access: 'session', mutating: false, permission: null, signed: false, tag: 'sync', summary: '上传状态：按垛确认与隔离事件 (sync status per pallet, quarantined events)' }),
  series: op({ method: 'GET', path: '/api/series', access: 'session', mutating: false, permission: null, signed: false, tag: 'charts', summary: '产量与读码率时间序列 (throughput and read-rate series)' }),
  ...WAREHOUSE_OPERATIONS,
  openapi: op({ method: 'GET', path: '/api/openapi.json', access: 'token', mutating: false, permission: null, signed: false, tag: 'docs', summary: 'OpenAPI 3.1 文档 (this API as OpenAPI 3.1)' }),
} as const;

export type OperationId = keyof typeof API_OPERATIONS;

// ─── shared shapes ─────────────────────────────────────────────────────────────────────────────────────────────

/** Error body of every non-2xx JSON response. `code` is literal; branch on it, never on `message`. */
export interface ApiErrorBody {
  readonly ok: false;
  readonly code: ApiErrorCode;
  /** Simplified Chinese first, English in parentheses. */
  readonly message: string;
  /** Field errors of a bad body or query (400): path like `codes[2]` and what is wrong. */
  readonly errors?: readonly { readonly path: string; readonly message: string }[];
  /** Extra data: the reconciliation for SIGNATURE_REQUIRED, retryAfterMs for LOGIN_THROTTLED, … */
  readonly details?: unknown;
}

export type ApiErrorCode =
  | 'BAD_REQUEST' | 'UNAUTHORIZED' | 'FORBIDDEN_HOST' | 'FORBIDDEN_ORIGIN' | 'NO_SESSION' | 'SESSION_EXPIRED' | 'FORBIDDEN'
  | 'AUTH_FAILED' | 'LOCKED_OUT' | 'LOGIN_THROTTLED' | 'NOT_FOUND' | 'CONFLICT' | 'INVALID_STATE' | 'SIGNATURE_REQUIRED'
  | 'NO_STATION' | 'TOO_LARGE' | 'UNSUPPORTED_MEDIA_TYPE' | 'INTERNAL';

export interface SessionInfo {
  readonly sessionId: string;
  readonly user: { readonly id: string; readonly name: string; readonly role: ApiRole; readonly roleZh: string };
  readonly loginMethod: 'badge' | 'pin';
  readonly startedAt: string;
  readonly idleTimeoutMs: number;
  /** What this user may do (permissions of their role), for the UI to hide what it cannot do. */
  readonly permissions: readonly ApiPermission[];
}

export type LoginBody = { readonly method: 'badge'; readonly badge: string } | { readonly method: 'pin'; readonly userId: string; readonly pin: string };

export interface ProductView {
  readonly id: string; readonly name: string; readonly gtin: string | null; readonly unitsPerBox: number | null;
  readonly boxesPerCase: number | null; readonly unitsPerCase: number; readonly casesPerPallet: number; readonly pairingRequired: boolean;
}

export type BatchStateName = 'running' | 'paused' | 'closed';

export interface BatchView {
  readonly id: number; readonly productId: string; readonly lot: string; readonly productionDate: string; readonly line: string;
  readonly plannedQty: number | null; readonly state: BatchStateName; readonly startedAt: string; readonly closedAt: string | null;
  readonly closeReason: string | null; readonly closedBy: string | null;
  readonly packages: readonly { readonly uuid: string; readonly kind: string; readonly count: number }[];
}

export interface StartBatchBody {
  readonly productId: string; readonly lot: string; readonly productionDate: string; readonly line: string;
  readonly plannedQty?: number | null; readonly packages: readonly string[];
}

/** Close: without `reason` a batch with unexplained codes is refused (409 SIGNATURE_REQUIRED with the report). */
export interface CloseBatchBody { readonly reason?: string; readonly pin?: string }

/** The reconciliation report, as JSON: exactly edge/store/reconciliation.ts Reconciliation (plain data, no dates). */
export type ReconciliationView = import('../store/reconciliation.ts').Reconciliation;

export interface CloseBatchResult { readonly batch: BatchView; readonly report: ReconciliationView }

export interface AlarmView {
  readonly id: string; readonly kind: string; readonly level: string; readonly message: string; readonly action: string;
  readonly needsAck: boolean; readonly raisedAt: string; readonly clearedAt: string | null; readonly repeats: number;
}

export interface LastReadView {
  readonly at: string;
  /** Secret kinds masked. */
  readonly code: string;
  readonly outcome: 'good' | 'reject' | 'no-read';
  readonly reason: string | null;
}

/** The station status the operator screen shows. `source: 'database'` when no station runs in this process. */
export interface StationStatus {
  readonly source: 'station' | 'database';
  readonly at: string;
  /** The line the station in this process is configured for (batches it starts run on it); null without a station. */
  readonly line: string | null;
  readonly running: boolean;
  readonly batch: BatchView | null;
  readonly counters: { readonly good: number; readonly reject: number; readonly noRead: number; readonly cases: number; readonly pallets: number };
  readonly currentCase: { readonly code: string | null; readonly filled: number; readonly ratio: number } | null;
  readonly currentPallet: { readonly code: string | null; readonly cases: number; readonly ratio: number } | null;
  readonly lastReads: readonly LastReadView[];
  readonly alarms: readonly AlarmView[];
}

/** End pallet: `reason` is required when the pallet is short of its ratio (短垛), else 409 INVALID_STATE. */
export interface EndPalletBody { readonly reason?: string }

export interface EndPalletResult { readonly kind: string; readonly detail?: unknown }

// ─── manual capture (issue 4 §4) ───────────────────────────────────────────────────────────────────────────────

/** Steps of a manual-capture session (edge/aggregation/manual-capture-machine.ts). */
export type CaptureStateName = 'case-children' | 'case-code' | 'pallet-cases' | 'pallet-code' | 'ended';

/** What to scan next (edge/aggregation/manual-capture.ts Prompt); `text` is Chinese first, English in parentheses. */
export type CapturePromptView =
  | { readonly kind: 'children'; readonly childKind: string; readonly have: number; readonly need: number; readonly text: string }
  | { readonly kind: 'case-code'; readonly children: number; readonly text: string }
  | { readonly kind: 'case-codes'; readonly have: number; readonly need: number; readonly text: string }
  | { readonly kind: 'pallet-code'; readonly cases: number; readonly need: number; readonly short: boolean; readonly text: string }
  | { readonly kind: 'ended'; readonly text: string };

/**
 * Why a scan was refused: a case-station reason (`duplicate`, `foreign`, … as in RejectView findings), a scan at
 * the wrong step (`wrong-step`: a bottle code where the case code is due) or a control scan not allowed now
 * (`not-now`); or the store refused the commit (an ApiErrorCode: `CONFLICT` when the automatic station took one of
 * the codes first, `INVALID_STATE` when the batch no longer runs, …).
 */
export type CaptureRefuseReason =
  | 'no-read' | 'missing' | 'excess' | 'foreign' | 'wrong' | 'duplicate' | 'unpaired' | 'unusable' | 'case-code'
  | 'wrong-step' | 'not-now' | ApiErrorCode;

/** What one scan did. `code` is the scan as it may be shown (secret kinds masked); `message` says it in Chinese first. */
export type CaptureOutcomeView =
  | { readonly kind: 'accepted'; readonly action: 'child-added' | 'control' | 'case-committed' | 'stacked' | 'pallet-committed'; readonly code: string | null; readonly message: string; readonly by: string; readonly at: string }
  | { readonly kind: 'refused'; readonly reason: CaptureRefuseReason; readonly code: string | null; readonly message: string; readonly by: string; readonly at: string };

/** One open manual-capture session (at most one per batch, in the API process's memory). */
export interface CaptureView {
  readonly batchId: number;
  readonly state: CaptureStateName;
  readonly prompt: CapturePromptView;
  /** The half case's child codes in scan order, as shown (outer codes; any secret kind masked). Not committed yet. */
  readonly children: readonly string[];
  /** Case codes on the pallet being built (persisted on the stack as they are scanned). */
  readonly cases: readonly string[];
  /** The pallet was ended below its ratio (#END): a short pallet. */
  readonly short: boolean;
  readonly stackId: number | null;
  /** Child kind of a case (`cap-outer`, or `box` for a product with a box level), and the ratios. */
  readonly childKind: string;
  readonly unitsPerCase: number;
  readonly casesPerPallet: number;
  readonly tally: { readonly cases: number; readonly pallets: number; readonly refused: number };
  readonly startedBy: { readonly id: string; readonly name: string };
  readonly startedAt: string;
  readonly last: CaptureOutcomeView | null;
}

/** One scan from a handheld scanner: a code, or a control scan (#CASE #PALLET #END #CLEAR). */
export interface CaptureScanBody { readonly scan: string }

export interface CaptureScanResult { readonly outcome: CaptureOutcomeView; readonly capture: CaptureView }

export interface CaptureEndResult {
  readonly batchId: number;
  /** Child codes of a half case that were dropped (never committed). */
  readonly halfCaseDropped: number;
  /** The pallet stack set aside for the pallet station to resume; null when none was started. */
  readonly parkedStack: number | null;
  readonly tally: CaptureView['tally'];
  readonly message: string;
}

export interface CodeQueryBody { readonly code: string }

/** edge/store/query.ts CodeHistory (every secret code masked by the store), as JSON. */
export type CodeHistoryView = import('../store/query.ts').CodeHistory;

export interface RejectView {
  readonly id: number; readonly batchId: number; readonly station: string; readonly at: string; readonly reason: number;
  readonly findings: readonly { readonly reason: string; readonly code?: string; readonly detail: string }[];
  readonly read: { readonly childCodes: readonly string[]; readonly caseCode: string | null; readonly noRead: boolean };
  readonly confirm: string; readonly reworked: boolean;
}

/** Every rework body carries the signature: the session user's PIN again and a reason. */
export interface SignedBody { readonly pin: string; readonly reason: string }

export type ReworkBodies = {
  readonly reworkRemove: SignedBody & { readonly code: string };
  readonly reworkAdd: SignedBody & { readonly container: string; readonly code: string };
  readonly reworkReplace: SignedBody & { readonly oldCode: string; readonly newCode: string };
  readonly reworkRelabel: SignedBody & { readonly oldCode: string; readonly newCode: string };
  readonly reworkMove: SignedBody & { readonly fromCase: string; readonly toCase: string };
  readonly reworkBreakPallet: SignedBody & { readonly pallet: string };
  readonly reworkDestroy: SignedBody & { readonly codes: readonly string[]; readonly withContents?: boolean };
  readonly reworkSample: SignedBody & { readonly codes: readonly string[] };
  readonly reworkRepack: SignedBody & { readonly caseCode: string; readonly codes: readonly string[] };
};

export interface ReworkResultView {
  readonly action: string; readonly result: unknown; readonly auditSeq: number; readonly events: number;
  readonly signedBy: { readonly userId: string; readonly name: string; readonly role: ApiRole }; readonly signedAt: string;
}

export interface DeviceView {
  readonly id: string;
  readonly role: string;
  readonly class: 'printer' | 'reader' | 'plc';
  readonly driver: string;
  readonly endpoint: string;
  readonly probe: boolean;
}

export type ProbeResultView =
  | { readonly ok: true; readonly deviceId: string; readonly elapsedMs: number; readonly detail: unknown }
  | { readonly ok: false; readonly deviceId: string; readonly elapsedMs: number; readonly code: string; readonly reason: string };

/**
 * The outcome of one device test (the IT screen's test button). A printer prints one test code
 * (`WUMA-TEST-<time>`, never a code from the database) and reports its confirmation; a reader is triggered once
 * and reports what it read, every code masked (`N7K2…Q9`: an unknown read may be an inner code). `failed` =
 * the test could not run (not testable from here, offline, no reply); `code` is the driver's error code.
 */
export type DeviceTestView =
  | { readonly kind: 'printed'; readonly deviceId: string; readonly elapsedMs: number; readonly testCode: string }
  | { readonly kind: 'rejected'; readonly deviceId: string; readonly elapsedMs: number; readonly testCode: string; readonly reason: string; readonly detail: string }
  | { readonly kind: 'unknown'; readonly deviceId: string; readonly elapsedMs: number; readonly testCode: string; readonly detail: string }
  | { readonly kind: 'read'; readonly deviceId: string; readonly elapsedMs: number; readonly codes: readonly { readonly text: string; readonly symbology: string }[] }
  | { readonly kind: 'no-read'; readonly deviceId: string; readonly elapsedMs: number; readonly cause: string }
  | { readonly kind: 'failed'; readonly deviceId: string; readonly elapsedMs: number; readonly code: string; readonly reason: string };

export interface PackageView {
  readonly uuid: string; readonly kind: string; readonly productId: string | null; readonly supplier: string | null;
  readonly source: string; readonly count: number; readonly state: string; readonly createdAt: string; readonly finishedAt: string | null;
}

export interface ImportPackageQuery {
  readonly kind?: string; readonly productId?: string; readonly supplier?: string; readonly importId?: string;
  readonly count?: number; readonly sha256?: string; readonly fileName?: string;
}

export interface ImportPackageResult {
  readonly importId: string; readonly ok: boolean; readonly packageUuid: string | null; readonly stored: number; readonly report: unknown;
}

export interface SyncStatusView {
  readonly counts: { readonly pending: number; readonly confirmed: number; readonly quarantined: number };
  readonly oldestPendingAt: string | null; readonly lastSuccessAt: string | null;
  readonly sender: { readonly state: string; readonly at: string; readonly detail: string } | null;
  readonly quarantined: readonly { readonly id: number; readonly eventId: string; readonly eventType: string; readonly createdAt: string; readonly batchId: number | null; readonly pallet: string | null; readonly attempts: number; readonly reason: string }[];
  readonly pallets: readonly { readonly pallet: string; readonly events: number; readonly confirmed: number; readonly pending: number; readonly quarantined: number; readonly confirmedByHeadquarters: boolean }[];
}

export interface SeriesPoint {
  /** Bucket start, ISO 8601. */
  readonly at: string;
  readonly cases: number;
  readonly rejects: number;
  readonly noReads: number;
  /** Triggers with a good read / all triggers in the bucket (null when there were none). */
  readonly readRate: number | null;
}

export interface SeriesView { readonly bucketSeconds: number; readonly from: string; readonly to: string; readonly points: readonly SeriesPoint[] }

/** Inputs and outputs per operation: `params` (path), `query`, `body`, `response`. */
export interface ApiContract extends WarehouseContract {
  login: { body: LoginBody; response: SessionInfo };
  logout: { response: { ok: true } };
  me: { response: SessionInfo };
  listProducts: { response: { products: readonly ProductView[] } };
  listBatches: { query?: { limit?: number }; response: { batches: readonly BatchView[] } };
  getBatch: { params: { batchId: number }; response: BatchView };
  startBatch: { body: StartBatchBody; response: BatchView };
  pauseBatch: { params: { batchId: number }; response: BatchView };
  resumeBatch: { params: { batchId: number }; response: BatchView };
  closeBatch: { params: { batchId: number }; body: CloseBatchBody; response: CloseBatchResult };
  batchReport: { params: { batchId: number }; query?: { format?: 'json' | 'csv' | 'pdf' }; response: ReconciliationView };
  status: { response: StationStatus };
  endPallet: { body: EndPalletBody; response: EndPalletResult };
  getCapture: { params: { batchId: number }; response: { capture: CaptureView | null } };
  startCapture: { params: { batchId: number }; response: CaptureView };
  captureScan: { params: { batchId: number }; body: CaptureScanBody; response: CaptureScanResult };
  endCapture: { params: { batchId: number }; response: CaptureEndResult };
  queryCode: { body: CodeQueryBody; response: { found: boolean; history: CodeHistoryView | null } };
  listRejects: { query?: { batchId?: number; limit?: number }; response: { rejects: readonly RejectView[] } };
  reworkRemove: { body: ReworkBodies['reworkRemove']; response: ReworkResultView };
  reworkAdd: { body: ReworkBodies['reworkAdd']; response: ReworkResultView };
  reworkReplace: { body: ReworkBodies['reworkReplace']; response: ReworkResultView };
  reworkRelabel: { body: ReworkBodies['reworkRelabel']; response: ReworkResultView };
  reworkMove: { body: ReworkBodies['reworkMove']; response: ReworkResultView };
  reworkBreakPallet: { body: ReworkBodies['reworkBreakPallet']; response: ReworkResultView };
  reworkDestroy: { body: ReworkBodies['reworkDestroy']; response: ReworkResultView };
  reworkSample: { body: ReworkBodies['reworkSample']; response: ReworkResultView };
  reworkRepack: { body: ReworkBodies['reworkRepack']; response: ReworkResultView };
  listDevices: { response: { devices: readonly DeviceView[] } };
  probeDevice: { params: { deviceId: string }; response: ProbeResultView };
  testDevice: { params: { deviceId: string }; response: DeviceTestView };
  listPackages: { response: { packages: readonly PackageView[] } };
  importPackage: { query: ImportPackageQuery; upload: true; response: ImportPackageResult };
  syncStatus: { response: SyncStatusView };
  series: { query?: { minutes?: number; bucketSeconds?: number }; response: SeriesView };
  openapi: { response: Readonly<Record<string, unknown>> };
}

// ─── WebSocket push (/api/ws) ──────────────────────────────────────────────────────────────────────────────────

export const PUSH_TOPICS = ['status', 'batch', 'alarm', 'reject', 'sync', 'import', 'session', 'capture'] as const;
export type PushTopic = (typeof PUSH_TOPICS)[number];

/** Server → client messages, one JSON object per WebSocket text frame. `seq` rises by one per connection. */
export type PushMessage =
  | { readonly type: 'hello'; readonly seq: number; readonly at: string; readonly topics: readonly PushTopic[] }
  | { readonly type: 'status'; readonly seq: number; readonly at: string; readonly status: StationStatus }
  | { readonly type: 'batch'; readonly seq: number; readonly at: string; readonly batch: BatchView; readonly change: 'start' | 'pause' | 'resume' | 'close' | 'update' }
  | { readonly type: 'alarm'; readonly seq: number; readonly at: string; readonly alarms: readonly AlarmView[] }
  | { readonly type: 'reject'; readonly seq: number; readonly at: string; readonly reject: RejectView }
  | { readonly type: 'sync'; readonly seq: number; readonly at: string; readonly counts: SyncStatusView['counts'] }
  | { readonly type: 'import'; readonly seq: number; readonly at: string; readonly importId: string; readonly linesRead: number; readonly bytesReceived: number; readonly phase: 'upload' | 'verify' | 'done' | 'failed' }
  | { readonly type: 'session'; readonly seq: number; readonly at: string; readonly event: 'expired' | 'logout' }
  /** A manual-capture session of `batchId` changed (a scan, a start); `capture: null` when it ended. */
  | { readonly type: 'capture'; readonly seq: number; readonly at: string; readonly batchId: number; readonly capture: CaptureView | null };

export type PushType = PushMessage['type'];

/** Client → server: choose topics (default: all). */
export type PushCommand = { readonly type: 'subscribe'; readonly topics: readonly PushTopic[] };

/** WebSocket sub-protocol a browser may use to carry the token where it cannot set headers: `wuma-token.<token>`. */
export const TOKEN_SUBPROTOCOL_PREFIX = 'wuma-token.';
/** Likewise for the session id on a WebSocket: `wuma-session.<id>` (for `session` pushes to that session only). */
export const SESSION_SUBPROTOCOL_PREFIX = 'wuma-session.';
/** The sub-protocol the server selects (the token/session ones are never echoed back). */
export const PUSH_PROTOCOL = 'wuma.v1';
export const TOKEN_COOKIE = 'wuma_token';
export const SESSION_COOKIE = 'wuma_session';
export const SESSION_HEADER = 'x-wuma-session';
