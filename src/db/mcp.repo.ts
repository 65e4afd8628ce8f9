// MCP servers and runtime settings: small tables read at start and written by the admin routes.
import { eq } from 'drizzle-orm'
import type { Db } from './client.js'
import { mcpServers, runtimeSettings } from './schema.js'

export type McpServerRow = typeof mcpServers.$inferSelect

export const listMcpServers = (db: Db): McpServerRow[] => db.select().from(mcpServers).orderBy(mcpServers.name).all()

export function saveMcpServer(db: Db, row: { name: string; configEnc: string; disabled: boolean }): void {
  const values = { ...row, updatedAt: Date.now() }
  db.insert(mcpServers).values(values).onConflictDoUpdate({ target: mcpServers.name, set: values }).run()
}

export const setMcpDisabled = (db: Db, name: string, disabled: boolean): boolean =>
  db.update(mcpServers).set({ disabled, updatedAt: Date.now() }).where(eq(mcpServers.name, name)).run().changes > 0

export const deleteMcpServer = (db: Db, name: string): boolean => db.delete(mcpServers).where(eq(mcpServers.name, name)).run().changes > 0

export const listRuntimeSettings = (db: Db): { path: string; value: unknown }[] =>
  db.select({ path: runtimeSettings.path, value: runtimeSettings.value }).from(runtimeSettings).all()

export function saveRuntimeSetting(db: Db, path: string, value: unknown): void {
  const values = { path, value: value as never, updatedAt: Date.now() }
  db.insert(runtimeSettings).values(values).onConflictDoUpdate({ target: runtimeSettings.path, set: values }).run()
}
