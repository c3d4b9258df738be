import { getOctokit } from "@actions/github";

export interface IssueComment {
  id: number;
  body: string;
  /** Login of the author; null for a deleted account. */
  author: string | null;
  /** `Bot` for GitHub Apps (github-actions[bot], my-app[bot]), `User` for people; null when unknown. */
  authorType: string | null;
}

export interface PullRequestRef {
  number: number;
  state: string;
  mergedAt: string | null;
  mergeCommitSha: string | null;
  headSha: string;
  /** Label names on the pull request (approvals such as `fsops:allow-destroy`). */
  labels: string[];
}

/** The GitHub REST calls fsops makes; everything the Action does on GitHub goes through here. */
export interface GitHubClient {
  /** Every comment of the issue or pull request, oldest first (all pages). */
  listIssueComments(issue: number): Promise<IssueComment[]>;
  createIssueComment(issue: number, body: string): Promise<IssueComment>;
  updateIssueComment(commentId: number, body: string): Promise<IssueComment>;
  /**
   * Login the token acts as, so the sticky comment is only ever one this token wrote.
   * `GET /user` answers for personal tokens; installation tokens (the workflow's GITHUB_TOKEN,
   * GitHub App tokens) get 403 there, and `GET /app` needs the App's JWT, but GraphQL's `viewer`
   * names their bot account (`github-actions[bot]`, `my-app[bot]`). Never throws: when neither
   * answers, the login is null and `problem` says why.
   */
  authenticatedLogin(): Promise<{ login: string | null; problem: GitHubApiError | null }>;
  /** Pull requests associated with a commit (`GET /repos/{o}/{r}/commits/{sha}/pulls`). */
  listPullRequestsForCommit(sha: string): Promise<PullRequestRef[]>;
}

/**
 * A GitHub API call that failed; `status` lets callers tell "no permission" from "down".
 * `status` is null when no HTTP answer came at all (a network error: DNS, refused, reset).
 */
export class GitHubApiError extends Error {
  constructor(
    readonly operation: string,
    readonly status: number | null,
    detail: string,
  ) {
    super(
      `GitHub API: ${operation} failed${status === null ? ": network error" : ` (HTTP ${status})`}: ${detail}`,
    );
    this.name = "GitHubApiError";
  }
}

interface RawComment {
  id: number;
  body?: string | null;
  user?: { login: string; type?: string } | null;
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

  async authenticatedLogin(): Promise<{ login: string | null; problem: GitHubApiError | null }> {
    let rest: GitHubApiError;
    try {
      const res = await this.octokit.rest.users.getAuthenticated();
      return { login: res.data.login, problem: null };
    } catch (err) {
      // Installation tokens cannot read /user: 403 "Resource not accessible by integration".
      rest = new GitHubApiError("get authenticated user", statusOf(err), messageOf(err));
    }
    try {
      const res = await this.octokit.graphql<{ viewer?: { login?: unknown } }>("query { viewer { login } }");
      const login = res.viewer?.login;
      if (typeof login === "string" && login) return { login, problem: null };
      return { login: null, problem: new GitHubApiError("GraphQL viewer", null, "no login in the answer") };
    } catch (err) {
      // A 403 on /user is expected for installation tokens: the viewer query's failure is the news.
      const problem =
        rest.status === 401 || rest.status === 403
          ? new GitHubApiError("GraphQL viewer", statusOf(err), messageOf(err))
          : rest;
      return { login: null, problem };
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
      labels: (pr.labels ?? []).flatMap((l) => (typeof l.name === "string" ? [l.name] : [])),
    }));
  }
}

function toComment(raw: RawComment): IssueComment {
  return {
    id: raw.id,
    body: raw.body ?? "",
    author: raw.user?.login ?? null,
    authorType: raw.user?.type ?? null,
  };
}

async function call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw new GitHubApiError(operation, statusOf(err), messageOf(err));
  }
}

/**
 * The HTTP status of a failed call, or null when no answer came: Octokit reports a network
 * error as status 500 without a `response`, which must not read as "GitHub answered 500".
 */
function statusOf(err: unknown): number | null {
  if (typeof err === "object" && err !== null && "status" in err && typeof err.status === "number") {
    const answered = "response" in err && err.response !== undefined && err.response !== null;
    if (err.status === 500 && !answered) return null;
    return err.status;
  }
  return null;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
