import { Entity } from "fsops";
import { ownedBy } from "./lib/fields.js";

export const driver = new Entity({
  name: "driver",
  joinKeys: ["driver_id"],
  valueType: "int64",
  description: "A driver on the platform, keyed by the driver service's numeric id.",
  tags: ownedBy("driver_performance"),
});

export const customer = new Entity({
  name: "customer",
  joinKeys: ["customer_id"],
  valueType: "string",
  description: "A rider requesting trips, keyed by the account's public id.",
  tags: ownedBy("customer_insights"),
});
