import { describe, expect, it } from 'vitest';
import { ProcessorRegistry, type ChatProcessor } from '../../src/pipeline/processor.js';
import type { ChatType } from '../../src/events.js';

const stub = (chatType: ChatType): ChatProcessor => ({ chatType, process: async () => [] });

describe('the processor registry', () => {
  it('maps each chat type to its processor', () => {
    const registry = new ProcessorRegistry([stub('DEDICATED'), stub('DASHBOARD'), stub('GLOBAL')]);
    expect(registry.get('DASHBOARD').chatType).toBe('DASHBOARD');
  });

  it('refuses to exist when chat types have no processor, naming them', () => {
    expect(() => new ProcessorRegistry([stub('DEDICATED')])).toThrow(/no processor for chat types DASHBOARD, GLOBAL/);
    expect(() => new ProcessorRegistry([])).toThrow(/DEDICATED, DASHBOARD, GLOBAL/);
  });

  it('refuses two processors for one chat type', () => {
    expect(() => new ProcessorRegistry([stub('DEDICATED'), stub('DEDICATED'), stub('DASHBOARD'), stub('GLOBAL')])).toThrow(/more than one processor for DEDICATED/);
  });
});
