// The chat page: sign in, pick a chat, talk. State that must survive a reload
// (token, the conversation of each chat, its transcript and cursor) lives in
// localStorage; everything else is derived.
import { StreamClient, type CardJson, type ConnectionState, type OutboundEventJson, type ServerError } from './client.js';
import { Inbox } from './inbox.js';

type Entry =
  | { kind: 'user'; clientMessageId: string; text: string; state: 'sending' | 'sent' | 'refused'; eventId?: string; status?: string; error?: string; at: string }
  | { kind: 'event'; event: OutboundEventJson; cursor: string }
  | { kind: 'notice'; text: string };

interface Business {
  id: string;
  name: string;
  category: string;
  city: string;
  role: string | null;
}

const MAX_ENTRIES = 200;
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

let token = localStorage.getItem('x7.token');
let userId = localStorage.getItem('x7.userId');
let client: StreamClient | null = null;
let businesses: Business[] = [];
let conversationId: string | null = null;
let current: { chatType: string; businessId: string | null } = { chatType: 'DEDICATED', businessId: null };
/** Where the user is, once they agreed to share it (GLOBAL chats rank results by distance). */
let sharedLocation: { lat: number; lon: number } | null = null;
/** Not a chat type: the staff inbox of handed-off conversations (./inbox.ts). */
const INBOX = 'INBOX';
const inbox = new Inbox({
  api,
  send: (message) => client?.send(message),
  subscribe: (id) => client?.subscribe(id),
  unsubscribe: (id) => client?.unsubscribe(id),
  el,
  time,
  newId,
  userId: () => userId,
  list: $('transcript'),
  bar: { root: $('handoff-bar'), title: $('handoff-title'), back: $<HTMLButtonElement>('inbox-back'), close: $<HTMLButtonElement>('handoff-close') },
  onComposable: (composable) => {
    $<HTMLInputElement>('message-input').disabled = !composable;
    $<HTMLButtonElement>('send').disabled = !composable;
  },
});

// ---- storage ------------------------------------------------------------

function transcript(id: string): Entry[] {
  try {
    return JSON.parse(localStorage.getItem(`x7.transcript.${id}`) ?? '[]') as Entry[];
  } catch {
    return [];
  }
}

function saveTranscript(id: string, entries: Entry[]): void {
  localStorage.setItem(`x7.transcript.${id}`, JSON.stringify(entries.slice(-MAX_ENTRIES)));
}

function update(id: string, change: (entries: Entry[]) => void): void {
  const entries = transcript(id);
  change(entries);
  saveTranscript(id, entries);
  if (id === conversationId) render(entries);
}

function conversationKey(): string {
  return `x7.conv.${userId}.${current.chatType}.${current.businessId ?? 'all'}`;
}

function newId(prefix: string): string {
  return `${prefix}-${crypto.randomUUID()}`;
}

// ---- rendering ----------------------------------------------------------

function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: { className?: string; text?: string } = {}, ...children: Node[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (props.className) node.className = props.className;
  if (props.text !== undefined) node.textContent = props.text;
  node.append(...children);
  return node;
}

function render(entries: Entry[]): void {
  const list = $('transcript');
  // Statuses about a message of ours are shown on that message, not as lines of their own.
  const mine = new Map(entries.flatMap((e) => (e.kind === 'user' && e.eventId ? [[e.eventId, e] as const] : [])));
  // A person's answer in a handed-off conversation is a message someone else wrote: its
  // statuses are about their message, not the customer's, and say nothing the answer does not.
  const byPerson = new Set(entries.flatMap((e) => (e.kind === 'event' && e.event.body.type === 'Reply' && e.event.body.agent.startsWith('staff:') && e.event.causationId ? [e.event.causationId] : [])));
  const items: HTMLElement[] = [];
  for (const entry of entries) {
    if (entry.kind === 'user') {
      const meta = entry.state === 'refused' ? `not sent: ${entry.error ?? ''}` : entry.state === 'sending' ? 'sending…' : (entry.status ?? 'sent').toLowerCase();
      const li = el('li', { className: `entry user ${entry.state}` }, el('div', { className: 'text', text: entry.text }), el('div', { className: 'meta', text: meta }));
      li.dataset.clientMessageId = entry.clientMessageId;
      items.push(li);
    } else if (entry.kind === 'notice') {
      items.push(el('li', { className: 'entry notice', text: entry.text }));
    } else {
      const before = items.length;
      renderEvent(entry, mine, byPerson, items);
      // Tests (and curious people with devtools) can tell which event a line shows.
      for (const item of items.slice(before)) item.dataset.eventId = entry.event.eventId;
    }
  }
  list.replaceChildren(...items);
  list.lastElementChild?.scrollIntoView({ block: 'end' });
}

