// The provider registry: one line per provider folder.
import type { ProviderDefinition } from '../src/kit/types.js'
import openaiCompatible from './openai-compatible/index.js'
import cozeApi from './coze-api/index.js'
import doubaoWeb from './doubao-web/index.js'
import qwenWeb from './qwen-web/index.js'
import glmWeb from './glm-web/index.js'
import minimaxWeb from './minimax-web/index.js'
import kimiWeb from './kimi-web/index.js'
import metasoWeb from './metaso-web/index.js'
import hixaiWeb from './hixai-web/index.js'
import deepseekWeb from './deepseek-web/index.js'
import anthropicApi from './anthropic-api/index.js'
import jimengApi from './jimeng-api/index.js'
import klingApi from './kling-api/index.js'
import sunoApi from './suno-api/index.js'
import geminiApi from './gemini-api/index.js'
import dashscopeApi from './dashscope-api/index.js'
import arkApi from './ark-api/index.js'

// biome-ignore lint/suspicious/noExplicitAny: each definition carries its own settings type
export const providers: ProviderDefinition<any>[] = [
  openaiCompatible,
  cozeApi,
  doubaoWeb,
  qwenWeb,
  glmWeb,
  minimaxWeb,
  kimiWeb,
  metasoWeb,
  hixaiWeb,
  deepseekWeb,
  anthropicApi,
  jimengApi,
  klingApi,
  sunoApi,
  geminiApi,
  dashscopeApi,
  arkApi,
]
