/**
 * Samples Redis PING latency from a second connection while something else runs, on its own
 * thread: its own event loop, so the measured client parsing replies on the main thread does not
 * delay the samples. A raw socket and the inline PING command: no client library in the way.
 *
 * The worker thread runs this same module (the workload bundle it is compiled into) and starts
 * sampling when it sees its role in `workerData`.
 */
import net from "node:net";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";

const ROLE = "fsops-bench-pinger";

export interface PingStats {
  samples: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

interface PingerData {
  role: typeof ROLE;
  host: string;
  port: number;
  intervalMs: number;
}

type ToPinger = "begin" | "end";
type FromPinger =
  { type: "ready" } | { type: "stats"; latencies: number[] } | { type: "error"; message: string };

export function pingStats(latencies: readonly number[]): PingStats {
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return { samples: sorted.length, p50Ms: at(0.5), p99Ms: at(0.99), maxMs: sorted.at(-1) ?? 0 };
}

/** A pinger thread, connected and idle; `begin`/`end` bracket one sampling period. */
export class Pinger {
  private constructor(
    private readonly worker: Worker,
    private readonly messages: FromPinger[],
    private waiting: ((m: FromPinger) => void) | null,
  ) {}

  static async start(host: string, port: number, intervalMs = 5): Promise<Pinger> {
    const data: PingerData = { role: ROLE, host, port, intervalMs };
    const worker = new Worker(new URL(import.meta.url), { workerData: data });
    const pinger = new Pinger(worker, [], null);
    worker.on("message", (m: FromPinger) => pinger.deliver(m));
    worker.on("error", (e) => pinger.deliver({ type: "error", message: e.message }));
    const first = await pinger.next();
    if (first.type !== "ready")
      throw new Error(`pinger: ${first.type === "error" ? first.message : first.type}`);
    return pinger;
  }

  begin(): void {
    this.worker.postMessage("begin" satisfies ToPinger);
  }

  /** Stops sampling and returns the latencies since `begin`. */
  async end(): Promise<PingStats> {
    this.worker.postMessage("end" satisfies ToPinger);
    const m = await this.next();
    if (m.type !== "stats") throw new Error(`pinger: ${m.type === "error" ? m.message : m.type}`);
    return pingStats(m.latencies);
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }

  private deliver(m: FromPinger): void {
    const w = this.waiting;
    if (w) {
      this.waiting = null;
      w(m);
    } else this.messages.push(m);
  }

  private next(): Promise<FromPinger> {
    const m = this.messages.shift();
    if (m) return Promise.resolve(m);
    return new Promise((resolve) => (this.waiting = resolve));
  }
}

/** The thread's side: one connection, one PING in flight, `intervalMs` between samples. */
function pingLoop(data: PingerData): void {
  const port = parentPort!;
  const send = (m: FromPinger): void => port.postMessage(m);
  const socket = net.connect(data.port, data.host);
  socket.setNoDelay(true);
  let pending = 0;
  let onPong: (() => void) | null = null;
  socket.on("data", (chunk: Buffer) => {
    // Each reply is "+PONG\r\n" (7 bytes); count bytes, replies may be split across chunks.
    pending += chunk.length;
    while (pending >= 7 && onPong) {
      pending -= 7;
      const f = onPong;
      onPong = null;
      f();
    }
  });
  socket.on("error", (e) => send({ type: "error", message: e.message }));
  const ping = (): Promise<void> =>
    new Promise((resolve) => {
      onPong = resolve;
      socket.write("PING\r\n");
    });
  let active = false;
  let latencies: number[] = [];
  const loop = async (): Promise<void> => {
    while (active) {
      const t0 = performance.now();
      await ping();
      latencies.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, data.intervalMs));
    }
    send({ type: "stats", latencies });
    latencies = [];
  };
  port.on("message", (m: ToPinger) => {
    if (m === "begin" && !active) {
      active = true;
      void loop();
    } else if (m === "end") {
      if (active) active = false;
      else send({ type: "stats", latencies: [] });
    }
  });
  socket.once("connect", () => {
    void ping().then(() => send({ type: "ready" }));
  });
}

if (!isMainThread && (workerData as Partial<PingerData> | null)?.role === ROLE) {
  pingLoop(workerData as PingerData);
}