function renderEvent(entry: Extract<Entry, { kind: 'event' }>, mine: Map<string, unknown>, byPerson: Set<string>, items: HTMLElement[]): void {
  const body = entry.event.body;
  switch (body.type) {
    case 'StatusUpdate': {
      if (entry.event.causationId && (mine.has(entry.event.causationId) || byPerson.has(entry.event.causationId))) return;
      items.push(el('li', { className: 'entry status', text: `${body.status.toLowerCase()}${body.detail ? `: ${body.detail}` : ''}` }));
      break;
    }
    case 'Reply': {
      // A person of the business answering a handed-off conversation, not an agent (agent staff:<id>).
      const person = body.agent.startsWith('staff:');
      const li = el('li', { className: `entry reply${person ? ' person' : ''}` }, el('div', { className: 'text', text: body.text }));
      if (body.cards.length > 0) li.append(el('div', { className: 'cards' }, ...body.cards.map(card)));
      if (body.suggestions.length > 0) {
        li.append(el('div', { className: 'suggestions' }, ...body.suggestions.map((s) => {
          const button = el('button', { text: s });
          button.type = 'button';
          button.onclick = () => sendMessage(s);
          return button;
        })));
      }
      li.append(el('div', { className: 'meta', text: `${person ? 'a person from the team' : body.agent} · ${time(entry.event.producedAt)}` }));
      items.push(li);
      break;
    }
    case 'WorkflowUpdate':
      items.push(el('li', { className: 'entry workflow', text: `${body.workflowType.toLowerCase().replace(/_/g, ' ')} ${body.status.toLowerCase().replace(/_/g, ' ')}${body.detail ? `: ${body.detail}` : ''}` }));
      break;
    case 'ErrorNotice':
      items.push(el('li', { className: 'entry error-notice', text: body.message }));
      break;
  }
}

function card(c: CardJson): HTMLElement {
  const fields = el('dl');
  for (const [label, value] of Object.entries(c.fields)) fields.append(el('dt', { text: label }), el('dd', { text: value }));
  const node = el('div', { className: `card ${c.kind.toLowerCase()}` }, el('h3', { text: c.title }));
  if (c.subtitle) node.append(el('div', { className: 'muted', text: c.subtitle }));
  node.append(fields);
  return node;
}

