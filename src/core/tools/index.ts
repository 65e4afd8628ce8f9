// Tool calls for upstreams without function calling (the web chats): the request is rewritten
// to teach the calling convention, the answer is scanned for its blocks. See convention.ts.
export { emulateToolsRequest, extractOptionsFor, shouldEmulate } from './emulate-request.js'
export { type ExtractOptions, extractToolCalls } from './extract.js'
