// Upstreams that stream cumulative snapshots (each event repeats the whole text so far), sometimes
// mixed with plain deltas, while clients want deltas. Text already sent cannot be retracted.

/**
 * The part of `next` not sent yet, given the text `sent` so far: the growth when `next` extends
 * it, nothing for an older (shorter) snapshot, and after a rewrite the new text from where the
 * two differ (so nothing the upstream wrote is lost).
 */
export function cumulativeDelta(sent: string, next: string): string {
  if (next.startsWith(sent)) return next.slice(sent.length)
  if (sent.startsWith(next)) return ''
  let common = 0
  while (common < next.length && next[common] === sent[common]) common++
  return next.slice(common)
}

/** One channel (answer, reasoning, a content block) of such an upstream. */
export class CumulativeText {
  private sent = ''

  /** A snapshot of the whole text so far → what is new in it. */
  next(snapshot: string): string {
    if (this.sent.startsWith(snapshot)) return '' // a repeat or an older snapshot
    const delta = cumulativeDelta(this.sent, snapshot)
    this.sent = snapshot
    return delta
  }

  /** A plain delta the upstream sent between snapshots: it counts as sent. */
  append(delta: string): string {
    this.sent += delta
    return delta
  }

  /** Everything sent so far. */
  get text(): string {
    return this.sent
  }
}

/** The channel kept under `key` (a message or content block id), created on first use. */
export function channelOf(channels: Map<string, CumulativeText>, key: string): CumulativeText {
  const known = channels.get(key)
  if (known) return known
  const channel = new CumulativeText()
  channels.set(key, channel)
  return channel
}
