// `x7 dev`'s local-model switch as an operator meets it: X7_LLM and X7_LLM_PORT are read
// before anything starts, so a wrong value is one clear line and exit 2, with no stack,
// topics or processes touched.
import { describe, expect, it } from 'vitest';
import { runX7 } from '../support/cli.js';

describe('x7 dev with X7_LLM', () => {
  it('refuses an X7_LLM other than empty or "local", naming it', async () => {
    const result = await runX7(['dev', '--no-stack'], { X7_LLM: 'openai' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('X7_LLM must be empty or "local", not "openai"');
    expect(result.stderr).not.toContain('[dev] x7 topics apply');
  });

  it('with X7_LLM=local, refuses an X7_LLM_PORT that is no port', async () => {
    const result = await runX7(['dev', '--no-stack'], { X7_LLM: 'local', X7_LLM_PORT: '99999' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('X7_LLM_PORT must be a port number, not "99999"');
  });
});
