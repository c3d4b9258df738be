import { redactSecrets } from "../config/redact.js";

/**
 * Everything the CLI prints goes through here, so a secret that reached a message (an error
 * from a driver, say) is redacted on the way out whatever path produced it.
 */
export class Output {
  private readonly secrets = new Set<string>();

  constructor(
    private readonly stdout: NodeJS.WriteStream,
    private readonly stderr: NodeJS.WriteStream,
    readonly color: boolean,
  ) {}

  addSecrets(values: readonly string[]): void {
    for (const v of values) if (v) this.secrets.add(v);
  }

  out(text: string): void {
    this.stdout.write(this.clean(text.endsWith("\n") ? text : `${text}\n`));
  }

  err(text: string): void {
    this.stderr.write(this.clean(text.endsWith("\n") ? text : `${text}\n`));
  }

  clean(text: string): string {
    return this.secrets.size ? redactSecrets(text, [...this.secrets]) : text;
  }
}

/** Colors only for a terminal, and never when NO_COLOR is set (https://no-color.org). */
export function useColor(
  env: Readonly<Record<string, string | undefined>>,
  stream: NodeJS.WriteStream,
): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "" && env.FORCE_COLOR !== "0") return true;
  return Boolean(stream.isTTY);
}
