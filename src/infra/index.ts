/** The online-store stage: pure planning (planInfra, planDestroy) and the stores behind one interface. */
export type { InfraPlan, InfraPlanOptions, OnlineStoreKind } from "./plan-infra.js";
export { DEFAULT_SCHEMA, planDestroy, planInfra } from "./plan-infra.js";
export type { IntrospectOptions, OnlineStoreProvisioner } from "./provisioner.js";
export type { OpenOnlineStoreOptions } from "./open-online-store.js";
export { openOnlineStore } from "./open-online-store.js";
export { openOfflineStore } from "./open-offline-store.js";
export {
  checkSources,
  columnCompatibility,
  SOURCE_CODE_DESCRIPTIONS,
  SOURCE_CODES,
} from "./check-sources.js";
export { OfflineStoreError, OnlineStoreError } from "./errors.js";
export type {
  ActualColumn,
  ActualTable,
  InfraRecord,
  InfraState,
  PostgresInfraState,
  RedisInfraState,
  ViewLayout,
} from "./infra-state.js";
export { InfraPlanError, pgType } from "./layout.js";
export { onlineTableName, redisMetaKey, redisViewPrefix } from "./naming.js";
export { PostgresProvisioner } from "./postgres-provisioner.js";
export { RedisProvisioner } from "./redis-provisioner.js";
export type { SqlExecutor, SqlResult, SqlSession } from "./sql-executor.js";
export { SqlError } from "./sql-executor.js";
export { openPgExecutor } from "./pg-executor.js";
export { openPgliteExecutor } from "./pglite-executor.js";
export { qualifiedName, quoteIdent, quoteLiteral } from "./sql.js";
