// Values that are usually at hand but sometimes have to be fetched (a cached key, a stateless
// provider's conversation, a named model): the request path handles them without making a
// promise for the common case, which costs an allocation and a microtask per step.

/** A value now, or a promise of it. */
export type Maybe<T> = T | Promise<T>

/** `fn` of the value: at once when it is here, once it arrives otherwise. */
export function andThen<T, R>(value: Maybe<T>, fn: (value: T) => Maybe<R>): Maybe<R> {
  return value instanceof Promise ? value.then(fn) : fn(value)
}
