import { getOctokit } from "@actions/github";

export interface IssueComment {
  id: number;
  body: string;
  /** Login of the author; null for a deleted account. */
  author: string | null;
}

export interface PullRequestRef {
  number: number;
  state: string;
  mergedAt: string | null;
  mergeCommitSha: string | null;
  headSha: string;
}

/** The GitHub REST calls fsops makes; everything the Action does on GitHub goes through here. */
export interface GitHubClient {
  /** Every comment of the issue or pull request, oldest first (all pages). */
  listIssueComments(issue: number): Promise<IssueComment[]>;
  createIssueComment(issue: number, body: string): Promise<IssueComment>;
  updateIssueComment(commentId: number, body: string): Promise<IssueComment>;
  /**
   * Login the token acts as, so the sticky comment is only ever one this token wrote.
   * `GET /user` answers for personal tokens; the workflow's GITHUB_TOKEN (an app installation
   * token) gets 403 there and always writes as `github-actions[bot]`.
   */
  authenticatedLogin(): Promise<string>;
  /** Pull requests associated with a commit (`GET /repos/{o}/{r}/commits/{sha}/pulls`). */
  listPullRequestsForCommit(sha: string): Promise<PullRequestRef[]>;
}

export const GITHUB_ACTIONS_BOT = "github-actions[bot]";

/** A GitHub API call that failed; `status` lets callers tell "no permission" from "down". */
export class GitHubApiError extends Error {
  constructor(
    readonly operation: string,
    readonly status: number | null,
    detail: string,
  ) {
    super(`GitHub API: ${operation} failed${status === null ? "" : ` (HTTP ${status})`}: ${detail}`);
    this.name = "GitHubApiError";
  }
}

interface RawComment {
  id: number;
  body?: string | null;
  user?: { login: string } | null;
}

/** The real client: Octokit from @actions/github against `apiUrl` (GITHUB_API_URL, so GHES works too). */
export class OctokitGitHubClient implements GitHubClient {
  private readonly octokit: ReturnType<typeof getOctokit>;

  constructor(
    token: string,
    apiUrl: string,
    private readonly owner: string,
    private readonly repo: string,
  ) {
    this.octokit = getOctokit(token, { baseUrl: apiUrl });
  }

  async listIssueComments(issue: number): Promise<IssueComment[]> {
    const raw = await call("list comments", () =>
      this.octokit.paginate(this.octokit.rest.issues.listComments, {
        owner: this.owner,
        repo: this.repo,
        issue_number: issue,
        per_page: 100,
      }),
    );
    return raw.map(toComment);
  }

  async createIssueComment(issue: number, body: string): Promise<IssueComment> {
    const res = await call("create comment", () =>
      this.octokit.rest.issues.createComment({
        owner: this.owner,
        repo: this.repo,
        issue_number: issue,
        body,
      }),
    );
    return toComment(res.data);
  }

  async updateIssueComment(commentId: number, body: string): Promise<IssueComment> {
    const res = await call("update comment", () =>
      this.octokit.rest.issues.updateComment({
        owner: this.owner,
        repo: this.repo,
        comment_id: commentId,
        body,
      }),
    );
    return toComment(res.data);
  }

  async authenticatedLogin(): Promise<string> {
    try {
      const res = await this.octokit.rest.users.getAuthenticated();
      return res.data.login;
    } catch (err) {
      const status = statusOf(err);
      // Installation tokens (GITHUB_TOKEN) cannot read /user: 403 "Resource not accessible by integration".
      if (status === 403 || status === 401) return GITHUB_ACTIONS_BOT;
      throw new GitHubApiError("get authenticated user", status, messageOf(err));
    }
  }

  async listPullRequestsForCommit(sha: string): Promise<PullRequestRef[]> {
    const res = await call("list pull requests for commit", () =>
      this.octokit.rest.repos.listPullRequestsAssociatedWithCommit({
        owner: this.owner,
        repo: this.repo,
        commit_sha: sha,
      }),
    );
    return res.data.map((pr) => ({
      number: pr.number,
      state: pr.state,
      mergedAt: pr.merged_at ?? null,
      mergeCommitSha: pr.merge_commit_sha ?? null,
      headSha: pr.head.sha,
    }));
  }
}

function toComment(raw: RawComment): IssueComment {
  return { id: raw.id, body: raw.body ?? "", author: raw.user?.login ?? null };
}

async function call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw new GitHubApiError(operation, statusOf(err), messageOf(err));
  }
}

function statusOf(err: unknown): number | null {
  if (typeof err === "object" && err !== null && "status" in err && typeof err.status === "number") {
    return err.status;
  }
  return null;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