function time(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '' : date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

function showState(state: ConnectionState, detail?: string): void {
  const node = $('connection');
  node.dataset.state = state;
  const labels: Record<ConnectionState, string> = { connecting: 'connecting…', open: 'connected', reconnecting: 'reconnecting…', unauthorized: 'signed out', closed: 'offline' };
  node.textContent = detail ? `${labels[state]} (${detail})` : labels[state];
  if (state === 'unauthorized' && detail === 'token expired') signOut('Your session expired; sign in again.');
}

// ---- conversation selection ----------------------------------------------

function fillBusinesses(): void {
  const select = $<HTMLSelectElement>('business');
  const chatType = $<HTMLSelectElement>('chat-type').value;
  // The inbox is for members; it lists the hand-offs of all their businesses at once.
  $('inbox-option').hidden = !businesses.some((b) => b.role !== null);
  const choices = chatType === 'DASHBOARD' ? businesses.filter((b) => b.role !== null) : businesses;
  const previous = select.value;
  select.replaceChildren(...choices.map((b) => {
    const option = el('option', { text: `${b.name} · ${b.category}, ${b.city}${b.role ? ` (${b.role})` : ''}` });
    option.value = b.id;
    return option;
  }));
  if (choices.some((b) => b.id === previous)) select.value = previous;
  $('business-label').hidden = chatType === 'GLOBAL' || chatType === INBOX;
  $('new-conversation').hidden = chatType === INBOX;
  $('location-label').hidden = chatType !== 'GLOBAL';
}

function selectConversation(fresh = false): void {
  const chatType = $<HTMLSelectElement>('chat-type').value;
  if (chatType === INBOX) {
    current = { chatType, businessId: null };
    localStorage.setItem(`x7.selection.${userId}`, JSON.stringify(current));
    if (conversationId) client?.unsubscribe(conversationId);
    conversationId = null;
    $('conversation-id').textContent = '';
    void inbox.showList();
    return;
  }
  inbox.deactivate();
  const businessId = chatType === 'GLOBAL' ? null : $<HTMLSelectElement>('business').value || null;
  current = { chatType, businessId };
  localStorage.setItem(`x7.selection.${userId}`, JSON.stringify(current));
  const usable = chatType === 'GLOBAL' || businessId !== null;
  $<HTMLInputElement>('message-input').disabled = !usable;
  $<HTMLButtonElement>('send').disabled = !usable;
  if (conversationId) client?.unsubscribe(conversationId);
  conversationId = null;
  if (!usable) {
    $('transcript').replaceChildren(el('li', { className: 'entry notice', text: chatType === 'DASHBOARD' ? 'You are not a member of any business.' : 'No business to talk to.' }));
    return;
  }
  let id = fresh ? null : localStorage.getItem(conversationKey());
  if (!id) {
    id = newId('web');
    localStorage.setItem(conversationKey(), id);
  }
  conversationId = id;
  $('conversation-id').textContent = id;
  render(transcript(id));
  client?.subscribe(id);
}

function sendMessage(text: string): void {
  if (inbox.conversationId) return inbox.send(text);
  if (!conversationId || !client || text.trim() === '') return;
  const clientMessageId = newId('m');
  update(conversationId, (entries) => entries.push({ kind: 'user', clientMessageId, text, state: 'sending', at: new Date().toISOString() }));
  const location = current.chatType === 'GLOBAL' ? sharedLocation : null;
  client.send({ clientMessageId, conversationId, chatType: current.chatType, businessId: current.businessId, text, location });
}

// ---- stream handlers ------------------------------------------------------

function findUser(entries: Entry[], clientMessageId: string) {
  return entries.find((e): e is Extract<Entry, { kind: 'user' }> => e.kind === 'user' && e.clientMessageId === clientMessageId);
}

/** Which stored transcript holds a message of ours (it may belong to a chat not on screen). */
function conversationOfMessage(clientMessageId: string): string | null {
  for (let i = 0; i < localStorage.length; i++) {
    const key = localStorage.key(i);
    if (key?.startsWith('x7.transcript.')) {
      const id = key.slice('x7.transcript.'.length);
      if (findUser(transcript(id), clientMessageId)) return id;
    }
  }
  return null;
}

function startClient(): void {
  client?.close();
  client = new StreamClient(token!, {
    onState: showState,
    onEvent(id, event, cursor) {
      if (id === inbox.conversationId) return inbox.onEvent(event);
      update(id, (entries) => {
        if (entries.some((e) => e.kind === 'event' && e.event.eventId === event.eventId)) return;
        entries.push({ kind: 'event', event, cursor });
        if (event.body.type === 'StatusUpdate') {
          const mine = entries.find((e): e is Extract<Entry, { kind: 'user' }> => e.kind === 'user' && e.eventId === event.causationId);
          if (mine) mine.status = event.body.status;
        }
      });
    },
    onAck(clientMessageId, eventId) {
      if (inbox.owns(clientMessageId)) return inbox.onAck(clientMessageId, eventId);
      const id = conversationOfMessage(clientMessageId);
      if (!id) return;
      update(id, (entries) => {
        const mine = findUser(entries, clientMessageId);
        if (mine) Object.assign(mine, { state: 'sent', eventId });
      });
    },
    onError(error: ServerError) {
      if (inbox.onError(error)) return;
      const id = error.ref ? conversationOfMessage(error.ref) : null;
      if (id && error.code !== 'UNAVAILABLE' && error.code !== 'RATE_LIMITED') {
        update(id, (entries) => {
          const mine = findUser(entries, error.ref!);
          if (mine) Object.assign(mine, { state: 'refused', error: error.message });
        });
        return;
      }
      const target = id ?? conversationId;
      if (target) update(target, (entries) => entries.push({ kind: 'notice', text: `${error.code}: ${error.message}` }));
    },
    onSubscribed() {},
    onConnectFailed() {
      api('/api/businesses').catch((error: { status?: number }) => {
        if (error.status === 401) signOut('Your session has ended; sign in again.');
      });
    },
    onGap(id) {
      update(id, (entries) => entries.push({ kind: 'notice', text: 'Some earlier updates are no longer available.' }));
    },
  });
  client.connect();
}

// ---- sign in --------------------------------------------------------------

async function api<T>(path: string, init: RequestInit = {}): Promise<T> {
  const headers = new Headers(init.headers);
  if (token) headers.set('authorization', `Bearer ${token}`);
  if (init.body) headers.set('content-type', 'application/json');
  const response = await fetch(path, { ...init, headers });
  if (!response.ok) {
    const body = (await response.json().catch(() => ({}))) as { error?: string };
    throw Object.assign(new Error(body.error ?? response.statusText), { status: response.status });
  }
  return (await response.json()) as T;
}

async function showSignIn(message = ''): Promise<void> {
  $('chat').hidden = true;
  $('who').hidden = true;
  $('sign-in').hidden = false;
  $('sign-in-error').textContent = message;
  try {
    const { users } = await api<{ users: { id: string; displayName: string; memberships: { businessId: string; role: string }[] }[] }>('/dev/users');
    $<HTMLSelectElement>('user-select').replaceChildren(...users.map((u) => {
      const roles = u.memberships.map((m) => `${m.role} of ${m.businessId}`).join(', ');
      const option = el('option', { text: roles ? `${u.displayName} — ${roles}` : u.displayName });
      option.value = u.id;
      return option;
    }));
    $('sign-in-form').hidden = false;
  } catch {
    // No dev sign-in on this bridge: a token from the identity provider is the way in.
    $('sign-in-form').hidden = true;
    $<HTMLDetailsElement>('token-sign-in').open = true;
  }
}

async function enterChat(): Promise<void> {
  try {
    const me = await api<{ userId: string; businesses: Business[] }>('/api/businesses');
    userId = me.userId;
    businesses = me.businesses;
  } catch (error) {
    if ((error as { status?: number }).status === 401) return signOut('Please sign in.');
    $('sign-in-error').textContent = `Cannot load businesses: ${(error as Error).message}`;
    return;
  }
  localStorage.setItem('x7.userId', userId);
  $('sign-in').hidden = true;
  $('chat').hidden = false;
  $('who').hidden = false;
  $('who-name').textContent = userId;
  startClient();
  // Back to the chat this user had open before the reload.
  const saved = JSON.parse(localStorage.getItem(`x7.selection.${userId}`) ?? 'null') as { chatType: string; businessId: string | null } | null;
  if (saved) $<HTMLSelectElement>('chat-type').value = saved.chatType;
  fillBusinesses();
  if (saved?.businessId && businesses.some((b) => b.id === saved.businessId)) $<HTMLSelectElement>('business').value = saved.businessId;
  selectConversation();
}

function signOut(message = ''): void {
  client?.close();
  client = null;
  token = null;
  localStorage.removeItem('x7.token');
  localStorage.removeItem('x7.userId');
  void showSignIn(message);
}

$('sign-in-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  try {
    const result = await api<{ token: string }>('/dev/token', { method: 'POST', body: JSON.stringify({ userId: $<HTMLSelectElement>('user-select').value }) });
    token = result.token;
    localStorage.setItem('x7.token', token);
    await enterChat();
  } catch (error) {
    $('sign-in-error').textContent = (error as Error).message;
  }
});
$('token-form').addEventListener('submit', (e) => {
  e.preventDefault();
  token = $<HTMLInputElement>('token-input').value.trim();
  localStorage.setItem('x7.token', token);
  void enterChat();
});
$('sign-out').addEventListener('click', () => signOut());
$('chat-type').addEventListener('change', () => {
  fillBusinesses();
  selectConversation();
});
$('business').addEventListener('change', () => selectConversation());
$('new-conversation').addEventListener('click', () => selectConversation(true));
$<HTMLInputElement>('share-location').addEventListener('change', (e) => {
  const box = e.target as HTMLInputElement;
  sharedLocation = null;
  if (!box.checked) return;
  navigator.geolocation.getCurrentPosition(
    (p) => (sharedLocation = { lat: p.coords.latitude, lon: p.coords.longitude }),
    () => (box.checked = false),
  );
});
$('composer').addEventListener('submit', (e) => {
  e.preventDefault();
  const input = $<HTMLInputElement>('message-input');
  sendMessage(input.value);
  input.value = '';
});

if (token) void enterChat();
else void showSignIn();
