// One hand-off end to end on the chat page, in a real browser (Debian's chromium,
// driven by playwright-core), against a real bridge and processor: a customer asks for
// a person; a staff member, in a browser of their own, finds the conversation in the
// inbox, opens it, reads it and answers; the customer sees the answer from a person,
// and their next message waits for the person instead of getting a bot reply; the
// staff member closes the hand-off, and the customer's next message is answered by an
// agent again.
import { mkdirSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectPath } from '../../src/paths.js';
import { freePort, startBridge, type BridgeProcess } from '../support/bridge.js';
import { startX7, stopProcess } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { isolatedConfig, isolatedEnv, uniquePrefix } from '../support/isolation.js';
import { prepareNamespace } from '../support/pipeline.js';

const CHROMIUM = process.env.X7_CHROMIUM ?? '/usr/bin/chromium';
const ASK = 'Can I talk to a person, please?';
const ANSWER = 'Hi Diego, Carla here. How can I help?';
const WHILE_HELD = 'Do you have a high chair for my daughter?';
/** After the hand-off: the menu agent answers this at Taberna do Largo. */
const AFTER = "What's on the menu?";

describe('a hand-off on the chat page', () => {
  let db: TestDatabase;
  let bridge: BridgeProcess;
  let processor: ReturnType<typeof startX7>;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    const prefix = uniquePrefix('handoff-page');
    await prepareNamespace(isolatedConfig(prefix));
    db = await createTestDatabase({ seed: true, label: 'handoff_page' });
    processor = startX7(['processor'], isolatedEnv(prefix, { DATABASE_URL: db.url }));
    bridge = await startBridge({ prefix, databaseUrl: db.url, port: await freePort(), instanceId: 'handoff-page', env: { X7_DEV_TOKENS: '1' } });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  }, 120_000);

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    if (bridge) await bridge.stop();
    if (processor) await stopProcess(processor);
    await db?.drop();
  });

  /** A browser of its own (its own storage: its own sign-in), signed in as `userId`. */
  async function signedIn(userId: string, errors: string[]): Promise<Page> {
    const context = await browser.newContext();
    contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (error) => errors.push(`${userId}: ${error.message}`));
    await page.goto(bridge.http);
    await page.waitForSelector(`#user-select option[value="${userId}"]`, { state: 'attached' });
    await page.selectOption('#user-select', userId);
    await page.click('#sign-in-button');
    await page.waitForSelector('#chat:not([hidden])');
    await page.waitForSelector('#connection[data-state="open"]', { timeout: 30_000 });
    return page;
  }

  async function write(page: Page, text: string): Promise<void> {
    await page.fill('#message-input', text);
    await page.click('#send');
  }

  /** The status the customer's page shows on one of their messages. */
  const statusOf = (page: Page, text: string) => page.locator('.entry.user', { hasText: text }).locator('.meta').textContent();

  it('takes a customer from the assistant to a person and back', async () => {
    const errors: string[] = [];
    const customer = await signedIn('u-diego', errors);
    await customer.selectOption('#chat-type', 'DEDICATED');
    await customer.selectOption('#business', 'lis-taberna-do-largo');
    const conversationId = (await customer.textContent('#conversation-id'))!;
    await write(customer, ASK);
    await expect.poll(() => customer.locator('.entry.reply .text', { hasText: "I'll pass you to the team at Taberna do Largo" }).count(), { timeout: 45_000 }).toBe(1);
    // A customer has no inbox.
    expect(await customer.locator('#inbox-option').getAttribute('hidden')).not.toBeNull();

    // Carla (staff of Taberna do Largo) finds Diego in the inbox and opens the conversation.
    const staff = await signedIn('u-carla', errors);
    await staff.selectOption('#chat-type', 'INBOX');
    const waiting = staff.locator(`.entry.handoff[data-conversation-id="${conversationId}"]`);
    await waiting.waitFor({ timeout: 20_000 });
    expect(await waiting.locator('.who').textContent()).toBe('Diego Ramírez · Taberna do Largo');
    expect(await waiting.locator('.text').textContent()).toBe(`“${ASK}”`);
    await waiting.locator('.open-handoff').click();
    expect(await staff.textContent('#handoff-title')).toContain(conversationId);
    await expect.poll(() => staff.locator('.entry.customer .text').allTextContents(), { timeout: 20_000 }).toEqual([ASK]);

    // Her answer reaches Diego as a message from a person.
    await write(staff, ANSWER);
    const fromPerson = customer.locator('.entry.reply.person');
    await expect.poll(() => fromPerson.locator('.text').allTextContents(), { timeout: 45_000 }).toEqual([ANSWER]);
    expect(await fromPerson.locator('.meta').textContent()).toMatch(/^a person from the team · /);
    await expect.poll(() => staff.locator('.entry.user.sent .meta').allTextContents(), { timeout: 20_000 }).toEqual([expect.stringMatching(/^you · /)]);

    // Diego writes again: his message is processed, no agent answers it, and Carla reads it.
    const repliesBefore = await customer.locator('.entry.reply').count();
    await write(customer, WHILE_HELD);
    await expect.poll(() => statusOf(customer, WHILE_HELD), { timeout: 45_000 }).toBe('done');
    await expect.poll(() => staff.locator('.entry.customer .text').allTextContents(), { timeout: 20_000 }).toEqual([ASK, WHILE_HELD]);
    expect(await customer.locator('.entry.reply').count()).toBe(repliesBefore);

    mkdirSync(projectPath('test-artifacts'), { recursive: true });
    await staff.screenshot({ path: projectPath('test-artifacts', 'handoff-staff.png'), fullPage: true });

    // Carla closes the hand-off: back to her inbox, and Diego is told the assistant is back.
    await staff.click('#handoff-close');
    await staff.locator('.entry.notice', { hasText: 'no longer handed off to you' }).waitFor({ timeout: 20_000 });
    expect(await staff.locator(`.entry.handoff[data-conversation-id="${conversationId}"]`).count()).toBe(0);
    await expect.poll(() => customer.locator('.entry.reply .text', { hasText: 'has handed this conversation back to me' }).count(), { timeout: 45_000 }).toBe(1);

    // Diego's next message is answered by an agent again.
    await write(customer, AFTER);
    const agentReply = customer.locator('.entry.reply:not(.person)', { hasText: 'menu at Taberna do Largo' });
    await agentReply.waitFor({ timeout: 45_000 });
    expect(await agentReply.locator('.meta').textContent()).toMatch(/^menu · /);
    expect(await customer.locator('.entry.reply.person').count()).toBe(1);

    await customer.screenshot({ path: projectPath('test-artifacts', 'handoff-customer.png'), fullPage: true });
    expect(errors).toEqual([]);
  }, 180_000);
});
