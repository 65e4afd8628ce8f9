// The provider registry: one line per provider folder.
import type { ProviderDefinition } from '../src/kit/types.js'
import openaiCompatible from './openai-compatible/index.js'
import cozeApi from './coze-api/index.js'
import kimiWeb from './kimi-web/index.js'
import metasoWeb from './metaso-web/index.js'
import hixaiWeb from './hixai-web/index.js'

// biome-ignore lint/suspicious/noExplicitAny: each definition carries its own settings type
export const providers: ProviderDefinition<any>[] = [
  openaiCompatible,
  cozeApi,
  kimiWeb,
  metasoWeb,
  hixaiWeb,
]
