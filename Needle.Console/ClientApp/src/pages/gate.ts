import { confirmAction } from "../confirm";
import { ApiError } from "../lib/api";
import { h } from "../lib/dom";
import { formatAgo } from "../lib/format";
import type { TestCaseResult, VersionSummary } from "../lib/types";

/** A change the quality gate refused (422 "Tests failed"), with its failing cases. */
export class CasesFailed extends Error {
  constructor(
    message: string,
    readonly failures: TestCaseResult[],
  ) {
    super(message);
  }
}

/** The refusal inside an API error, or null when the error is something else. */
export function casesFailedOf(error: unknown): CasesFailed | null {
  if (error instanceof CasesFailed) return error;
  return error instanceof ApiError && error.status === 422 && error.problem.failures ? new CasesFailed(error.message, error.problem.failures) : null;
}

/**
 * The explicit skip: asks whether to deploy anyway without running the cases. The reason is required (the dialog
 * refuses an empty one); it goes into the tests-skipped audit event. Resolves with the reason, or null when cancelled.
 */
export async function askToSkip(fn: string, failed: CasesFailed): Promise<string | null> {
  const confirmed = await confirmAction(
    "Deploy without its test cases?",
    `${failed.failures.length} test case${failed.failures.length === 1 ? "" : "s"} of ${fn} failed (shown beside the source). ` +
      "For an emergency only: the cases do not run, and the skip is audited as tests-skipped with your reason and shown on the version.",
    [],
    "Deploy, skipping the cases",
  );
  return confirmed ? confirmed.reason.trim() : null;
}

/** The badge of a version that took a role without its cases running, or null. */
export function skippedBadge(v: VersionSummary | undefined): HTMLElement | null {
  const last = v?.testsSkipped?.[0];
  if (!v || !last) return null;
  const title = `v${v.number} took a role without its test cases running (${last.route}, by ${last.actor} ${formatAgo(last.at)}): ${last.reason ?? ""}`;
  return h("span", { class: "badge skipped", title, "data-testid": "tests-skipped-badge" }, "cases skipped");
}
