// The Broadside sandbox console: chat with the bot as a member or as a recipient.
// Built on the JSON API documented in bot/sandbox/console.py; no framework, no build step.
"use strict";

const POLL_MS = 1000;
const FAST_POLL_MS = 250;
const FAST_AFTER_ACTION_MS = 4000;
const MEMBERS_KEY = "broadside.console.members";
const PLATFORMS = { telegram: "Telegram", line: "LINE", whatsapp: "WhatsApp" };
// Which calls "the next N sends" means, per platform (fnmatch patterns, see faults.py).
const SEND_PATTERNS = { telegram: "send*", line: "/v2/bot/message/*", whatsapp: "*/messages" };
const FAULT_TEXT = {
  rate_limit: "answer 429",
  server_error: "answer 5xx",
  blocked: "act as if blocked",
  timeout: "time out",
};
const ADD_FORM_TEXT = {
  telegram: ["Telegram user id", "A number. Leave it empty for a new one."],
  line: ["LINE user id", "Optional: U and 32 hex digits. They add Broadside as a friend."],
  whatsapp: ["WhatsApp number", "With the country code, e.g. +1 555 000 1234."],
};
const EVENT_TEXT = {
  follow: "You added Broadside as a friend",
  unfollow: "You blocked Broadside",
  block: "You blocked the bot",
  unblock: "You unblocked the bot",
};

const store = {
  cursor: 0,
  callsCursor: 0,
  recentCalls: [],
  people: new Map(), // persona key ("telegram:1001") -> person
  chats: new Map(), // persona key -> Map(entry id -> entry)
  versions: new Map(), // persona key -> change counter, to re-render only what changed
  rendered: { chat: "", people: "", panel: "" },
  members: loadMembers(),
  selected: null,
  loaded: false,
  fastUntil: 0,
  timer: 0,
  polling: false,
  pollAgain: false,
};

// --- small helpers ------------------------------------------------------------------------

const byTestId = (id) => document.querySelector(`[data-testid="${id}"]`);

/** An element with attributes (on* are listeners, testid is data-testid) and children. */
function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "testid") node.dataset.testid = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  node.append(...children.flat().filter((child) => child !== null && child !== undefined));
  return node;
}

async function api(method, path, body) {
  const options = { method, headers: {} };
  if (body instanceof FormData) {
    options.body = body;
  } else if (body !== undefined) {
    options.body = JSON.stringify(body);
    options.headers["Content-Type"] = "application/json";
  }
  const response = await fetch(`/console/api/${path}`, options);
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(answer.error || `${response.status} ${response.statusText}`);
  return answer;
}

function randomTelegramId() {
  return String(1_000_000_000 + Math.floor(Math.random() * 8_000_000_000));
}

function randomLineId() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return "U" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** A small label inside a bubble ("File"); plain text, so it needs no emoji font. */
function tag(text) {
  return el("span", { class: "tag" }, text);
}

