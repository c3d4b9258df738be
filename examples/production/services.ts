import { FeatureService } from "fsops";
import { ownedBy } from "./lib/fields.js";
import { customerDailyProfile } from "./customer_features.js";
import { driverHourlyStats, transformedConvRate } from "./driver_features.js";
import { driverTripsStream } from "./stream_features.js";

export const driverRankingV1 = new FeatureService({
  name: "driver_ranking_v1",
  features: [driverHourlyStats.select(["conv_rate", "acc_rate", "avg_daily_trips"]), transformedConvRate],
  description: "Features of the first ranking model (batch statistics only).",
  tags: ownedBy("ranking_models", { model: "ranker_v1" }),
});

export const driverRankingV2 = new FeatureService({
  name: "driver_ranking_v2",
  features: [
    driverHourlyStats,
    transformedConvRate,
    driverTripsStream,
    customerDailyProfile.select(["current_balance", "avg_passenger_count", "lifetime_trip_count"]),
  ],
  description: "Adds the trip stream and the customer profile.",
  tags: ownedBy("ranking_models", { model: "ranker_v2" }),
});
