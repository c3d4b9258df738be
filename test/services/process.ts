import { spawn, execFile, type ChildProcess } from "node:child_process";
import { openSync, closeSync, readFileSync, existsSync } from "node:fs";
import { createServer, createConnection } from "node:net";

/** A server that failed to start: the message carries the tail of its log, never a bare timeout. */
export class ServiceStartError extends Error {
  constructor(service: string, detail: string, logFile?: string) {
    super(`${service}: ${detail}${logFile ? `\n--- last lines of ${logFile} ---\n${tail(logFile)}` : ""}`);
    this.name = "ServiceStartError";
  }
}

export function tail(file: string, lines = 25): string {
  if (!existsSync(file)) return "(no log)";
  return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
}

function listenOnce(port: number): Promise<number | null> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(null));
    server.listen(port, "127.0.0.1", () => {
      const address = server.address();
      const bound = typeof address === "object" && address ? address.port : null;
      server.close(() => resolve(bound));
    });
  });
}

/**
 * A loopback port nobody listens on. With `alsoFree`, the port at that offset must be free too
 * (Redis Cluster's bus listens on port + 10000).
 */
export async function freePort(alsoFree?: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await listenOnce(alsoFree === undefined ? 0 : 20_000 + Math.floor(Math.random() * 25_000));
    if (port === null) continue;
    if (alsoFree !== undefined && (await listenOnce(port + alsoFree)) === null) continue;
    return port;
  }
  throw new Error("no free loopback port found");
}

export interface RunResult {
  stdout: string;
  stderr: string;
}

/** Runs a command to completion; a non-zero exit is an error carrying its output. */
export function run(
  file: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    execFile(
      file,
      args,
      {
        env: options.env ?? process.env,
        cwd: options.cwd,
        timeout: options.timeoutMs ?? 60_000,
        maxBuffer: 16 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        if (error) {
          const output = `${stdout}${stderr}`.trim().split("\n").slice(-15).join("\n");
          reject(
            new Error(`${[file, ...args].join(" ")} failed: ${error.message.split("\n")[0]}\n${output}`),
          );
        } else resolve({ stdout, stderr });
      },
    );
  });
}

/** A server process kept in the foreground as our child, so we can reap it and kill it for sure. */
export class Daemon {
  readonly child: ChildProcess;
  private exitInfo: string | null = null;
  private readonly exited: Promise<void>;

  constructor(
    readonly name: string,
    file: string,
    args: string[],
    readonly logFile: string,
    env?: NodeJS.ProcessEnv,
  ) {
    const fd = openSync(logFile, "a");
    try {
      this.child = spawn(file, args, { stdio: ["ignore", fd, fd], env: env ?? process.env });
    } finally {
      closeSync(fd);
    }
    this.exited = new Promise((resolve) => {
      this.child.once("exit", (code, signal) => {
        this.exitInfo = signal ? `killed by ${signal}` : `exited with code ${code}`;
        resolve();
      });
      this.child.once("error", (error) => {
        this.exitInfo = `could not start: ${error.message}`;
        resolve();
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Non-null once the process is gone (why it ended). */
  get exit(): string | null {
    return this.exitInfo;
  }

  async kill(): Promise<void> {
    if (this.exitInfo === null) this.child.kill("SIGKILL");
    await this.exited;
  }
}

/**
 * Polls `ready` until it returns true. Fails at once when one of `watch` exits (with its log),
 * and after `timeoutMs` with the log of the first watched process.
 */
export async function waitUntil(
  service: string,
  what: string,
  ready: () => Promise<boolean>,
  options: { watch?: Daemon[]; timeoutMs?: number; intervalMs?: number; logFile?: string } = {},
): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  let lastError = "";
  for (;;) {
    for (const daemon of options.watch ?? []) {
      if (daemon.exit !== null) {
        throw new ServiceStartError(service, `${daemon.name} ${daemon.exit} before ${what}`, daemon.logFile);
      }
    }
    try {
      if (await ready()) return;
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() > deadline) {
      throw new ServiceStartError(
        service,
        `timed out waiting for ${what}${lastError ? ` (last error: ${lastError})` : ""}`,
        options.logFile ?? options.watch?.[0]?.logFile,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 50));
  }
}

/**
 * Sends one command to a Redis server over RESP and returns the reply as text (errors rejected).
 * Enough for readiness checks without loading a client library into the setup.
 */
export function redisCommand(port: number, args: string[], timeoutMs = 2_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    let buffer = Buffer.alloc(0);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`redis ${args[0]} on port ${port}: no reply`));
    }, timeoutMs);
    const finish = (error: Error | null, value?: string) => {
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve(value ?? "");
    };
    socket.on("error", (error) => finish(error));
    socket.on("connect", () => {
      socket.write(`*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join("")}`);
    });
    socket.on("data", (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      const lineEnd = buffer.indexOf("\r\n");
      if (lineEnd < 0) return;
      const head = buffer.subarray(0, lineEnd).toString();
      if (head.startsWith("-")) finish(new Error(head.slice(1)));
      else if (head.startsWith("$")) {
        const length = Number(head.slice(1));
        if (length < 0) finish(null, "");
        else if (buffer.length >= lineEnd + 2 + length) {
          finish(null, buffer.subarray(lineEnd + 2, lineEnd + 2 + length).toString());
        }
      } else finish(null, head.slice(1));
    });
  });
}

/** Resident memory of a process in MiB (Linux), or null when it is gone. */
export function rssMiB(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) / 1024 : null;
  } catch {
    return null;
  }
}
