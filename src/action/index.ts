// Entry of the bundled Action (dist/index.js).
import { run } from "./main.js";

// The AWS SDK warns on Node < 22 that future SDK releases will need Node 22; the bundle also runs
// on Node 20 and the warning would land in every job log using an S3 registry.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

await run();
