/**
 * A real HTTP server implementing the GitHub REST endpoints the Action calls, with state
 * (comments, pull requests) and a log of every request. The bundled Action talks to it through
 * GITHUB_API_URL exactly as it talks to api.github.com.
 */
import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
  authorization: string | undefined;
}

export interface StoredComment {
  id: number;
  issue: number;
  body: string;
  login: string;
}

export interface FakePullRequest {
  number: number;
  state: "open" | "closed";
  merged_at: string | null;
  merge_commit_sha: string | null;
  head: { sha: string };
  labels?: { name: string }[];
}

/** A request to fail on purpose: an HTTP status, or `network` (the connection is dropped). */
export interface InjectedFailure {
  method: string;
  path: RegExp;
  status: number | "network";
}

export interface GitHubServerOptions {
  owner: string;
  repo: string;
  token: string;
  /**
   * Login of the token's user for GET /user; null = an installation token (403, writes as
   * `botLogin`). GraphQL's `viewer` names the writer either way, as GitHub's does.
   */
  userLogin: string | null;
  /** Who an installation token writes as: github-actions[bot] (GITHUB_TOKEN) or a GitHub App, `my-app[bot]`. */
  botLogin?: string;
  /** A fork PR's token: reads work, writes get 403 "Resource not accessible by integration". */
  readOnly?: boolean;
}

export class GitHubServer {
  readonly requests: RecordedRequest[] = [];
  readonly comments: StoredComment[] = [];
  /** commit sha → pull requests associated with it. */
  readonly commitPulls = new Map<string, FakePullRequest[]>();
  /** Requests answered with a failure instead (still recorded). */
  readonly failures: InjectedFailure[] = [];
  private nextId = 1000;
  private server: Server | null = null;
  url = "";

  constructor(readonly options: GitHubServerOptions) {}

  /** The login comments are written as (what GitHub would record). */
  get writerLogin(): string {
    return this.options.userLogin ?? this.options.botLogin ?? "github-actions[bot]";
  }

  addComment(issue: number, body: string, login: string): StoredComment {
    const c = { id: this.nextId++, issue, body, login };
    this.comments.push(c);
    return c;
  }

  commentsOn(issue: number): StoredComment[] {
    return this.comments.filter((c) => c.issue === issue);
  }

  /** Requests other than reads (a GraphQL query is a POST that reads). */
  writes(): RecordedRequest[] {
    return this.requests.filter((r) => r.method !== "GET" && r.path !== "/graphql");
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      void this.handle(req, res).catch((err: unknown) => {
        send(res, 500, { message: String(err) });
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    const { port } = this.server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", this.url);
    const text = await readBody(req);
    const body: unknown = text ? JSON.parse(text) : null;
    this.requests.push({
      method: req.method ?? "GET",
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      body,
      authorization: req.headers.authorization,
    });
    const failure = this.failures.find((f) => f.method === req.method && f.path.test(url.pathname));
    if (failure?.status === "network") {
      req.socket.destroy();
      return;
    }
    if (failure) return send(res, failure.status, { message: `injected failure ${failure.status}` });
    if (req.headers.authorization !== `token ${this.options.token}`) {
      return send(res, 401, { message: "Bad credentials" });
    }
    const { owner, repo } = this.options;
    const prefix = `/repos/${owner}/${repo}`;
    const path = url.pathname;
    let m: RegExpMatchArray | null;

    if (req.method === "GET" && path === "/user") {
      if (this.options.userLogin === null)
        return send(res, 403, { message: "Resource not accessible by integration" });
      return send(res, 200, { login: this.options.userLogin, id: 1, type: "User" });
    }
    if (req.method === "POST" && path === "/graphql") {
      // Only the query the Action sends; GraphQL answers 200 with `errors` for anything else.
      const query = (body as { query?: unknown } | null)?.query;
      if (typeof query === "string" && /^\s*query\s*\{\s*viewer\s*\{\s*login\s*\}\s*\}\s*$/.test(query))
        return send(res, 200, { data: { viewer: { login: this.writerLogin } } });
      return send(res, 200, { data: null, errors: [{ message: `unsupported query: ${String(query)}` }] });
    }
    if ((m = path.match(/^\/repos\/([^/]+)\/([^/]+)\/(.*)$/)) && `/repos/${m[1]}/${m[2]}` !== prefix) {
      return send(res, 404, { message: "Not Found" });
    }
    if (this.options.readOnly && req.method !== "GET") {
      return send(res, 403, { message: "Resource not accessible by integration" });
    }
    if ((m = path.match(new RegExp(`^${prefix}/issues/(\\d+)/comments$`)))) {
      const issue = Number(m[1]);
      if (req.method === "GET") return this.listComments(res, url, issue);
      if (req.method === "POST") {
        if (tooLong(body))
          return send(res, 422, {
            message: "Validation Failed: body is too long (maximum is 65536 characters)",
          });
        const c = this.addComment(issue, bodyText(body), this.writerLogin);
        return send(res, 201, toApi(c));
      }
    }
    if ((m = path.match(new RegExp(`^${prefix}/issues/comments/(\\d+)$`))) && req.method === "PATCH") {
      const c = this.comments.find((x) => x.id === Number(m![1]));
      if (!c) return send(res, 404, { message: "Not Found" });
      if (c.login !== this.writerLogin)
        return send(res, 403, { message: "Must have admin rights to Repository." });
      if (tooLong(body))
        return send(res, 422, {
          message: "Validation Failed: body is too long (maximum is 65536 characters)",
        });
      c.body = bodyText(body);
      return send(res, 200, toApi(c));
    }
    if ((m = path.match(new RegExp(`^${prefix}/commits/([0-9a-f]+)/pulls$`))) && req.method === "GET") {
      return send(res, 200, this.commitPulls.get(m[1]!) ?? []);
    }
    return send(res, 404, { message: "Not Found" });
  }

  private listComments(res: ServerResponse, url: URL, issue: number): void {
    const perPage = Math.min(Number(url.searchParams.get("per_page") ?? 30), 100);
    const page = Number(url.searchParams.get("page") ?? 1);
    const all = this.commentsOn(issue);
    const last = Math.max(1, Math.ceil(all.length / perPage));
    const slice = all.slice((page - 1) * perPage, page * perPage);
    const link = (p: number, rel: string): string => {
      const u = new URL(url.pathname, this.url);
      u.searchParams.set("per_page", String(perPage));
      u.searchParams.set("page", String(p));
      return `<${u.toString()}>; rel="${rel}"`;
    };
    const links: string[] = [];
    if (page < last) links.push(link(page + 1, "next"), link(last, "last"));
    if (page > 1) links.push(link(1, "first"), link(page - 1, "prev"));
    send(res, 200, slice.map(toApi), links.length > 0 ? { link: links.join(", ") } : {});
  }
}

function toApi(c: StoredComment): object {
  return {
    id: c.id,
    body: c.body,
    user: { login: c.login, type: c.login.endsWith("[bot]") ? "Bot" : "User" },
  };
}

/** GitHub's limit on issue comment bodies. */
export const GITHUB_COMMENT_LIMIT = 65_536;

function bodyText(body: unknown): string {
  if (typeof body === "object" && body !== null && "body" in body && typeof body.body === "string")
    return body.body;
  throw new Error("request without a body string");
}

function tooLong(body: unknown): boolean {
  return [...bodyText(body)].length > GITHUB_COMMENT_LIMIT;
}

function send(
  res: ServerResponse,
  status: number,
  payload: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
  res.end(JSON.stringify(payload));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}
