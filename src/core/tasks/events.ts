// Progress of media tasks inside the process: the engine publishes every change of a task here;
// waiting routes listen for the end, and the progress sockets forward events to their users.
import { EventEmitter } from 'node:events'
import type { MediaKind, MediaStatus } from '../../kit/types.js'

export interface TaskEvent {
  id: string
  userId: string | null
  keyId: number | null
  status: MediaStatus
  progress: number
  /** Set once the task is over. */
  final: boolean
  kind: MediaKind
  model: string
  /** The conversation the task belongs to (the seeds' chat_id), so a socket can follow one chat. */
  chatId: string | null
  /** Where the results are, once completed (inline results are not repeated on the bus). */
  urls: string[]
  /** Why it failed, once failed. */
  error: string | null
}

export class TaskEvents {
  private readonly emitter = new EventEmitter()

  constructor() {
    // Every waiting request listens; there is no sensible bound on how many wait at once.
    this.emitter.setMaxListeners(0)
  }

  /** Where events also go: the other instances (src/core/shared, over Redis), when they share. */
  outbound: ((event: TaskEvent) => void) | undefined

  publish(event: TaskEvent): void {
    this.emitter.emit('task', event)
    this.outbound?.(event)
  }

  /** An event of a task another instance runs: for this instance's listeners only. */
  deliver(event: TaskEvent): void {
    this.emitter.emit('task', event)
  }

  /** Every task's events; returns the unsubscribe function. */
  subscribe(listener: (event: TaskEvent) => void): () => void {
    this.emitter.on('task', listener)
    return () => this.emitter.off('task', listener)
  }
}
