// URL settings. The common provider schema (and each provider's own *_url settings) normalise a
// configured URL once, so adapters join paths as `${base}${path}` without trimming again.
import { z } from 'zod'

/** `url` without trailing slashes, so `url + '/path'` never doubles the slash. */
export const withoutTrailingSlash = (url: string): string => url.replace(/\/+$/, '')

/** A URL setting: validated, trailing slashes removed (from the default too). */
export const urlSetting = (fallback: string) => z.string().url().default(fallback).transform(withoutTrailingSlash)
