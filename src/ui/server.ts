import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { ProjectSnapshot } from "./catalog.js";
import type { Site } from "./pages.js";

export interface UiServerOptions {
  host: string;
  port: number;
  /** Reads every project's registry (state + history). */
  read: () => Promise<ProjectSnapshot[]>;
  /** Renders the site of a set of snapshots (secrets already masked). */
  render: (snapshots: ProjectSnapshot[]) => Site;
  /** How often the registries are polled for a new serial; 0 turns refreshing off. */
  refreshMs: number;
  /**
   * Optional: start watching the registries (LISTEN/NOTIFY, a file watch) and call `changed`
   * when one may have moved, so an apply shows at once rather than at the next poll.
   */
  watch?: (changed: () => void) => { close(): Promise<void> };
  /** Warnings (a registry that could not be read on a refresh); the old site keeps being served. */
  warn: (message: string) => void;
}

export interface UiServer {
  url: string;
  /** Re-reads the registries now and re-renders when a serial or the history moved. */
  refresh(): Promise<boolean>;
  close(): Promise<void>;
}

const CONTENT_TYPES: Record<string, string> = {
  html: "text/html; charset=utf-8",
  css: "text/css; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  json: "application/json; charset=utf-8",
};

/**
 * Serves the registry browser from memory: only the rendered site's own paths exist, so no
 * request can reach the file system. Read-only; every page is regenerated when a registry moves.
 */
export async function startUiServer(options: UiServerOptions): Promise<UiServer> {
  let snapshots = await options.read();
  let site = options.render(snapshots);
  let version = versionOf(snapshots);
  let refreshing: Promise<boolean> | null = null;

  const refresh = (): Promise<boolean> => {
    refreshing ??= (async () => {
      try {
        const next = await options.read();
        const v = versionOf(next);
        if (v === version) return false;
        snapshots = next;
        site = options.render(next);
        version = v;
        return true;
      } catch (err) {
        options.warn(
          `could not re-read a registry (still serving the last one read): ${err instanceof Error ? err.message : String(err)}`,
        );
        return false;
      } finally {
        refreshing = null;
      }
    })();
    return refreshing;
  };

  const server: Server = createServer((req, res) => handle(req, res, site));
  await new Promise<void>((resolveListen, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => resolveListen());
  });
  const timer = options.refreshMs > 0 ? setInterval(() => void refresh(), options.refreshMs) : null;
  timer?.unref();
  const watcher = options.watch?.(() => void refresh()) ?? null;
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}/`,
    refresh,
    close: async () => {
      if (timer) clearInterval(timer);
      await watcher?.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

function handle(req: IncomingMessage, res: ServerResponse, site: Site): void {
  const headers = {
    "content-security-policy":
      "default-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cache-control": "no-cache",
  };
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.writeHead(405, { ...headers, allow: "GET, HEAD", "content-type": "text/plain; charset=utf-8" });
    res.end("read-only: only GET and HEAD\n");
    return;
  }
  let path: string;
  try {
    path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname).replace(/^\/+/, "");
  } catch {
    path = "\u0000";
  }
  if (path === "" || path.endsWith("/")) path += "index.html";
  const body = site.get(path);
  if (body === undefined) {
    res.writeHead(404, { ...headers, "content-type": "text/plain; charset=utf-8" });
    res.end("not found\n");
    return;
  }
  const ext = path.slice(path.lastIndexOf(".") + 1);
  res.writeHead(200, { ...headers, "content-type": CONTENT_TYPES[ext] ?? "application/octet-stream" });
  res.end(req.method === "HEAD" ? undefined : body);
}

/** Serial and history length of every project: what moves when an apply (or destroy) lands. */
function versionOf(snapshots: readonly ProjectSnapshot[]): string {
  return JSON.stringify(
    snapshots.map((s) => [
      s.project,
      s.state?.serial ?? null,
      s.state?.lineage ?? null,
      s.history.length,
      s.materializedUntil,
    ]),
  );
}
