// The local model behind `x7 llm serve`: node-llama-cpp running a GGUF file on the CPU.
//
// node-llama-cpp (~730 MB with its prebuilt binaries) is not a dependency of x7-stream:
// it lives in llm/ with its own package.json, installed by llm/install.sh only where a
// local model is wanted. It is imported here by file path, at run time, so the main
// package builds, installs and runs without it, and a missing install is a clear
// message instead of a module-resolution stack. The types below are the few parts of
// its API this file uses, written out for the same reason.
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { projectPath } from '../paths.js';

export const INSTALL_HINT = 'run "npm run llm:install" (llm/install.sh: node-llama-cpp into llm/node_modules and Gemma 3 270M into .stack/llm)';

/** Where llm/install.sh puts the model, unless X7_STACK_DIR moves .stack. */
export function defaultModelPath(env: NodeJS.ProcessEnv = process.env): string {
  const stack = env.X7_STACK_DIR ?? projectPath('.stack');
  return `${stack}/llm/gemma-3-270m-q4_k_m.gguf`;
}

export class LlmRuntimeMissingError extends Error {
  override name = 'LlmRuntimeMissingError';
}

/** One message of a chat, as the OpenAI API names its roles. */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface Completion {
  text: string;
  finishReason: 'stop' | 'length';
  promptTokens: number;
  completionTokens: number;
}

/** What the HTTP server needs from a model; a test may give it another. */
export interface ChatEngine {
  readonly modelId: string;
  /** A grammar handle for this JSON schema (node-llama-cpp's GbnfJsonSchema subset), or 'json' for any JSON. */
  grammarFor(schema: Record<string, unknown> | 'json'): Promise<unknown>;
  complete(messages: ChatMessage[], options: { grammar?: unknown; maxTokens: number; temperature: number; signal?: AbortSignal }): Promise<Completion>;
  dispose(): Promise<void>;
}

interface TokenMeterState { usedInputTokens: number; usedOutputTokens: number }
interface NodeLlamaCpp {
  getLlama(options: { gpu: false; build: 'never'; logLevel?: string; progressLogs?: boolean }): Promise<{
    loadModel(options: { modelPath: string }): Promise<{
      createContext(options: { contextSize: number; threads: number; sequences: number }): Promise<{
        getSequence(): { tokenMeter: { getState(): TokenMeterState } };
        dispose(): Promise<void>;
      }>;
      dispose(): Promise<void>;
    }>;
    createGrammarForJsonSchema(schema: unknown): Promise<unknown>;
    getGrammarFor(type: 'json'): Promise<unknown>;
    dispose(): Promise<void>;
  }>;
  LlamaChat: new (options: { contextSequence: unknown }) => {
    generateResponse(history: unknown[], options: Record<string, unknown>): Promise<{ response: string; metadata: { stopReason: string } }>;
  };
}

/** node-llama-cpp from llm/node_modules, or LlmRuntimeMissingError saying how to install it. */
export async function importNodeLlamaCpp(): Promise<NodeLlamaCpp> {
  const entry = projectPath('llm/node_modules/node-llama-cpp/dist/index.js');
  if (!existsSync(entry)) throw new LlmRuntimeMissingError(`node-llama-cpp is not installed in llm/node_modules: ${INSTALL_HINT}`);
  // Never let it fetch or build llama.cpp at run time: only the prebuilt binary from npm is used.
  process.env.NODE_LLAMA_CPP_SKIP_DOWNLOAD = 'true';
  return (await import(pathToFileURL(entry).href)) as NodeLlamaCpp;
}

export interface EngineOptions {
  modelPath: string;
  /** CPU threads for generation. */
  threads: number;
  /** Tokens of prompt plus answer one request may use. */
  contextSize: number;
}

export function defaultThreads(): number {
  // Two, not every core: the model shares a developer's machine with the stack.
  return Math.min(2, availableParallelism());
}

/** Loads the model (a few seconds) and returns an engine that runs one request at a time. */
export async function loadLlamaEngine(options: EngineOptions): Promise<ChatEngine> {
  if (!existsSync(options.modelPath)) {
    throw new LlmRuntimeMissingError(`no model at ${options.modelPath}: ${INSTALL_HINT}, or pass --model PATH to a GGUF file`);
  }
  const lib = await importNodeLlamaCpp();
  const llama = await lib.getLlama({ gpu: false, build: 'never', logLevel: 'error', progressLogs: false });
  const model = await llama.loadModel({ modelPath: options.modelPath });
  // One sequence: the server sends one request at a time, and consecutive requests with
  // the same system prompt reuse its evaluated tokens (LlamaChat keeps the common prefix).
  const context = await model.createContext({ contextSize: options.contextSize, threads: options.threads, sequences: 1 });
  const sequence = context.getSequence();
  const chat = new lib.LlamaChat({ contextSequence: sequence });
  const modelId = options.modelPath.replace(/^.*\//, '').replace(/\.gguf$/i, '');

  return {
    modelId,
    grammarFor: (schema) => (schema === 'json' ? llama.getGrammarFor('json') : llama.createGrammarForJsonSchema(schema)),
    async complete(messages, { grammar, maxTokens, temperature, signal }) {
      const history = messages.map((m) => (m.role === 'assistant' ? { type: 'model', response: [m.content] } : { type: m.role, text: m.content }));
      const before = sequence.tokenMeter.getState();
      const result = await chat.generateResponse(history, {
        grammar, maxTokens, temperature, signal, stopOnAbortSignal: false,
      });
      const after = sequence.tokenMeter.getState();
      return {
        text: result.response,
        finishReason: result.metadata.stopReason === 'maxTokens' ? 'length' : 'stop',
        promptTokens: after.usedInputTokens - before.usedInputTokens,
        completionTokens: after.usedOutputTokens - before.usedOutputTokens,
      };
    },
    async dispose() {
      await context.dispose();
      await model.dispose();
      await llama.dispose();
    },
  };
}
