// Admin API auth: `Authorization: <BACKEND_SECRET>` (Bearer accepted), compared in constant time.
// Without a configured secret only loopback callers are admitted.
import type { Context, MiddlewareHandler } from 'hono'
import { safeEqual } from '../../db/secret-box.js'
import { isLoopback, remoteAddress } from '../body.js'
import { bearerOf } from './client-auth.js'

export function adminAuth(
  secret: string | undefined,
  reject: (c: Context, status: 401 | 403, message: string) => Response,
): MiddlewareHandler {
  return async function adminAuthMiddleware(c, next) {
    if (!secret) {
      if (isLoopback(remoteAddress(c))) return next()
      return reject(c, 403, 'admin API is open to loopback clients only until BACKEND_SECRET is set')
    }
    const given = bearerOf(c.req.header('authorization'))
    if (!given || !safeEqual(given, secret)) return reject(c, 401, 'invalid admin secret')
    return next()
  }
}
