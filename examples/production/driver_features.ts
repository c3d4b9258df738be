import { FeatureView, Field, OnDemandFeatureView } from "fsops";
import { fields, floatFields, ownedBy } from "./lib/fields.js";
import { driver } from "./entities.js";
import { driverStatsPushSource, driverStatsSource, valsToAdd } from "./sources.js";

/** One schema for the batch view and its push-fed twin, so they never drift apart. */
const driverStatsSchema = [
  ...floatFields(["conv_rate", "acc_rate"]),
  ...fields({ avg_daily_trips: "int64", cancellation_rate: "float32", rating_avg: "float32" }),
  new Field({ name: "active_hours_7d", dtype: "float32[]", description: "Active hours, one per day." }),
];

export const driverHourlyStats = new FeatureView({
  name: "driver_hourly_stats",
  entities: [driver],
  ttl: "1d",
  schema: driverStatsSchema,
  source: driverStatsSource,
  online: true,
  offline: true,
  description: "Conversion, acceptance and activity of each driver, refreshed hourly.",
  tags: ownedBy("driver_performance", { freshness: "hourly" }),
  owner: "driver-performance@example.com",
});

export const driverHourlyStatsFresh = new FeatureView({
  name: "driver_hourly_stats_fresh",
  entities: [driver],
  ttl: "2h",
  schema: driverStatsSchema,
  source: driverStatsPushSource,
  description: "The same statistics, pushed by the trip service as soon as they change.",
  tags: ownedBy("driver_performance", { freshness: "push" }),
  owner: "driver-performance@example.com",
});

export const transformedConvRate = new OnDemandFeatureView({
  name: "transformed_conv_rate",
  sources: [driverHourlyStats.select(["conv_rate"]), valsToAdd],
  schema: fields({ conv_rate_plus_val1: "float64", conv_rate_plus_val2: "float64" }),
  transform: (inputs) => {
    const convRate = inputs["conv_rate"] ?? [];
    const val1 = inputs["val_to_add"] ?? [];
    const val2 = inputs["val_to_add_2"] ?? [];
    return {
      conv_rate_plus_val1: convRate.map((rate, i) => Number(rate) + Number(val1[i])),
      conv_rate_plus_val2: convRate.map((rate, i) => Number(rate) + Number(val2[i])),
    };
  },
  description: "Conversion rate adjusted by request-time values.",
  tags: ownedBy("ranking_models"),
});
