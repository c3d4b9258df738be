#!/usr/bin/env node
// Thin launcher: the compiled CLI lives in build/ (npm run build; `prepare` runs it on install).
import { run } from "../build/src/cli/run.js";

run();
