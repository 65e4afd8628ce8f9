CREATE TABLE "billing_holds" (
	"id" serial PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"request_id" text NOT NULL,
	"amount" double precision NOT NULL,
	"instance_id" text DEFAULT '' NOT NULL,
	"created_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "chat_sessions" (
	"session_id" text PRIMARY KEY NOT NULL,
	"user_id" text,
	"key_id" integer,
	"model" text,
	"conversation_id" text,
	"messages" json NOT NULL,
	"busy_until" bigint,
	"last_activity" bigint NOT NULL,
	"created_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "client_keys" (
	"id" serial PRIMARY KEY NOT NULL,
	"key_hash" text NOT NULL,
	"prefix" text NOT NULL,
	"suffix" text NOT NULL,
	"remark" text DEFAULT '' NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"expires_at" bigint,
	"allowed_models" json,
	"user_id" text,
	"act_for_others" boolean DEFAULT false NOT NULL,
	"created_at" bigint NOT NULL,
	"last_used_at" bigint,
	"rpm" integer,
	"tpm" integer,
	"concurrency" integer,
	"limits" json
);
--> statement-breakpoint
CREATE TABLE "conversations" (
	"id" serial PRIMARY KEY NOT NULL,
	"provider" text NOT NULL,
	"credential_id" integer NOT NULL,
	"history_hash" text NOT NULL,
	"conversation_id" text NOT NULL,
	"parent_id" text,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "credentials" (
	"id" serial PRIMARY KEY NOT NULL,
	"provider" text NOT NULL,
	"secret_enc" text NOT NULL,
	"secret_hash" text NOT NULL,
	"secret_tail" text NOT NULL,
	"remark" text DEFAULT '' NOT NULL,
	"source" text DEFAULT 'admin' NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"cooldown_until" bigint,
	"failures" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"last_used_at" bigint,
	"last_probed_at" bigint,
	"account" text,
	"credit" double precision,
	"advanced_credit" double precision,
	"subscribed" boolean,
	"verified" boolean DEFAULT false NOT NULL,
	"state_enc" text,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "idempotency_keys" (
	"scope" text NOT NULL,
	"key" text NOT NULL,
	"body_hash" text NOT NULL,
	"response" json NOT NULL,
	"created_at" bigint NOT NULL,
	CONSTRAINT "idempotency_keys_scope_key_pk" PRIMARY KEY("scope","key")
);
--> statement-breakpoint
CREATE TABLE "mcp_servers" (
	"name" text PRIMARY KEY NOT NULL,
	"config_enc" text NOT NULL,
	"disabled" boolean DEFAULT false NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "media_tasks" (
	"id" text PRIMARY KEY NOT NULL,
	"user_id" text,
	"key_id" integer,
	"request_id" text NOT NULL,
	"client_request_id" text,
	"kind" text NOT NULL,
	"model" text NOT NULL,
	"status" text NOT NULL,
	"progress" integer DEFAULT 0 NOT NULL,
	"provider" text,
	"credential_id" integer,
	"upstream_model" text,
	"upstream_id" text,
	"state" json,
	"request" json NOT NULL,
	"outputs" json,
	"text" text,
	"error" text,
	"error_kind" text,
	"usage" json,
	"hold_id" integer,
	"charged" double precision DEFAULT 0 NOT NULL,
	"chat_id" text,
	"record_type" integer NOT NULL,
	"polls" integer DEFAULT 0 NOT NULL,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL,
	"completed_at" bigint
);
--> statement-breakpoint
CREATE TABLE "records" (
	"id" serial PRIMARY KEY NOT NULL,
	"user_id" text,
	"request_id" text,
	"question" text DEFAULT '' NOT NULL,
	"answer" text DEFAULT '' NOT NULL,
	"content" text DEFAULT '' NOT NULL,
	"tool_calls" json,
	"model" text,
	"served_model" text,
	"token" double precision DEFAULT 0 NOT NULL,
	"is_deleted" boolean DEFAULT false NOT NULL,
	"record_type" integer NOT NULL,
	"chat_id" text,
	"created_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "runtime_settings" (
	"path" text PRIMARY KEY NOT NULL,
	"value" json NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "stored_responses" (
	"id" text PRIMARY KEY NOT NULL,
	"user_id" text,
	"key_id" integer,
	"previous_id" text,
	"input_items" json NOT NULL,
	"messages" json NOT NULL,
	"output" json NOT NULL,
	"response" json NOT NULL,
	"created_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "usage_records" (
	"id" serial PRIMARY KEY NOT NULL,
	"request_id" text NOT NULL,
	"client_request_id" text,
	"created_at" bigint NOT NULL,
	"client_key_id" integer,
	"user_id" text,
	"provider" text,
	"credential_id" integer,
	"model" text NOT NULL,
	"served_model" text,
	"stream" boolean NOT NULL,
	"prompt_tokens" integer DEFAULT 0 NOT NULL,
	"completion_tokens" integer DEFAULT 0 NOT NULL,
	"estimated" boolean DEFAULT false NOT NULL,
	"latency_ms" integer NOT NULL,
	"ttft_ms" integer,
	"status" integer NOT NULL,
	"error_class" text,
	"charged" double precision DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "users" (
	"user_id" text PRIMARY KEY NOT NULL,
	"mode" text DEFAULT '' NOT NULL,
	"token" double precision DEFAULT 0 NOT NULL,
	"avail_token" double precision DEFAULT 0 NOT NULL,
	"updatetime" bigint NOT NULL,
	"limits" json
);
--> statement-breakpoint
CREATE INDEX "billing_holds_created" ON "billing_holds" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "billing_holds_instance" ON "billing_holds" USING btree ("instance_id");--> statement-breakpoint
CREATE INDEX "chat_sessions_activity" ON "chat_sessions" USING btree ("last_activity");--> statement-breakpoint
CREATE UNIQUE INDEX "client_keys_hash" ON "client_keys" USING btree ("key_hash");--> statement-breakpoint
CREATE UNIQUE INDEX "conversations_key" ON "conversations" USING btree ("provider","history_hash");--> statement-breakpoint
CREATE INDEX "conversations_updated" ON "conversations" USING btree ("updated_at");--> statement-breakpoint
CREATE UNIQUE INDEX "credentials_provider_secret" ON "credentials" USING btree ("provider","secret_hash");--> statement-breakpoint
CREATE INDEX "credentials_provider" ON "credentials" USING btree ("provider");--> statement-breakpoint
CREATE INDEX "idempotency_created" ON "idempotency_keys" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "media_tasks_owner" ON "media_tasks" USING btree ("user_id","created_at");--> statement-breakpoint
CREATE INDEX "media_tasks_status" ON "media_tasks" USING btree ("status");--> statement-breakpoint
CREATE INDEX "records_user" ON "records" USING btree ("user_id","id");--> statement-breakpoint
CREATE INDEX "records_created" ON "records" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "stored_responses_created" ON "stored_responses" USING btree ("created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "usage_records_request" ON "usage_records" USING btree ("request_id");--> statement-breakpoint
CREATE INDEX "usage_records_created" ON "usage_records" USING btree ("created_at");