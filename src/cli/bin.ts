// Entry for running the CLI from source (tests spawn `node --import tsx src/cli/bin.ts`).
import { run } from "./run.js";

run();
