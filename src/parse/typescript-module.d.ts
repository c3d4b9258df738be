// Types of the compiler file ts-morph carries (src/parse/typescript.cts): the `ts` namespace
// ts-morph re-exports is that same file's API.
declare module "@ts-morph/common/dist/typescript.js" {
  import { ts } from "ts-morph";
  export = ts;
}
