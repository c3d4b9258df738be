import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GitHubApiError, OctokitGitHubClient } from "../../src/action/github-client.js";
import { GitHubServer } from "./github-server.js";

const TOKEN = "t-123";
const servers: GitHubServer[] = [];

async function start(opts: {
  userLogin: string | null;
  readOnly?: boolean;
  botLogin?: string;
}): Promise<GitHubServer> {
  const server = new GitHubServer({ owner: "acme", repo: "features", token: TOKEN, ...opts });
  await server.start();
  servers.push(server);
  return server;
}

beforeAll(() => {
  // The runner's proxy settings would route the local server through a proxy.
  delete process.env["HTTPS_PROXY"];
  delete process.env["HTTP_PROXY"];
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
});

describe("OctokitGitHubClient against a local GitHub API", () => {
  it("lists every page of comments, oldest first, following Link headers", async () => {
    const server = await start({ userLogin: "me" });
    for (let i = 0; i < 230; i++) server.addComment(3, `c${i}`, i % 2 ? "a" : "b");
    server.addComment(4, "other issue", "a");
    const client = new OctokitGitHubClient(TOKEN, server.url, "acme", "features");
    const comments = await client.listIssueComments(3);
    expect(comments.map((c) => c.body)).toEqual(Array.from({ length: 230 }, (_, i) => `c${i}`));
    expect(comments[1]!.author).toBe("a");
    const pages = server.requests.filter((r) => r.path === "/repos/acme/features/issues/3/comments");
    expect(pages.map((r) => r.query["page"] ?? "1")).toEqual(["1", "2", "3"]);
    expect(pages.every((r) => r.authorization === `token ${TOKEN}`)).toBe(true);
  });

  it("creates and updates comments, and lists the pull requests of a commit", async () => {
    const server = await start({ userLogin: "me" });
    server.commitPulls.set("abc123", [
      {
        number: 9,
        state: "closed",
        merged_at: "2026-01-01T00:00:00Z",
        merge_commit_sha: "abc123",
        head: { sha: "def456" },
      },
    ]);
    const client = new OctokitGitHubClient(TOKEN, server.url, "acme", "features");
    const created = await client.createIssueComment(9, "hello");
    const updated = await client.updateIssueComment(created.id, "hello again");
    expect(updated).toEqual({ id: created.id, body: "hello again", author: "me", authorType: "User" });
    expect(server.commentsOn(9)).toHaveLength(1);
    expect(await client.listPullRequestsForCommit("abc123")).toEqual([
      {
        number: 9,
        state: "closed",
        mergedAt: "2026-01-01T00:00:00Z",
        mergeCommitSha: "abc123",
        headSha: "def456",
        labels: [],
      },
    ]);
    expect(await client.listPullRequestsForCommit("0000000")).toEqual([]);
  });

  it("names the login: GET /user for personal tokens, GraphQL's viewer for installation tokens", async () => {
    const pat = await start({ userLogin: "octocat" });
    expect(await new OctokitGitHubClient(TOKEN, pat.url, "acme", "features").authenticatedLogin()).toEqual({
      login: "octocat",
      problem: null,
    });
    expect(pat.requests.map((r) => `${r.method} ${r.path}`)).toEqual(["GET /user"]);

    const app = await start({ userLogin: null, botLogin: "my-app[bot]" });
    expect(await new OctokitGitHubClient(TOKEN, app.url, "acme", "features").authenticatedLogin()).toEqual({
      login: "my-app[bot]",
      problem: null,
    });
    expect(app.requests.map((r) => `${r.method} ${r.path}`)).toEqual(["GET /user", "POST /graphql"]);
    expect(app.requests[1]!.authorization).toBe(`token ${TOKEN}`);
  });

  it("no login (never a guess) when neither answers, with the failure that matters", async () => {
    const app = await start({ userLogin: null });
    app.failures.push({ method: "POST", path: /^\/graphql$/, status: 502 });
    const who = await new OctokitGitHubClient(TOKEN, app.url, "acme", "features").authenticatedLogin();
    expect(who.login).toBeNull();
    // GET /user's 403 is what installation tokens always get: the viewer query's failure is reported.
    expect(who.problem?.message).toMatch(/^GitHub API: GraphQL viewer failed \(HTTP 502\)/);

    const down = await start({ userLogin: "me" });
    down.failures.push({ method: "GET", path: /^\/user$/, status: 500 });
    down.failures.push({ method: "POST", path: /^\/graphql$/, status: 500 });
    const none = await new OctokitGitHubClient(TOKEN, down.url, "acme", "features").authenticatedLogin();
    expect(none.login).toBeNull();
    expect(none.problem?.message).toMatch(/^GitHub API: get authenticated user failed \(HTTP 500\)/);
  });

  it("reports a network error as a network error, not as HTTP 500", async () => {
    const server = await start({ userLogin: "me" });
    const url = server.url;
    await server.stop();
    const client = new OctokitGitHubClient(TOKEN, url, "acme", "features");
    const err = await client.listIssueComments(1).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GitHubApiError);
    expect((err as GitHubApiError).status).toBeNull();
    expect((err as GitHubApiError).message).toMatch(
      /^GitHub API: list comments failed: network error: .*ECONNREFUSED/,
    );
    const who = await client.authenticatedLogin();
    expect(who.login).toBeNull();
    expect(who.problem?.message).toMatch(/network error/);
  });

  it("reports failures with the operation and HTTP status", async () => {
    const server = await start({ userLogin: null, readOnly: true });
    const client = new OctokitGitHubClient(TOKEN, server.url, "acme", "features");
    const err = await client.createIssueComment(1, "x").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GitHubApiError);
    expect((err as GitHubApiError).status).toBe(403);
    expect((err as GitHubApiError).message).toMatch(
      /^GitHub API: create comment failed \(HTTP 403\): Resource not accessible/,
    );
    const bad = new OctokitGitHubClient("wrong", server.url, "acme", "features");
    await expect(bad.listIssueComments(1)).rejects.toMatchObject({ status: 401 });
    await expect(client.updateIssueComment(999, "x")).rejects.toMatchObject({ status: 403 });
  });
});
