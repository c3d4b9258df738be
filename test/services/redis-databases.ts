/** `freshRedisDb()` hands out database numbers (1..N-1); the test Redis is started with N. */
export const REDIS_DATABASES = 4096;
