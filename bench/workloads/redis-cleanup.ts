/** Redis clean-up of a deleted view's keys by fsops' provisioner (see lib/redis-cleanup.ts). */
import { redisCleanupWorkload } from "../lib/redis-cleanup.js";

export default redisCleanupWorkload("fsops");
