import { createInterface } from "node:readline/promises";

/** Terraform's rule: only the exact word "yes" confirms. */
export async function confirmYes(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(
      `${question}\n  Only 'yes' will be accepted to approve.\n\n  Enter a value: `,
    );
    return answer.trim() === "yes";
  } finally {
    rl.close();
  }
}
