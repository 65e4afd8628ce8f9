// MCP servers and runtime settings: small tables read at start and written by the admin routes.
import { eq } from 'drizzle-orm'
import type { Db } from './client.js'
import { affected, upsert } from './dialect.js'
import type { mcpServers } from './schema.js'

export type McpServerRow = typeof mcpServers.$inferSelect

export const listMcpServers = async (db: Db): Promise<McpServerRow[]> => db.orm.select().from(db.t.mcpServers).orderBy(db.t.mcpServers.name)

export async function saveMcpServer(db: Db, row: { name: string; configEnc: string; disabled: boolean }): Promise<void> {
  const values = { ...row, updatedAt: Date.now() }
  await upsert(db, db.t.mcpServers, values, db.t.mcpServers.name, values)
}

export async function setMcpDisabled(db: Db, name: string, disabled: boolean): Promise<boolean> {
  const m = db.t.mcpServers
  return affected(await db.write(() => db.orm.update(m).set({ disabled, updatedAt: Date.now() }).where(eq(m.name, name)))) > 0
}

export async function deleteMcpServer(db: Db, name: string): Promise<boolean> {
  const m = db.t.mcpServers
  return affected(await db.write(() => db.orm.delete(m).where(eq(m.name, name)))) > 0
}

export const listRuntimeSettings = async (db: Db): Promise<{ path: string; value: unknown }[]> =>
  db.orm.select({ path: db.t.runtimeSettings.path, value: db.t.runtimeSettings.value }).from(db.t.runtimeSettings)

export async function saveRuntimeSetting(db: Db, path: string, value: unknown): Promise<void> {
  const values = { path, value: value as never, updatedAt: Date.now() }
  await upsert(db, db.t.runtimeSettings, values, db.t.runtimeSettings.path, values)
}
