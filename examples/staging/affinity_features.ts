// Staging only: the driver–customer affinity view that driver_ranking_v3 is being trained on.
// Promote it (and v3 in services.ts) to ../production once the model ships.
import { FeatureView, PostgresSource } from "fsops";
import { fields, ownedBy } from "./lib/fields.js";
import { customer, driver } from "./entities.js";

export const driverCustomerAffinity = new FeatureView({
  name: "driver_customer_affinity",
  entities: [driver, customer],
  ttl: "7d",
  schema: fields({ trips_together: "int64", avg_rating_given: "float32", last_trip_days_ago: "int32" }),
  source: new PostgresSource({
    name: "driver_customer_affinity_source",
    query:
      "SELECT driver_id, customer_id, trips_together, avg_rating_given, last_trip_days_ago, event_timestamp FROM analytics.driver_customer_pairs WHERE trips_together > 0",
    timestampField: "event_timestamp",
  }),
  description: "How often a driver and a customer rode together, and how the customer rated it.",
  tags: ownedBy("ranking_models", { freshness: "daily", stage: "experiment" }),
  owner: "ranking-models@example.com",
});
