// Admin API auth: `Authorization: <BACKEND_SECRET>` (Bearer accepted), compared in constant time.
// Without a configured secret only loopback callers are admitted, and of those only the ones no
// other web site can drive: a browser on the operator's machine runs every page's scripts from
// loopback, so a browser request must come from the relay's own page or a listed origin.
import type { Context, MiddlewareHandler } from 'hono'
import { safeEqual } from '../../db/secret-box.js'
import { isLoopback, remoteAddress } from '../body.js'
import { bearerOf } from './client-auth.js'

export interface AdminAccess {
  secret?: string | undefined
  /** Browser origins allowed to call the admin routes (and to read their answers through CORS). */
  cors_origins: readonly string[]
}

/** localhost, *.localhost, 127.x.y.z or [::1], with or without a port. */
export function isLoopbackHost(host: string): boolean {
  const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.replace(/:\d*$/, '')
  const lower = name.toLowerCase()
  return lower === 'localhost' || lower.endsWith('.localhost') || lower === '[::1]' || /^127(?:\.\d{1,3}){3}$/.test(lower)
}

/**
 * Whether a request without the secret may be a browser acting for some other site. A request
 * that carries neither Origin nor Sec-Fetch-Site is not from a browser (curl, scripts). A browser
 * request is trusted when its origin is listed, or when it comes from the relay's own page at a
 * loopback host name (a public Host means DNS rebinding: the "same origin" is the attacker's).
 */
export function browserAllowed(c: Context, listed: readonly string[]): boolean {
  const origin = c.req.header('origin')
  const site = c.req.header('sec-fetch-site')
  if (origin === undefined && site === undefined) return true
  if (origin !== undefined && listed.includes(origin)) return true
  const host = c.req.header('host') ?? ''
  if (!isLoopbackHost(host)) return false
  if (origin === undefined) return site === 'same-origin' || site === 'none'
  try {
    return new URL(origin).host === host.toLowerCase()
  } catch {
    return false // "null" (sandboxed frames, file://) and anything else that is no origin
  }
}

export function adminAuth(
  access: AdminAccess,
  reject: (c: Context, status: 401 | 403, message: string) => Response,
): MiddlewareHandler {
  return async function adminAuthMiddleware(c, next) {
    if (!access.secret) {
      if (!isLoopback(remoteAddress(c)))
        return reject(c, 403, 'admin API is open to loopback clients only until BACKEND_SECRET is set')
      if (!browserAllowed(c, access.cors_origins))
        return reject(
          c,
          403,
          `admin API refuses browser requests from ${c.req.header('origin') ?? 'other sites'} until BACKEND_SECRET is set (or the origin is listed in admin.cors_origins)`,
        )
      return next()
    }
    const given = bearerOf(c.req.header('authorization'))
    if (!given || !safeEqual(given, access.secret)) return reject(c, 401, 'invalid admin secret')
    return next()
  }
}
