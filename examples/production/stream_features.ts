import { Aggregation, StreamFeatureView } from "fsops";
import { fields, ownedBy } from "./lib/fields.js";
import { driver } from "./entities.js";
import { driverTripsSource } from "./sources.js";

export const driverTripsStream = new StreamFeatureView({
  name: "driver_trips_stream",
  entities: [driver],
  source: driverTripsSource,
  ttl: "1d",
  schema: fields({ trip_completed: "int64", trip_fare: "float64", trip_distance_km: "float32" }),
  aggregations: [
    new Aggregation({ column: "trip_completed", function: "count", timeWindow: "1h" }),
    new Aggregation({ column: "trip_completed", function: "count", timeWindow: "1d" }),
    new Aggregation({ column: "trip_fare", function: "sum", timeWindow: "1d" }),
    new Aggregation({ column: "trip_distance_km", function: "mean", timeWindow: "1d" }),
  ],
  description: "Rolling trip counts, fares and distances from the completed-trip stream.",
  tags: ownedBy("driver_performance", { freshness: "stream" }),
  owner: "driver-performance@example.com",
});
