// The control plane's JSON shapes (camelCase, as ASP.NET writes them). Only what the console reads.

export interface FallbackResponse {
  status: number;
  body?: string | null;
  contentType?: string | null;
  headers?: Record<string, string> | null;
}

export interface ReleaseRecord {
  id: number;
  function: string;
  stableVersion: number;
  canaryVersion: number | null;
  canaryWeight: number;
  action: string;
  revision: number;
  actor: string;
  reason: string | null;
  createdAt: string;
  pins?: string[] | null;
  killSwitch?: FallbackResponse | null;
}

export interface FunctionSummary {
  name: string;
  route: string | null;
  methods: string[] | null;
  runtime: string | null;
  latestVersion: number;
  release: ReleaseRecord | null;
  serving: string | null;
  loadError: string | null;
}

export interface VersionSummary {
  number: number;
  contentHash: string;
  author: string;
  createdAt: string;
  parent: number | null;
  /** Each time the version took a role without its test cases running (skipTests), newest first. */
  testsSkipped?: SkippedTests[];
}

export interface SkippedTests {
  at: string;
  actor: string;
  route: string;
  reason: string | null;
  auditId: number;
}

export interface FunctionDetail {
  function: FunctionSummary;
  versions: VersionSummary[];
}

export interface Manifest {
  name?: string;
  route?: string | null;
  methods?: string[] | null;
  runtime?: string | null;
  limits?: Record<string, number> | null;
  config?: Record<string, unknown> | null;
  services?: string[] | null;
  tests?: unknown[] | null;
}

/** One expectation of a test case that did not hold. */
export interface TestMismatch {
  field: string;
  expected: string | null;
  actual: string | null;
}

/** One test case's result (the quality stage). */
export interface TestCaseResult {
  name: string;
  passed: boolean;
  mismatches: TestMismatch[];
  actual: InvokeResponse;
}

/** A version's test run: POST .../versions/{n}/test, or the failures of a 422. */
export interface TestRunResponse {
  function: string;
  version: number;
  passed: boolean;
  cached: boolean;
  failed: number;
  durationMs: number;
  cases: TestCaseResult[];
}

export interface FunctionVersion {
  function: string;
  number: number;
  source: string;
  manifest: Manifest;
  contentHash: string;
  author: string;
  createdAt: string;
  parentNumber: number | null;
}

export interface DeployResponse {
  function: string;
  version: number;
  contentHash: string;
  active: boolean;
  revision: number;
  unchanged: boolean;
  /** Compiler warnings of a C# source that compiled (empty for JavaScript). */
  warnings?: Diagnostic[];
}

export interface LogEntry {
  level: string;
  message: string;
  at: string;
}

export interface InvokeResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
  durationMs: number;
  logs: LogEntry[];
  error: string | null;
}

export interface Diagnostic {
  message: string;
  line: number;
  column: number;
  severity: string;
  /** The compiler's id, for example CS0168, when the compiler found it. */
  code?: string;
}

export interface AuditEvent {
  id: number;
  at: string;
  actor: string;
  action: string;
  function: string | null;
  version: number | null;
  revision: number | null;
  reason: string | null;
  detail: string | null;
}

export interface NodeFunction {
  name: string;
  stableVersion: number;
  canaryVersion: number | null;
  killSwitchOn: boolean;
}

export interface NodeRecord {
  nodeId: string;
  revision: number;
  updatedAt: string;
  heartbeatAgeSeconds: number;
  live: boolean;
  state: "live" | "gone";
  functions: NodeFunction[];
}

export interface WindowStats {
  window: string;
  seconds: number;
  requests: number;
  errors: number;
  rate: number;
  errorRatio: number;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
}

export interface ErrorReport {
  message: string;
  at: string;
  outcome?: string;
}

export interface VersionHealth {
  function: string;
  version: number;
  role: string;
  windows: WindowStats[];
  lastError: ErrorReport | null;
}

export interface FunctionHealth {
  function: string;
  stableVersion: number | null;
  canaryVersion: number | null;
  windows: WindowStats[];
  lastError: ErrorReport | null;
  versions: VersionHealth[];
}

export interface HealthSummary {
  at: string;
  nodeId: string;
  /** Only in a node's summary (scope=node). */
  appliedRevision?: number;
  windows: string[];
  functions: FunctionHealth[];
  /** "cluster" when the figures add up every live node's counts (GET /health?scope=cluster). */
  scope?: "node" | "cluster";
  /** The live nodes counted, in the cluster's summary. */
  nodes?: { nodeId: string; publishedAt: string }[];
}

export interface ProblemDetails {
  title?: string;
  detail?: string;
  status?: number;
  diagnostics?: Diagnostic[];
  /** A 422 "Tests failed": each failing case. */
  failures?: TestCaseResult[];
}

/** Needle.Rollback's progressive release (optional endpoint). */
export interface ReleasePlan {
  id: string;
  function: string;
  version: number;
  steps: number[];
  stepIndex: number;
  status: string;
  nextAt: string;
  detail: string | null;
}

/** Needle.Rollback's guard verdict on a canary (optional endpoint GET {api}/guard). */
export interface GuardResult {
  function: string;
  stableVersion: number;
  canaryVersion: number;
  decision: { verdict: number | string; reason: string };
  rolledBack: boolean;
}
