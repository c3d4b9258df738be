/** The floor of the Redis clean-up: the same SCAN + UNLINK loop, directly (see lib/redis-cleanup.ts). */
import { redisCleanupWorkload } from "../lib/redis-cleanup.js";

export default redisCleanupWorkload("plain");
