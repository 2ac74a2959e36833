// The bench's workload: 300 conversations, a third each GLOBAL (search, recommend,
// compare), DEDICATED (menu, FAQ, hours: no bookings) and DASHBOARD (owners'
// analytics questions), messages round-robin over them. Shared by run.js (through
// Kafka) and stages.js (the processors alone).
import { randomUUID } from 'node:crypto';

const LISBON = { lat: 38.7139, lon: -9.1394 };
const CONSUMERS = ['u-diego', 'u-eva', 'u-filipa', 'u-gustavo', 'u-ines', 'u-carla'];
export const DEDICATED_BUSINESSES = [
  'lis-taberna-do-largo', 'lis-cafe-garrett', 'lis-marisqueira-do-cais', 'lis-studio-cabelo-chiado',
  'lis-sushi-do-tejo', 'lis-tasca-da-rosa', 'lis-clinica-das-avenidas', 'lis-agua-do-tejo-spa',
];
// Owners only: every analytics question is allowed for them.
export const DASHBOARD_MEMBERS = [
  ['u-ana', 'lis-taberna-do-largo'], ['u-ana', 'lis-cafe-garrett'], ['u-joao', 'lis-marisqueira-do-cais'],
  ['u-marta', 'lis-studio-cabelo-chiado'], ['u-rui', 'lis-clinica-das-avenidas'], ['u-teresa', 'lis-agua-do-tejo-spa'],
];
export const TEXTS = {
  GLOBAL: [
    'restaurants near me', 'find a cafe', 'sushi near me', 'recommend a cheap restaurant for lunch',
    'where can I get pastel de nata?', 'Compare Vinhos do Chiado and Terraço Santa Luzia', 'bars open now',
    'suggest an upscale restaurant', 'gyms near me',
  ],
  DEDICATED: [
    'What is on the menu?', 'Do you have vegetarian options?', 'Is there parking?', 'How can I pay?',
    'What are your opening hours?', 'What do you recommend?', 'How much does it cost?',
  ],
  DASHBOARD: [
    'How many messages did we get in the last 7 days?', 'How many bookings in the last 30 days?',
    'What are the most common questions?', 'Show me our bookings', 'how many messages this week?',
  ],
};

/** A multi-turn booking, turn by turn (DEDICATED, a restaurant): slot filling, then a change. */
export const BOOKING_TURNS = ['a table for 4 please', 'next saturday at 1pm', 'make it 2pm', 'thanks!'];

export function makeConversations(count) {
  const types = ['GLOBAL', 'DEDICATED', 'DASHBOARD'];
  return Array.from({ length: count }, (_, i) => {
    const chatType = types[i % 3];
    const k = Math.floor(i / 3);
    const base = { id: `c-bench-${chatType.toLowerCase()}-${randomUUID()}`, chatType, turn: 0 };
    if (chatType === 'GLOBAL') return { ...base, userId: CONSUMERS[k % CONSUMERS.length], businessId: null };
    if (chatType === 'DEDICATED') {
      return { ...base, userId: CONSUMERS[k % CONSUMERS.length], businessId: DEDICATED_BUSINESSES[k % DEDICATED_BUSINESSES.length] };
    }
    const [userId, businessId] = DASHBOARD_MEMBERS[k % DASHBOARD_MEMBERS.length];
    return { ...base, userId, businessId };
  });
}

export function nextMessage(conversation, texts = TEXTS[conversation.chatType]) {
  const text = texts === BOOKING_TURNS
    ? texts[conversation.turn++ % texts.length]
    : texts[(conversation.turn++ + conversation.id.charCodeAt(conversation.id.length - 1)) % texts.length];
  return {
    eventId: randomUUID(),
    conversationId: conversation.id,
    chatType: conversation.chatType,
    userId: conversation.userId,
    businessId: conversation.businessId,
    text,
    channel: 'WEB',
    locale: 'en-GB',
    location: conversation.chatType === 'GLOBAL'
      ? { lat: LISBON.lat + ((conversation.turn * 7) % 20 - 10) / 1000, lon: LISBON.lon + ((conversation.turn * 3) % 20 - 10) / 1000 }
      : null,
    sentAt: new Date(),
    clientMessageId: null,
    senderRole: null,
  };
}
