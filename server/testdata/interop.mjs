// A livechat client in JavaScript, written from shared/PROTOCOL.md alone.
// Usage: node --experimental-websocket interop.mjs ws://HOST/ws
// It signs in (after a refused look-alike nickname), joins, chats with a
// second client, and exits 0 when everything the protocol document promises
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

// hello signs in and returns the welcome.
async function hello(c, payload) {
  c.send("hello", "h", { protocol: 4, ...payload });
  return expect(c, "welcome");
}

// joined reads joined, presence and the history up to the one marked live.
async function joined(c) {
  const j = await expect(c, "joined");
  const p = await expect(c, "presence");
  c.users = new Set(p.users);
  const messages = [];
  for (;;) {
    const h = await expect(c, "history");
    if (h.room !== j.room) fail("history of another room " + JSON.stringify(h));
    messages.push(...h.messages);
    if (h.live) return { j, p, messages };
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
// A protocol 2 join is refused with a reason to reload.
a.send("join", "old", { nickname: "Ada", room });
if ((await expect(a, "error")).code !== "protocol_outdated") fail("a protocol 2 join was not refused");
const w = await hello(a, { nickname: "Ada", device: "interop" });
if (w.protocol !== 4 || w.you.nickname !== "Ada" || !w.you.id || !w.credential || w.limits.text_max_bytes !== 4096) fail("welcome " + JSON.stringify(w));
a.send("join", "j1", { room });
const { j, p, messages } = await joined(a);
if (j.room !== room || j.last !== 0) fail("joined " + JSON.stringify(j));
if (p.users.join() !== "Ada") fail("presence " + JSON.stringify(p));
if (messages.length !== 0) fail("a new room has history " + JSON.stringify(messages));

const b = await open();
b.send("hello", "h1", { protocol: 4, nickname: "ΑDA" }); // Greek capital alpha
const e = await expect(b, "error");
if (e.code !== "nickname_taken" || e.ref !== "h1" || e.request !== "hello") fail("error " + JSON.stringify(e));
b.send("say", "s0", { room, text: "too early" });
if ((await expect(b, "error")).code !== "unauthorized") fail("say before hello was accepted");
const grace = await hello(b, { nickname: "Grace" });
b.send("say", "s1", { room, text: "too early" });
if ((await expect(b, "error")).code !== "not_joined") fail("say before join was accepted");
b.send("join", "j2", { room });
const { p: bp } = await joined(b);
if (bp.users.length !== 2) fail("presence after second join");
await presenceUntil(a, (u) => u.has("Grace") && u.size === 2);

// A ping is answered with a pong of the same id; a history limit out of
// range is refused, not clamped.
a.send("ping", "p1");
if ((await a.next()).id !== "p1") fail("no pong for p1");
a.send("history", "h0", { room, before: 1, limit: -1 });
const bad = await expect(a, "error");
if (bad.code !== "invalid_request" || bad.ref !== "h0") fail("limit -1 " + JSON.stringify(bad));

b.send("say", "m1", { room, text: "<img src=x> hello Ada" });
let ack = null, mine = null;
while (!ack || !mine) {
  const env = await b.next();
  if (env.type === "ack") ack = env.payload;
  else if (env.type === "message") mine = env.payload;
  else fail("got " + env.type);
}
if (ack.client_id !== "m1" || ack.id !== mine.id) fail("ack " + JSON.stringify(ack));
const m = await expect(a, "message");
if (m.from !== "Grace" || m.author !== grace.you.id || m.room !== room || m.text !== "<img src=x> hello Ada" || m.client_id !== "m1" || !(m.id > 0) || isNaN(Date.parse(m.at))) fail("message " + JSON.stringify(m));

// Resending the same id stores nothing new: only an ack of the first copy.
b.send("say", "m1", { room, text: "<img src=x> hello Ada" });
const again = await expect(b, "ack");
if (!again.duplicate || again.id !== m.id) fail("resend ack " + JSON.stringify(again));

// A third client resumes from before Grace's message and gets it, once.
const c = await open();
await hello(c, { nickname: "Linus" });
c.send("join", "j3", { room, since: m.id - 1 });
const resumed = (await joined(c)).messages;
if (resumed.length !== 1 || resumed[0].id !== m.id) fail("resumed " + JSON.stringify(resumed));
c.send("history", "h1", { room, before: m.id + 1, limit: 10 });
const page = await expect(c, "history");
if (page.before !== m.id + 1 || page.messages.length !== 1 || page.more) fail("page " + JSON.stringify(page));
c.ws.close(1000);
for (const x of [a, b]) await presenceUntil(x, (u) => !u.has("Linus") && u.size === 2);

// Grace opens a second window with her credential: she is in the room
// once; she leaves when her last window does.
const b2 = await open();
const again2 = await hello(b2, { credential: grace.credential });
if (again2.you.id !== grace.you.id || again2.credential) fail("second window " + JSON.stringify(again2));
b2.send("join", "j4", { room, history: 0 });
if ((await joined(b2)).p.users.length !== 2) fail("Grace counted twice");
b2.send("leave", "l1", { room });
if ((await expect(b2, "left")).room !== room) fail("no left");
b.ws.close(1000);
await presenceUntil(a, (u) => !u.has("Grace") && u.size === 1);
b2.ws.close(1000);
a.ws.close(1000);
console.log("interop: ok");
process.exit(0);
