// A livechat client in JavaScript, written from shared/PROTOCOL.md alone.
// Usage: node --experimental-websocket interop.mjs ws://HOST/ws
// It joins (after a refused duplicate nickname), chats with a second
// client, and exits 0 when everything the protocol document promises
// happened.
const url = process.argv[2];
const fail = (msg) => { console.error("interop: " + msg); process.exit(1); };
setTimeout(() => fail("timed out"), 10000);

function open() {
  const ws = new WebSocket(url);
  const queue = [], waiters = [];
  const deliver = (env) => {
    const w = waiters.shift();
    w ? w(env) : queue.push(env);
  };
  ws.onmessage = (ev) => {
    if (typeof ev.data !== "string") fail("got a binary frame");
    const env = JSON.parse(ev.data);
    // A batch carries several envelopes, to handle in order.
    if (env.type === "batch") env.payload.forEach(deliver);
    else deliver(env);
  };
  ws.onerror = () => fail("socket error");
  const next = () => queue.length ? Promise.resolve(queue.shift()) : new Promise((r) => waiters.push(r));
  const send = (type, id, payload) => ws.send(JSON.stringify({ type, id, payload }));
  const closed = new Promise((r) => { ws.onclose = (ev) => r(ev.code); });
  return new Promise((resolve) => { ws.onopen = () => resolve({ ws, next, send, closed, users: new Set() }); });
}

// presenceUntil applies presence updates to c.users until cond holds,
// failing on any other event.
async function presenceUntil(c, cond) {
  while (!cond(c.users)) {
    const u = await expect(c, "presence_update");
    (u.joined || []).forEach((n) => c.users.add(n));
    (u.left || []).forEach((n) => c.users.delete(n));
    if (u.online !== c.users.size) fail(`online ${u.online}, users ${[...c.users]}`);
  }
}

async function expect(c, type) {
  const env = await c.next();
  if (env.type !== type) fail(`got ${env.type} ${JSON.stringify(env.payload)}, want ${type}`);
  return env.payload;
}

// joined reads welcome, presence and the history up to the one marked live.
async function joined(c) {
  const w = await expect(c, "welcome");
  const p = await expect(c, "presence");
  c.users = new Set(p.users);
  const messages = [];
  for (;;) {
    const h = await expect(c, "history");
    messages.push(...h.messages);
    if (h.live) return { w, p, messages };
  }
}

// next event that is not an ack (acks are checked where they matter).
async function expectSkippingAcks(c, type) {
  for (;;) {
    const env = await c.next();
    if (env.type === "ack") continue;
    if (env.type !== type) fail(`got ${env.type} ${JSON.stringify(env.payload)}, want ${type}`);
    return env.payload;
  }
}

const room = "interop-" + Math.random().toString(36).slice(2, 10);
const a = await open();
a.send("join", "j1", { nickname: "Ada", room });
const { w, p, messages } = await joined(a);
if (w.protocol !== 2 || w.nickname !== "Ada" || w.limits.text_max_bytes !== 4096) fail("welcome " + JSON.stringify(w));
if (p.users.join() !== "Ada") fail("presence " + JSON.stringify(p));
if (messages.length !== 0) fail("a new room has history " + JSON.stringify(messages));

const b = await open();
b.send("join", "j1", { nickname: "ADA", room });
const e = await expect(b, "error");
if (e.code !== "nickname_taken" || e.ref !== "j1" || e.request !== "join") fail("error " + JSON.stringify(e));
b.send("say", "s0", { text: "too early" });
if ((await expect(b, "error")).code !== "not_joined") fail("say before join was accepted");
b.send("join", "j2", { nickname: "Grace", room });
const { w: grace, p: bp } = await joined(b);
if (bp.users.length !== 2) fail("presence after second join");
await presenceUntil(a, (u) => u.has("Grace") && u.size === 2);

// A ping is answered with a pong of the same id; a history limit out of
// range is refused, not clamped.
a.send("ping", "p1");
if ((await a.next()).id !== "p1") fail("no pong for p1");
a.send("history", "h0", { before: 1, limit: -1 });
const bad = await expect(a, "error");
if (bad.code !== "invalid_request" || bad.ref !== "h0") fail("limit -1 " + JSON.stringify(bad));

b.send("say", "m1", { text: "<img src=x> hello Ada" });
let ack = null, mine = null;
while (!ack || !mine) {
  const env = await b.next();
  if (env.type === "ack") ack = env.payload;
  else if (env.type === "message") mine = env.payload;
  else fail("got " + env.type);
}
if (ack.client_id !== "m1" || ack.id !== mine.id) fail("ack " + JSON.stringify(ack));
const m = await expect(a, "message");
if (m.from !== "Grace" || m.text !== "<img src=x> hello Ada" || m.client_id !== "m1" || !(m.id > 0) || isNaN(Date.parse(m.at))) fail("message " + JSON.stringify(m));

// Resending the same id stores nothing new: only an ack of the first copy.
b.send("say", "m1", { text: "<img src=x> hello Ada" });
const again = await expect(b, "ack");
if (!again.duplicate || again.id !== m.id) fail("resend ack " + JSON.stringify(again));

// A third client resumes from before Grace's message and gets it, once.
const c = await open();
c.send("join", "j3", { nickname: "Linus", room, since: m.id - 1 });
const resumed = (await joined(c)).messages;
if (resumed.length !== 1 || resumed[0].id !== m.id) fail("resumed " + JSON.stringify(resumed));
c.send("history", "h1", { before: m.id + 1, limit: 10 });
const page = await expect(c, "history");
if (page.before !== m.id + 1 || page.messages.length !== 1 || page.more) fail("page " + JSON.stringify(page));
c.ws.close(1000);
for (const x of [a, b]) await presenceUntil(x, (u) => !u.has("Linus") && u.size === 2);

// Grace comes back from another window with her session: the old
// connection is told why, then closed with 4001, and nobody sees her go.
const b2 = await open();
b2.send("join", "j4", { nickname: "Grace", room, session: grace.session, history: 0 });
await joined(b2);
const bye = await expect(b, "closing");
if (bye.status !== 4001) fail("closing " + JSON.stringify(bye));
if ((await b.closed) !== 4001) fail("the replaced connection was not closed with 4001");
b2.ws.close(1000);
await presenceUntil(a, (u) => !u.has("Grace") && u.size === 1);
a.ws.close(1000);
console.log("interop: ok");
process.exit(0);
