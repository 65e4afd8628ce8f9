// Every WebSocket route of the relay, in one hub served from the HTTP port (see hub.ts).
import type { Services } from '../../services.js'
import type { InFlight } from '../exchange.js'
import { chatSocketRoutes } from './chat-socket.js'
import { SocketHub } from './hub.js'
import { progressSocketRoute } from './progress-socket.js'
import { videoSocketRoute } from './video-socket.js'

export function socketHub(s: Services, inflight: InFlight): SocketHub {
  // Settings are read through s.config on each use: /conf/update changes them in place.
  const realtime = () => s.config.realtime
  const routes = [
    ...chatSocketRoutes({
      chat: s.chat,
      keys: s.keys,
      inflight,
      log: s.log.child('ws'),
      settings: () => ({ allowAnonymous: s.config.security.allow_anonymous, routes: realtime().routes, maxBufferedBytes: realtime().max_buffered_bytes }),
    }),
    progressSocketRoute({ events: s.tasks.events, keys: s.keys, settings: () => ({ allowAnonymous: s.config.security.allow_anonymous }) }),
    videoSocketRoute({
      tasks: s.tasks,
      keys: s.keys,
      log: s.log.child('ws'),
      settings: () => ({ allowAnonymous: s.config.security.allow_anonymous, videoModel: realtime().video_model }),
    }),
  ]
  return new SocketHub(routes, {
    log: s.log.child('ws'),
    limits: () => ({ maxPerOwner: realtime().max_connections_per_user, pingMs: realtime().ping_interval_ms }),
  })
}
