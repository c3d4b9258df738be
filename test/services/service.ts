/** A running server the setup owns: what the tests get, its processes, and how to stop it. */
export interface StartedService<Info = unknown> {
  info: Info;
  /** Every process id to kill if the setup itself dies (read by the watchdog). */
  pids: number[];
  /** Stops the processes and removes the service's directory; never throws. */
  stop(): Promise<void>;
}
