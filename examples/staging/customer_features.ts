import { FeatureView } from "fsops";
import { fields, ownedBy } from "./lib/fields.js";
import { customer } from "./entities.js";
import { customerProfileSource } from "./sources.js";

export const customerDailyProfile = new FeatureView({
  name: "customer_daily_profile",
  entities: [customer],
  ttl: "2d",
  schema: fields({
    current_balance: "float32",
    avg_passenger_count: "float32",
    lifetime_trip_count: "int64",
    preferred_payment: "string",
    is_premium: "bool",
  }),
  source: customerProfileSource,
  description: "Daily snapshot of each customer's account.",
  tags: ownedBy("customer_insights", { freshness: "daily", pii: "false" }),
  owner: "customer-insights@example.com",
});
