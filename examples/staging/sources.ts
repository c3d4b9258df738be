import { FileSource, KafkaSource, PostgresSource, PushSource, RequestSource } from "fsops";
import { fields } from "./lib/fields.js";

/** Hourly aggregates written by the `driver_stats_hourly` dbt model. */
export const driverStatsSource = new PostgresSource({
  name: "driver_hourly_stats_source",
  table: "analytics.driver_hourly_stats",
  timestampField: "event_timestamp",
  createdTimestampColumn: "created",
  description: "Hourly driver conversion and acceptance statistics.",
});

/** Fresh driver stats pushed by the trip service between two batch loads. */
export const driverStatsPushSource = new PushSource({
  name: "driver_stats_push_source",
  batchSource: driverStatsSource,
});

/** Daily customer snapshot as Parquet (staging: a sample made by scripts/staging-offline-data.mjs). */
export const customerProfileSource = new FileSource({
  name: "customer_daily_profile_source",
  path: "offline/customer_daily_profile/",
  timestampField: "event_timestamp",
  createdTimestampColumn: "created",
  fieldMapping: { lifetime_trips: "lifetime_trip_count" },
});

/** Completed-trip events: the stream, and the table it is archived to for backfills. */
export const driverTripsSource = new KafkaSource({
  name: "driver_trips_stream_source",
  bootstrapServers: "kafka-1.internal:9092,kafka-2.internal:9092",
  topic: "trips.completed.v1",
  timestampField: "completed_at",
  messageFormat: "json",
  batchSource: new PostgresSource({
    name: "driver_trips_archive_source",
    table: "analytics.driver_trips",
    timestampField: "completed_at",
  }),
});

/** Values supplied by the ranking service at request time. */
export const valsToAdd = new RequestSource({
  name: "vals_to_add",
  schema: fields({ val_to_add: "int64", val_to_add_2: "int64" }),
  description: "Request-time adjustments the ranking model adds to the conversion rate.",
});