function formatSize(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

// --- the two member personas (ids kept in this browser) -----------------------------------

function loadMembers() {
  let saved = {};
  try {
    saved = JSON.parse(localStorage.getItem(MEMBERS_KEY) || "{}");
  } catch {
    saved = {};
  }
  const members = {
    telegram: saved.telegram || randomTelegramId(),
    line: saved.line || randomLineId(),
  };
  localStorage.setItem(MEMBERS_KEY, JSON.stringify(members));
  return members;
}

function memberKey(platform) {
  return `${platform}:${store.members[platform]}`;
}

function isMember(key) {
  return key === memberKey("telegram") || key === memberKey("line");
}

function person(key) {
  if (!store.people.has(key)) {
    const [platform, id] = [key.slice(0, key.indexOf(":")), key.slice(key.indexOf(":") + 1)];
    store.people.set(key, { key, platform, id, name: null, known: false, unseen: 0 });
  }
  return store.people.get(key);
}

function displayName(who) {
  if (isMember(who.key)) return `Member on ${PLATFORMS[who.platform]}`;
  return who.name || (who.platform === "whatsapp" ? `+${who.id}` : who.id);
}

function startOver(platform) {
  store.members[platform] = platform === "telegram" ? randomTelegramId() : randomLineId();
  localStorage.setItem(MEMBERS_KEY, JSON.stringify(store.members));
  select(memberKey(platform));
}

// --- reading the sandbox's state ----------------------------------------------------------

function absorbState(state) {
  for (const user of state.telegram.users) {
    absorbPerson("telegram", user.user_id, user, {
      name: user.first_name,
      language: user.language_code,
      blocked: user.blocked,
    });
  }
  for (const user of state.line.users) {
    absorbPerson("line", user.user_id, user, {
      name: user.display_name,
      language: user.language,
      following: user.following,
    });
  }
  for (const user of state.whatsapp.users) {
    absorbPerson("whatsapp", user.wa_id, user, { name: user.name });
  }
  store.cursor = Math.max(store.cursor, state.cursor);
  store.panel = state;
  store.loaded = true;
}

function absorbPerson(platform, id, user, profile) {
  const who = person(`${platform}:${id}`);
  const changed = !who.known || JSON.stringify(profile) !== JSON.stringify(who.profile);
  Object.assign(who, profile, { known: true, profile });
  const added = absorbEntries(who, user.inbox, "bot") + absorbEntries(who, user.said, "person");
  if (changed || added) bump(who.key);
}

/** Merge new chat entries; an edited message keeps its place. Returns how many changed. */
function absorbEntries(who, entries, from) {
  if (!entries.length) return 0;
  const chat = store.chats.get(who.key) || new Map();
  store.chats.set(who.key, chat);
  let fresh = 0;
  for (const entry of entries) {
    const id = from === "bot" ? `b:${entry.message_id}` : `p:${entry.id}`;
    const previous = chat.get(id);
    if (previous && previous.seq >= entry.seq) continue;
    if (!previous && from === "bot") fresh += 1;
    chat.set(id, { ...entry, id, from, order: previous ? previous.order : entry.seq });
  }
  if (store.loaded && who.key !== store.selected) who.unseen += fresh;
  return entries.length;
}

function bump(key) {
  store.versions.set(key, (store.versions.get(key) || 0) + 1);
}

async function absorbCalls() {
  const answer = await api("GET", `calls?since=${store.callsCursor}`);
  store.callsCursor = answer.cursor;
  store.recentCalls = [...store.recentCalls, ...answer.calls].slice(-8);
}

// --- polling --------------------------------------------------------------------------------

async function poll() {
  if (store.polling) {
    store.pollAgain = true;
    return;
  }
  store.polling = true;
  try {
    const state = await api("GET", `state?since=${store.cursor}`);
    absorbState(state);
    if (state.calls > store.callsCursor) await absorbCalls();
    byTestId("connection").textContent = "";
    render();
  } catch (error) {
    byTestId("connection").textContent = `Can't reach the sandbox (${error.message}), retrying…`;
  } finally {
    store.polling = false;
    schedule(store.pollAgain ? 0 : undefined);
    store.pollAgain = false;
  }
}

function schedule(delay) {
  clearTimeout(store.timer);
  const fast = Date.now() < store.fastUntil;
  store.timer = setTimeout(poll, delay ?? (fast ? FAST_POLL_MS : POLL_MS));
}

/** After an action the bot answers within moments: look more often for a while. */
function pollSoon() {
  store.fastUntil = Date.now() + FAST_AFTER_ACTION_MS;
  schedule(0);
}

// --- acting as the selected person ----------------------------------------------------------

async function act(platform, action, body) {
  showChatError("");
  try {
    return await api("POST", `${platform}/${action}`, body);
  } catch (error) {
    showChatError(`That did not work: ${error.message}`);
    return null;
  } finally {
    pollSoon();
  }
}

function showChatError(text) {
  byTestId("chat-error").textContent = text;
}

function sendText(who, text) {
  if (who.platform === "telegram") {
    return act("telegram", "send_text", {
      user_id: Number(who.id),
      text,
      first_name: who.name || "Member",
      language_code: who.language === undefined ? "en" : who.language,
    });
  }
  if (who.platform === "line") return act("line", "send_text", { user_id: who.id, text });
  return act("whatsapp", "send_text", { wa_id: who.id, text, name: who.name || "Test" });
}

function press(who, entry, button) {
  if (who.platform === "telegram") {
    const body = { user_id: Number(who.id), message_id: entry.message_id, data: button.data };
    return act("telegram", "press_button", body);
  }
  const body = { user_id: who.id, data: button.data, display_text: button.label };
  return act("line", "postback", body);
}

function follow(who) {
  const profile = { display_name: who.name || "Member", language: who.language || "en" };
  return act("line", "follow", { user_id: who.id, ...profile });
}

function sendFile(who, file) {
  const form = new FormData();
  form.append("user_id", who.id);
  form.append("file", file, file.name);
  return act(who.platform, who.platform === "telegram" ? "send_document" : "send_file", form);
}

// --- rendering: people ----------------------------------------------------------------------

function render() {
  renderPeople();
  renderChat();
  renderPanel();
}

function renderPeople() {
  const recipients = [...store.people.values()].filter((who) => who.known && !isMember(who.key));
  const signature = JSON.stringify([
    store.selected,
    store.members,
    [...store.people.values()].map((who) => [who.key, who.name, who.unseen, who.known]),
  ]);
  if (signature === store.rendered.people) return;
  store.rendered.people = signature;
  byTestId("members").replaceChildren(
    personaItem(person(memberKey("telegram")), "persona-member-telegram"),
    personaItem(person(memberKey("line")), "persona-member-line"),
  );
  byTestId("recipients").replaceChildren(
    ...Object.keys(PLATFORMS).map((platform) => recipientGroup(platform, recipients)),
  );
}

function recipientGroup(platform, recipients) {
  const people = recipients.filter((who) => who.platform === platform);
  const items = people.map((who) => personaItem(who, `persona-${who.key.replace(":", "-")}`));
  return el(
    "div",
    { testid: `recipients-${platform}` },
    el("h3", { class: "group-title" }, PLATFORMS[platform]),
    items.length
      ? el("ul", { class: "persona-list" }, items)
      : el("p", { class: "empty-note" }, "Nobody yet."),
  );
}

function personaItem(who, testid) {
  const detail = isMember(who.key)
    ? `You · id ${who.id.length > 12 ? who.id.slice(0, 12) + "…" : who.id}`
    : `${PLATFORMS[who.platform]} · ${who.platform === "whatsapp" ? "+" : ""}${who.id}`;
  const initial = (isMember(who.key) ? PLATFORMS[who.platform] : displayName(who))[0];
  return el(
    "li",
    {},
    el(
      "button",
      {
        type: "button",
        class: "persona",
        testid,
        "aria-current": who.key === store.selected ? "true" : null,
        onclick: () => select(who.key),
      },
      el("span", { class: `avatar platform-${who.platform}`, "aria-hidden": "true" }, initial),
      el(
        "span",
        { class: "who" },
        el("span", { class: "name" }, displayName(who)),
        el("span", { class: "detail" }, detail),
      ),
      who.unseen ? el("span", { class: "count" }, `${who.unseen} new`) : null,
    ),
  );
}

function select(key) {
  store.selected = key;
  person(key).unseen = 0;
  showChatError("");
  render();
  byTestId("composer-input").focus();
}

// --- rendering: the chat --------------------------------------------------------------------

function renderChat() {
  const who = store.selected && person(store.selected);
  const signature = who ? `${who.key}#${store.versions.get(who.key) || 0}` : "";
  if (signature === store.rendered.chat) return;
  const switched = !store.rendered.chat.startsWith(`${who && who.key}#`);
  store.rendered.chat = signature;
  if (!who) return;
  renderChatHeader(who);
  renderMessages(who, switched);
  renderComposer(who);
}

function renderChatHeader(who) {
  byTestId("chat-title").textContent = displayName(who);
  const where = `${PLATFORMS[who.platform]} · ${who.platform === "whatsapp" ? "+" : ""}${who.id}`;
  let status = "";
  if (who.blocked) status = " · has blocked the bot";
  if (who.following === false) status = " · has blocked Broadside";
  const role = isMember(who.key) ? "you, as a business" : "a recipient";
  byTestId("chat-subtitle").textContent = `${where} · ${role}${status}`;
  byTestId("chat-actions").replaceChildren(...chatActions(who));
}

function actionButton(label, onclick, extra = {}) {
  return el("button", { type: "button", onclick, ...extra }, label);
}

function chatActions(who) {
  const actions = [];
  const danger = { class: "danger" };
  if (who.platform === "telegram" && who.known) {
    const toggle = (action) => () => act("telegram", action, { user_id: Number(who.id) });
    actions.push(
      who.blocked
        ? actionButton("Unblock the bot", toggle("unblock"))
        : actionButton("Block the bot", toggle("block"), danger),
    );
  }
  if (who.platform === "line") {
    const unfollow = () => act("line", "unfollow", { user_id: who.id });
    actions.push(
      who.known && who.following
        ? actionButton("Block Broadside", unfollow, danger)
        : actionButton("Add Broadside as a friend", () => follow(who), { testid: "follow-button" }),
    );
  }
  if (isMember(who.key)) {
    const again = () => startOver(who.platform);
    const label = { testid: "start-over", title: "Chat as a member Broadside has never met" };
    actions.push(actionButton("Start over", again, label));
  }
  return actions;
}

function renderMessages(who, switched) {
  const list = byTestId("messages");
  const nearBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 80;
  const entries = [...(store.chats.get(who.key) || new Map()).values()]
    .filter((entry) => !entry.deleted)
    .sort((a, b) => a.order - b.order);
  if (switched || !entries.length) list.replaceChildren();
  if (entries.length) patchMessages(list, who, entries);
  else list.append(emptyChat(who));
  if (switched || nearBottom) list.scrollTop = list.scrollHeight;
}

/** Update the list in place, so the live region announces only new or changed messages. */
function patchMessages(list, who, entries) {
  list.querySelector(".empty-chat")?.remove();
  const shown = new Map([...list.children].map((node) => [node.dataset.id, node]));
  let previous = null;
  for (const entry of entries) {
    let node = shown.get(entry.id);
    shown.delete(entry.id);
    if (!node || node.dataset.seq !== String(entry.seq)) {
      const fresh = messageItem(who, entry);
      Object.assign(fresh.dataset, { id: entry.id, seq: String(entry.seq) });
      node?.replaceWith(fresh);
      node = fresh;
    }
    const expected = previous ? previous.nextSibling : list.firstChild;
    if (node !== expected) list.insertBefore(node, expected);
    previous = node;
  }
  for (const gone of shown.values()) gone.remove();
}

const EMPTY_CHAT_TEXT = {
  recipient:
    "Nothing from Broadside yet. Campaigns sent to this person show up here; " +
    "reply below, or try STOP.",
  telegram: "This is your Telegram chat with the Broadside bot. Send /start to sign up.",
  line: "This is your LINE chat with Broadside. Add the account as a friend to sign up.",
};

function emptyChat(who) {
  if (!isMember(who.key)) {
    return el("li", { class: "empty-chat" }, el("p", {}, EMPTY_CHAT_TEXT.recipient));
  }
  const [label, onclick] =
    who.platform === "telegram"
      ? ["Send /start", () => sendText(who, "/start")]
      : ["Add Broadside as a friend", () => follow(who)];
  const extra = { class: "primary", testid: "start-button" };
  return el(
    "li",
    { class: "empty-chat" },
    el("p", {}, EMPTY_CHAT_TEXT[who.platform]),
    actionButton(label, onclick, extra),
  );
}

function messageItem(who, entry) {
  return entry.from === "bot" ? botMessage(who, entry) : personMessage(entry);
}

function botMessage(who, entry) {
  const bubble = el(
    "div",
    { class: "bubble" },
    entry.document ? documentLine(entry.document) : null,
    entry.text || null,
  );
  return el(
    "li",
    { class: "message from-bot", testid: "message", "data-from": "bot" },
    el("span", { class: "meta" }, entry.edited ? "Broadside · edited" : "Broadside"),
    bubble,
    buttonsFor(who, entry),
    who.platform === "whatsapp" ? statusActions(entry) : null,
  );
}

function documentLine(file) {
  return el("span", { class: "document" }, tag("File"), `${file.name} · ${formatSize(file.size)}`);
}

function buttonsFor(who, entry) {
  if (!entry.buttons.length) return null;
  if (who.platform === "telegram") {
    const rows = entry.buttons.map((row) =>
      el("div", { class: "keyboard-row" }, row.map((button) => telegramButton(who, entry, button))),
    );
    return el("div", { class: "keyboard", role: "group", "aria-label": "Buttons" }, rows);
  }
  const flat = entry.buttons.flat();
  if (who.platform === "line") {
    const chips = flat.map((button) => pressable(who, entry, button));
    return el("div", { class: "chips", role: "group", "aria-label": "Quick replies" }, chips);
  }
  const title = "The console cannot press WhatsApp reply buttons yet: type the answer instead.";
  const chips = flat.map((button) => actionButton(button.label, null, { disabled: true, title }));
  const group = { class: "chips wa-buttons", role: "group", "aria-label": "Reply buttons" };
  return el("div", group, chips);
}

function pressable(who, entry, button) {
  return actionButton(button.label, () => press(who, entry, button), { testid: "bot-button" });
}

function telegramButton(who, entry, button) {
  if (!/^https?:\/\//.test(button.data)) return pressable(who, entry, button);
  const link = { href: button.data, target: "_blank", rel: "noopener noreferrer" };
  return el("a", link, `${button.label} ↗`);
}

/** WhatsApp tells the bot what became of a message; the console plays that part too. */
function statusActions(entry) {
  const report = (status) => () =>
    act("whatsapp", "send_status", { wamid: entry.message_id, status });
  const links = ["delivered", "read", "failed"].map((status) =>
    actionButton(status, report(status), { class: "link" }),
  );
  return el("div", { class: "status-actions" }, el("span", { class: "meta" }, "Report as"), links);
}

function personMessage(entry) {
  const failed = entry.error && el("span", { class: "failed" }, `Not delivered: ${entry.error}`);
  if (EVENT_TEXT[entry.kind]) {
    return el(
      "li",
      { class: "message event", testid: "message", "data-from": "person" },
      el("div", { class: "bubble" }, EVENT_TEXT[entry.kind]),
      failed,
    );
  }
  const content = {
    text: entry.text,
    button: entry.text,
    file: [tag("File"), entry.text || "unnamed"],
    photo: [tag("Photo"), "a small picture"],
    sticker: [tag("Sticker"), "a thumbs-up"],
  }[entry.kind];
  const bubbleClass = entry.kind === "button" ? "bubble pressed" : "bubble";
  return el(
    "li",
    { class: "message from-person", testid: "message", "data-from": "person" },
    el("span", { class: "meta" }, entry.kind === "button" ? "You tapped" : "You"),
    el("div", { class: bubbleClass }, content || ""),
    failed,
  );
}

/** Why this person cannot write now, or "" when they can. */
function composerShut(who) {
  if (who.blocked) return "Unblock the bot to write again";
  if (who.following === false) return "Add Broadside as a friend to write again";
  return "";
}

function renderComposer(who) {
  const form = byTestId("composer");
  form.hidden = false;
  const input = byTestId("composer-input");
  const member = isMember(who.key);
  const shut = composerShut(who);
  input.placeholder =
    shut || (member ? "Write to Broadside (try /help)" : "Reply as this person (try STOP)");
  for (const id of ["composer-input", "composer-send", "composer-stop", "composer-file"]) {
    byTestId(id).disabled = Boolean(shut);
  }
  byTestId("composer-stop").hidden = member;
  byTestId("composer-file").hidden = who.platform === "whatsapp";
}

// --- rendering: the sandbox panel -----------------------------------------------------------

function renderPanel() {
  const state = store.panel;
  if (!state) return;
  const signature = JSON.stringify([state.calls, state.violations.length, state.faults]);
  if (signature === store.rendered.panel) return;
  store.rendered.panel = signature;
  byTestId("calls-count").textContent = String(state.calls);
  byTestId("recent-calls").replaceChildren(...store.recentCalls.slice().reverse().map(callItem));
  byTestId("violations-ok").hidden = state.violations.length > 0;
  const violations = state.violations.map((text) => el("li", { testid: "violation" }, text));
  byTestId("violations").replaceChildren(...violations);
  byTestId("faults").replaceChildren(...state.faults.map(faultItem));
  byTestId("faults-clear").hidden = state.faults.length === 0;
}

function callItem(call) {
  const bad = call.status === 0 || call.status >= 400;
  const answered = call.status === 0 ? "no answer" : String(call.status);
  const status = call.fault ? `${answered} (${call.fault})` : answered;
  const name = `${PLATFORMS[call.platform]} ${call.method}`;
  return el(
    "li",
    {},
    el("span", { class: "call-name", title: name }, name),
    el("span", { class: bad ? "status-bad" : null }, status),
  );
}

function faultItem(fault) {
  let which = "every send";
  if (fault.times === 1) which = "the next send";
  if (fault.times > 1) which = `the next ${fault.times} sends`;
  const what = `${PLATFORMS[fault.platform]}: ${which} ${FAULT_TEXT[fault.kind]}`;
  const remove = () =>
    api("DELETE", `faults/${fault.id}`)
      .catch(showFaultError)
      .finally(pollSoon);
  const label = { class: "link", "aria-label": `Remove: ${what}` };
  return el(
    "li",
    { testid: "fault" },
    el("span", {}, `${what} · fired ${fault.fired}×`),
    actionButton("Remove", remove, label),
  );
}

function showFaultError(error) {
  byTestId("fault-error").textContent = error.message;
}

// --- forms ----------------------------------------------------------------------------------

function onComposerSubmit(event) {
  event.preventDefault();
  const input = byTestId("composer-input");
  const text = input.value.trim();
  if (!text || !store.selected) return;
  input.value = "";
  sendText(person(store.selected), text);
}

function onFileChosen(event) {
  const [file] = event.target.files;
  if (file && store.selected) sendFile(person(store.selected), file);
  event.target.value = "";
}

function onAddPlatformChange() {
  const [label, hint] = ADD_FORM_TEXT[byTestId("add-person-form").elements.platform.value];
  document.querySelector('[data-role="id-label"]').textContent = label;
  document.querySelector('[data-role="id-hint"]').textContent = hint;
}

async function onAddPerson(event) {
  event.preventDefault();
  const form = event.target;
  const error = form.querySelector('[data-role="error"]');
  error.textContent = "";
  try {
    const fields = form.elements;
    const name = fields.person_name.value.trim() || "Test";
    const key = await addPerson(fields.platform.value, fields.person_id.value.trim(), name);
    form.reset();
    onAddPlatformChange();
    await poll();
    select(key);
  } catch (failure) {
    error.textContent = failure.message;
  }
}

async function addPerson(platform, id, name) {
  if (platform === "telegram") {
    const userId = id || randomTelegramId();
    if (!/^\d{1,15}$/.test(userId)) throw new Error("A Telegram user id is a number.");
    const body = { user_id: Number(userId), first_name: name, language_code: "en" };
    await api("POST", "telegram/add_user", body);
    return `telegram:${userId}`;
  }
  if (platform === "line") {
    if (id && !/^U[0-9a-f]{32}$/.test(id)) {
      throw new Error("A LINE user id is U followed by 32 hex digits.");
    }
    const body = { user_id: id || randomLineId(), display_name: name };
    const answer = await api("POST", "line/follow", body);
    return `line:${answer.user_id}`;
  }
  const digits = id.replace(/\D/g, "");
  if (!/^\d{6,15}$/.test(digits)) {
    throw new Error("Enter the WhatsApp number with its country code.");
  }
  await api("POST", "whatsapp/add_user", { wa_id: digits, name });
  return `whatsapp:${digits}`;
}

async function onAddFault(event) {
  event.preventDefault();
  const platform = byTestId("fault-platform").value;
  const body = {
    platform,
    kind: byTestId("fault-kind").value,
    match: SEND_PATTERNS[platform],
    times: Math.max(1, Number(byTestId("fault-times").value) || 1),
  };
  byTestId("fault-error").textContent = "";
  await api("POST", "faults", body).catch(showFaultError);
  pollSoon();
}

function on(testid, type, listener) {
  byTestId(testid).addEventListener(type, listener);
}

function start() {
  on("composer", "submit", onComposerSubmit);
  on("composer-stop", "click", () => store.selected && sendText(person(store.selected), "STOP"));
  on("composer-file", "click", () => byTestId("composer-file-input").click());
  on("composer-file-input", "change", onFileChosen);
  on("add-person-form", "submit", onAddPerson);
  on("add-person-platform", "change", onAddPlatformChange);
  on("fault-form", "submit", onAddFault);
  on("faults-clear", "click", () =>
    api("POST", "faults/clear", {}).catch(showFaultError).finally(pollSoon),
  );
  onAddPlatformChange();
  store.selected = memberKey("telegram");
  poll();
}

document.addEventListener("DOMContentLoaded", start);
