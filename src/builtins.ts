// The first-party providers and tools shipped in the package (wired here, outside src/core).
import type { ProviderFactoryV1, ToolFactoryV1 } from '../tool-sdk/src/index.js';
import { scriptedProviderFactory } from './plugins/provider-scripted/scripted-provider.js';
import { currentTimeToolFactory } from './plugins/tools-core/current-time.js';
import { echoToolFactory } from './plugins/tools-core/echo.js';

export const BUILTIN_PROVIDERS: readonly ProviderFactoryV1[] = [scriptedProviderFactory];
export const BUILTIN_TOOLS: readonly ToolFactoryV1[] = [echoToolFactory, currentTimeToolFactory];
