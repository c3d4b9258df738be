import { findStickyComment } from "./comment.js";
import type { GitHubApiError, GitHubClient, IssueComment } from "./github-client.js";

export type UpsertResult =
  { action: "created" | "updated" | "unchanged"; id: number } | { action: "skipped" };

/**
 * The token's login is unknown (GET /user and the GraphQL viewer both failed): no comment can be
 * told to be ours, so none is read, trusted or written (a fresh one on every run would pile up).
 */
export class UnknownAuthorError extends Error {
  constructor(readonly problem: GitHubApiError | null) {
    super(
      `cannot tell which comments this token wrote${problem ? ` (${problem.message})` : ""}, so no fsops comment is read or written`,
    );
    this.name = "UnknownAuthorError";
  }
}

/** The fsops comment this token wrote on the pull request, if any; throws `UnknownAuthorError`. */
export async function readStickyComment(client: GitHubClient, pr: number): Promise<IssueComment | undefined> {
  const [who, comments] = await Promise.all([client.authenticatedLogin(), client.listIssueComments(pr)]);
  if (who.login === null) throw new UnknownAuthorError(who.problem);
  return findStickyComment(comments, who.login);
}

/**
 * Update the sticky comment in place, or create it. With `createIfMissing: false` (comment:
 * changes-only and nothing to show) an existing comment is still updated so it never shows a
 * plan that is no longer true, but no new one is posted.
 */
export async function upsertStickyComment(
  client: GitHubClient,
  pr: number,
  body: string,
  createIfMissing: boolean,
): Promise<UpsertResult> {
  const existing = await readStickyComment(client, pr);
  if (existing) {
    if (existing.body === body) return { action: "unchanged", id: existing.id };
    const updated = await client.updateIssueComment(existing.id, body);
    return { action: "updated", id: updated.id };
  }
  if (!createIfMissing) return { action: "skipped" };
  const created = await client.createIssueComment(pr, body);
  return { action: "created", id: created.id };
}
