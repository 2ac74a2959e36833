// The chat page in a real browser (Debian's chromium, driven by playwright-core)
// against a real bridge and processor: sign in, send a DEDICATED message, see
// what the processor answers arrive live, reload and see the history again.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectPath } from '../../src/paths.js';
import { freePort, startBridge, type BridgeProcess } from '../support/bridge.js';
import { startX7, stopProcess } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { isolatedConfig, isolatedEnv, uniquePrefix } from '../support/isolation.js';
import { prepareNamespace } from '../support/pipeline.js';

const CHROMIUM = process.env.X7_CHROMIUM ?? '/usr/bin/chromium';
/**
 * The reply the page must show for MESSAGE: DEDICATED's reservations agent books the
 * table. A Saturday evening, which Taberna do Largo is open on whatever day the test runs.
 */
const MESSAGE = 'Do you have a table for 4 next Saturday at 8pm?';
const EXPECTED_REPLY = /^Booked a table for 4\b[^.]*Saturday[^.]*20:00\. It's pending confirmation/m;
/** A message's status once the processor has seen it. */
const PROCESSED = /^(received|thinking|done)$/;

interface StoredEvent {
  kind: string;
  event?: { eventId: string; body: { type: string; text?: string } };
}

describe('chat page', () => {
  let db: TestDatabase;
  let bridge: BridgeProcess;
  let processor: ReturnType<typeof startX7>;
  let context: BrowserContext;
  let profile: string;
  let bridgeOptions: Parameters<typeof startBridge>[0];

  beforeAll(async () => {
    const prefix = uniquePrefix('chat-page');
    await prepareNamespace(isolatedConfig(prefix));
    db = await createTestDatabase({ seed: true, label: 'chat_page' });
    processor = startX7(['processor'], isolatedEnv(prefix, { DATABASE_URL: db.url }));
    bridgeOptions = { prefix, databaseUrl: db.url, port: await freePort(), instanceId: 'chat-page', env: { X7_DEV_TOKENS: '1' } };
    bridge = await startBridge(bridgeOptions);
    profile = mkdtempSync(join(tmpdir(), 'x7-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });

  afterAll(async () => {
    await context?.close();
    if (bridge) await bridge.stop();
    if (processor) await stopProcess(processor);
    await db?.drop();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  async function waitConnected(page: Page): Promise<void> {
    await page.waitForSelector('#connection[data-state="open"]', { timeout: 30_000 });
  }

  /** The events the page stored for a conversation. */
  async function storedEvents(page: Page, conversationId: string): Promise<NonNullable<StoredEvent['event']>[]> {
    const entries = await page.evaluate((id) => JSON.parse(localStorage.getItem(`x7.transcript.${id}`) ?? '[]') as StoredEvent[], conversationId);
    return entries.flatMap((e) => (e.kind === 'event' && e.event ? [e.event] : []));
  }

  /** Waits until no new event has arrived for `quietMs`: the processor is done with the message. */
  async function settle(page: Page, conversationId: string, quietMs = 2_500): Promise<void> {
    let count = -1;
    for (let i = 0; i < 40; i++) {
      const now = (await storedEvents(page, conversationId)).length;
      if (now === count) return;
      count = now;
      await page.waitForTimeout(quietMs);
    }
  }

  it('signs in, sends a message, shows the answer live and the history after a reload', async () => {
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(bridge.http);

    // Sign in as a demo user through the dev token endpoint.
    await page.waitForSelector('#user-select option[value="u-diego"]', { state: 'attached' });
    await page.selectOption('#user-select', 'u-diego');
    await page.click('#sign-in-button');
    await page.waitForSelector('#chat:not([hidden])');
    await waitConnected(page);
    expect(await page.textContent('#who-name')).toBe('u-diego');

    // A DEDICATED chat with Taberna do Largo.
    await page.selectOption('#chat-type', 'DEDICATED');
    await page.selectOption('#business', 'lis-taberna-do-largo');
    const conversationId = (await page.textContent('#conversation-id'))!;
    expect(conversationId).toMatch(/^web-/);
    await page.fill('#message-input', MESSAGE);
    await page.click('#send');

    // Acked by the bridge, then acknowledged by the processor through chat.outbound.
    const mine = page.locator('.entry.user', { hasText: MESSAGE });
    await expect.poll(() => mine.locator('.meta').textContent(), { timeout: 45_000 }).toMatch(PROCESSED);
    await settle(page, conversationId);
    // Every reply that arrived is on the page, with its text.
    const replies = (await storedEvents(page, conversationId)).filter((e) => e.body.type === 'Reply');
    for (const reply of replies) {
      expect(await page.locator(`.entry.reply[data-event-id="${reply.eventId}"] .text`).textContent()).toBe(reply.body.text);
    }
    expect(replies.map((r) => r.body.text).join('\n')).toMatch(EXPECTED_REPLY);
    await expect.poll(() => page.locator('.entry.reply .text', { hasText: 'Booked a table for 4' }).count()).toBe(1);
    const statusAfterFirst = await mine.locator('.meta').textContent();

    // Reload: same user, same conversation, same transcript, connected again.
    await page.reload();
    await waitConnected(page);
    expect(await page.textContent('#conversation-id')).toBe(conversationId);
    expect(await page.locator('.entry.user', { hasText: MESSAGE }).locator('.meta').textContent()).toBe(statusAfterFirst);
    expect(await page.locator('.entry.reply').count()).toBe(replies.length);

    // And the conversation goes on after the reload.
    await page.fill('#message-input', 'And is there a vegetarian option?');
    await page.click('#send');
    await expect.poll(() => page.locator('.entry.user', { hasText: 'vegetarian' }).locator('.meta').textContent(), { timeout: 45_000 }).toMatch(PROCESSED);
    await settle(page, conversationId);
    mkdirSync(projectPath('test-artifacts'), { recursive: true });
    await page.screenshot({ path: projectPath('test-artifacts', 'chat-page.png'), fullPage: true });

    // The bridge keeps the history too: with the page's own copy and cursor gone,
    // subscribing again replays the conversation's events from the bridge.
    const received = (await storedEvents(page, conversationId)).map((e) => e.eventId);
    expect(received.length).toBeGreaterThanOrEqual(2);
    await page.evaluate((id) => {
      localStorage.removeItem(`x7.transcript.${id}`);
      localStorage.removeItem(`x7.cursor.${id}`);
    }, conversationId);
    await page.reload();
    await waitConnected(page);
    const shown = async () => [...new Set(await page.locator('[data-event-id]').evaluateAll((nodes) => nodes.map((n) => (n as HTMLElement).dataset.eventId)))];
    await expect.poll(shown, { timeout: 20_000 }).toEqual(received);
    expect(await page.evaluate((id) => localStorage.getItem(`x7.cursor.${id}`), conversationId)).toMatch(/^\d+-\d+$/);

    // Then a new message joins the replayed history.
    await page.fill('#message-input', 'Thanks!');
    await page.click('#send');
    await expect.poll(() => page.locator('.entry.user', { hasText: 'Thanks!' }).locator('.meta').textContent(), { timeout: 45_000 }).toMatch(PROCESSED);
    expect(pageErrors).toEqual([]);
  }, 120_000);

  it('reconnects by itself when the bridge restarts, and sends what was written meanwhile', async () => {
    const page = await context.newPage(); // same profile: still signed in, same conversation
    await page.goto(bridge.http);
    await waitConnected(page);
    await bridge.kill();
    await page.waitForSelector('#connection[data-state="reconnecting"]', { timeout: 10_000 });
    await page.fill('#message-input', 'Are you open on Sunday?');
    await page.click('#send');
    const pending = page.locator('.entry.user', { hasText: 'Sunday' }).locator('.meta');
    expect(await pending.textContent()).toBe('sending…');
    bridge = await startBridge(bridgeOptions);
    await waitConnected(page);
    await expect.poll(() => pending.textContent(), { timeout: 45_000 }).toMatch(PROCESSED);
  }, 120_000);
});
