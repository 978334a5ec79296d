// The channel view: history with infinite scroll backwards, posting, threads, edits, deletes,
// reactions, pins, read markers, and live updates from the event stream.
import { api, enc } from './api.js';
import { h, linkify, replace } from './dom.js';
import { t } from './i18n.js';
import { openInviteDialog } from './dialogs.js';
import { channelTitle, displayName, errorText, isStaff, notify, refreshChannel, renderSidebar, state } from './app.js';

/** Messages per history page: a screenful or two. */
const pageSize = 50;
/** Older pages fetched on open to fill a tall screen, at most. */
const fillPagesMax = 5;
/** Load older messages when the list is scrolled within this many pixels of its top. */
const loadOlderThresholdPixels = 200;
/** Read markers wait this long, so a burst of messages moves the marker once. */
const readMarkerDelayMilliseconds = 300;
/** Quick reactions offered on every message (names, as the API takes them). */
const quickReactions = ['thumbsup', 'heart', 'tada', 'eyes', 'question'];
const emojiGlyphs = { thumbsup: '👍', '+1': '👍', heart: '❤️', tada: '🎉', eyes: '👀', question: '❓', smile: '😄', white_check_mark: '✅' };

function glyph(name) { return emojiGlyphs[name] || `:${name}:`; }

function clientMessageID() {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return `web-${[...bytes].map((byte) => byte.toString(16).padStart(2, '0')).join('')}`;
}

const timeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export class ChannelPage {
  constructor(channelID, thread) {
    this.channelID = channelID;
    this.thread = thread;
    this.messages = new Map();
    this.elements = new Map();
    this.oldest = null;
    this.hasOlder = true;
    this.loadingOlder = false;
    this.pendingPost = null;
    this.closed = false;
  }

  get base() { return `/v1/workspaces/${enc(state.workspace.id)}/channels/${enc(this.channelID)}`; }
  get view() { return state.channels.get(this.channelID); }

  async mount(main) {
    this.main = main;
    replace(main, h('p', { class: 'loading' }, t('loading')));
    let view;
    try {
      view = (await api('GET', this.base)).channel;
    } catch (error) {
      if (error.status === 404) return this.unavailable();
      return replace(main, h('p', { class: 'error', role: 'alert' }, errorText(error)));
    }
    if (this.closed) return;
    state.channels.set(this.channelID, view);
    this.lastReadAtOpen = view.last_read ?? 0;
    this.build();
    await this.loadNewest();
    if (this.thread) this.showThread(this.thread);
    renderSidebar();
  }

  build() {
    const view = this.view;
    this.header = h('header', { class: 'channel-header' });
    // Quiet while pages of history load; new messages are announced (politely) after that.
    this.list = h('ol', { class: 'messages', role: 'log', 'aria-live': 'off', 'aria-label': t('messages_label'),
      'aria-relevant': 'additions' });
    this.scroller = h('div', { class: 'message-scroller', onscroll: () => this.scrolled() },
      this.olderStatus = h('p', { class: 'older-status' }), this.list);
    this.threadPanel = h('aside', { class: 'thread-panel', hidden: true, 'aria-label': t('thread') });
    this.composer = h('div', { class: 'composer-holder' });
    replace(this.main, h('div', { class: 'channel' },
      h('div', { class: 'channel-column' }, this.header, this.pinsPanel = h('div', { class: 'pins-panel', hidden: true }),
        this.scroller, this.composer),
      this.threadPanel));
    this.renderHeader();
    this.renderComposer();
    this.main.focus({ preventScroll: true });
    document.title = `${channelTitle(view.channel)} · Quad`;
  }

  /** Leaving the channel: a read marker still waiting to be sent goes now. */
  close() {
    if (this.readTimer) this.sendRead();
    this.closed = true;
  }

  unavailable() {
    replace(this.main, h('section', { class: 'empty-state' },
      h('h1', {}, t('channel_unavailable_title')), h('p', { role: 'alert' }, t('channel_unavailable_text'))));
  }

  // MARK: Header and composer

  renderHeader() {
    const { channel } = this.view;
    const icon = channel.visibility === 'private' ? '🔒 ' : channel.visibility === 'direct' ? '' : '# ';
    replace(this.header,
      h('div', { class: 'channel-title-row' },
        h('h1', { id: 'channel-title' }, icon, channelTitle(channel)),
        h('button', { type: 'button', class: 'link-button pins-button', 'aria-expanded': String(!this.pinsPanel.hidden),
          onclick: () => this.togglePins() }, t('pinned_count', { count: channel.pin_count })),
        h('span', { class: 'member-count' }, t('member_count', { count: channel.member_count })),
        this.view.is_member && channel.visibility !== 'direct' && h('button', { type: 'button', class: 'link-button',
          id: 'invite-button', onclick: (event) => openInviteDialog(event.currentTarget, this.channelID) }, t('invite'))),
      channel.purpose && h('p', { class: 'channel-purpose' }, channel.purpose),
      channel.header && h('p', { class: 'channel-header-text' }, linkify(channel.header)));
  }

  renderComposer() {
    const view = this.view;
    if (view.channel.archived) return replace(this.composer, h('p', { class: 'notice' }, t('channel_archived')));
    if (!view.is_member) {
      return replace(this.composer, h('div', { class: 'join-bar' }, h('p', {}, t('not_a_member')),
        h('button', { type: 'button', class: 'primary', onclick: () => this.join() }, t('join_channel'))));
    }
    replace(this.composer, this.composerForm(null));
  }

  composerForm(threadRoot) {
    const id = threadRoot ? 'thread-input' : 'message-input';
    const label = threadRoot ? t('reply_label') : t('message_label', { channel: channelTitle(this.view.channel) });
    const input = h('textarea', { id, rows: 2, maxlength: 16384, required: true, placeholder: label });
    const error = h('p', { class: 'field-error', role: 'alert' });
    const form = h('form', { class: 'composer', onsubmit: (event) => { event.preventDefault(); this.post(input, error, threadRoot); } },
      h('label', { for: id, class: 'visually-hidden' }, label), input,
      h('button', { type: 'submit', class: 'primary' }, t('send')), error);
    input.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        form.requestSubmit();
      }
    });
    return form;
  }

  async join() {
    try {
      await api('POST', `${this.base}/join`);
      await refreshChannel(this.channelID);
      this.renderComposer();
      this.renderHeader();
      this.markRead();
    } catch (error) {
      notify(errorText(error), 'error');
    }
  }

  /** Posts once: a retry after a failure reuses the client_msg_id, so it never doubles. */
  async post(input, error, threadRoot) {
    const text = input.value;
    if (!text.trim()) return;
    if (!this.pendingPost || this.pendingPost.text !== text || this.pendingPost.threadRoot !== threadRoot) {
      this.pendingPost = { text, threadRoot, id: clientMessageID() };
    }
    const body = { text, client_msg_id: this.pendingPost.id };
    if (threadRoot) body.thread_root = threadRoot;
    try {
      const answer = await api('POST', `${this.base}/messages`, body);
      this.pendingPost = null;
      input.value = '';
      error.textContent = '';
      this.upsert(answer.message, true);
      this.markRead();
    } catch (failure) {
      error.textContent = errorText(failure);
    }
  }

  // MARK: History

  async loadNewest() {
    const answer = await api('GET', `${this.base}/messages?limit=${pageSize}`);
    if (this.closed) return;
    this.addPage(answer);
    this.scrollToBottom();
    for (let page = 0; page < fillPagesMax && this.hasOlder && this.scroller.scrollHeight <= this.scroller.clientHeight; page += 1) {
      await this.loadOlder();
    }
    this.list.setAttribute('aria-live', 'polite');
    this.markRead();
  }

  addPage(answer) {
    for (const message of answer.messages) this.upsert(message, false, true);
    const sequences = answer.messages.map((message) => message.sequence);
    if (sequences.length) this.oldest = Math.min(this.oldest ?? Infinity, ...sequences);
    this.hasOlder = Boolean(answer.next_cursor);
    this.olderStatus.textContent = this.hasOlder ? '' : t('channel_start', { channel: channelTitle(this.view.channel) });
  }

  async loadOlder() {
    if (this.loadingOlder || !this.hasOlder || this.oldest === null) return;
    this.loadingOlder = true;
    this.list.setAttribute('aria-live', 'off');
    this.olderStatus.textContent = t('loading_older');
    try {
      const before = this.scroller.scrollHeight;
      const answer = await api('GET', `${this.base}/messages?limit=${pageSize}&before=${this.oldest}`);
      if (this.closed) return;
      this.addPage(answer);
      this.scroller.scrollTop += this.scroller.scrollHeight - before;
    } catch (error) {
      this.olderStatus.textContent = errorText(error);
    } finally {
      this.loadingOlder = false;
      this.list.setAttribute('aria-live', 'polite');
    }
  }

  scrolled() {
    if (this.scroller.scrollTop < loadOlderThresholdPixels) this.loadOlder();
    if (this.atBottom()) this.markRead();
  }

  atBottom() { return this.scroller.scrollHeight - this.scroller.scrollTop - this.scroller.clientHeight < 40; }
  scrollToBottom() { this.scroller.scrollTop = this.scroller.scrollHeight; }

  /** After a resync_required: the channel's history is reloaded and followed from its newest event. */
  async resync(stream) {
    if (stream !== this.channelID) return;
    const view = (await api('GET', this.base)).channel;
    state.channels.set(this.channelID, view);
    state.stream.reset(this.channelID, view.channel.event_sequence);
    this.messages.clear();
    this.elements.clear();
    this.list.replaceChildren();
    this.oldest = null;
    await this.loadNewest();
  }

  // MARK: Live events

  apply(frame) {
    const { event, message } = frame;
    if (event.kind === 'channel.updated' || event.kind === 'pin.changed') this.renderHeader();
    if (event.kind === 'pin.changed' && !this.pinsPanel.hidden) this.loadPins();
    if (event.kind === 'channel.member_added' && event.user_id === state.me.sub) this.renderComposer();
    if (!message) return;
    const follow = this.atBottom();
    if (message.thread_root) {
      this.applyReply(message);
    } else {
      this.upsert(message, follow);
    }
    if (follow) this.markRead();
  }

  async applyReply(reply) {
    if (this.thread === reply.thread_root && this.threadList) this.upsertReply(reply);
    try {
      const root = (await api('GET', `${this.base}/messages/${reply.thread_root}`)).message;
      if (this.messages.has(root.sequence)) this.upsert(root, false);
      if (this.thread === root.sequence) this.renderThreadRoot(root);
    } catch {
      // The root is gone or hidden: nothing to update.
    }
  }

  /** Inserts or replaces one top-level message, keeping sequence order; one element per sequence. */
  upsert(message, follow, fromHistory = false) {
    if (message.thread_root) return;
    // Older than the loaded range: it arrives with its page when scrolled to.
    if (!fromHistory && this.oldest !== null && message.sequence < this.oldest && this.hasOlder) return;
    this.messages.set(message.sequence, message);
    const element = this.renderMessage(message);
    const existing = this.elements.get(message.sequence);
    this.elements.set(message.sequence, element);
    if (existing) {
      existing.replaceWith(element);
    } else {
      const later = [...this.elements.keys()].filter((sequence) => sequence > message.sequence && this.elements.get(sequence).isConnected)
        .sort((a, b) => a - b)[0];
      const anchor = later !== undefined ? this.elements.get(later) : null;
      const divider = anchor?.previousElementSibling?.classList.contains('unread-divider') ? anchor.previousElementSibling : anchor;
      this.list.insertBefore(element, divider);
      this.placeUnreadDivider();
    }
    if (follow) this.scrollToBottom();
  }

  placeUnreadDivider() {
    const first = [...this.messages.keys()].filter((sequence) => sequence > this.lastReadAtOpen && this.messages.get(sequence).author_id !== state.me.sub)
      .sort((a, b) => a - b)[0];
    const existing = this.list.querySelector('.unread-divider');
    if (first === undefined || !this.lastReadAtOpen) { existing?.remove(); return; }
    const element = this.elements.get(first);
    if (existing && existing.nextElementSibling === element) return;
    existing?.remove();
    this.list.insertBefore(h('li', { class: 'unread-divider', role: 'separator' }, h('span', {}, t('new_messages'))), element);
  }

  // MARK: Read markers

  markRead() {
    clearTimeout(this.readTimer);
    this.readTimer = setTimeout(() => this.sendRead(), readMarkerDelayMilliseconds);
  }

  async sendRead() {
    clearTimeout(this.readTimer);
    this.readTimer = null;
    const view = this.view;
    if (!view?.is_member || this.closed || document.visibilityState === 'hidden') return;
    const newest = view.channel.last_sequence;
    if (!newest || (view.last_read ?? 0) >= newest) {
      if (view.unread_count || view.mention_count) { view.unread_count = 0; view.mention_count = 0; renderSidebar(); }
      return;
    }
    try {
      const answer = await api('POST', `${this.base}/read`, { sequence: newest });
      view.last_read = answer.last_read;
      view.unread_count = 0;
      view.mention_count = 0;
      renderSidebar();
    } catch {
      // Read state is best effort; the next scroll or message tries again.
    }
  }

  // MARK: Messages

  renderMessage(message, inThread = false) {
    const mine = message.author_id === state.me.sub;
    const item = h('li', { class: `message${mine ? ' mine' : ''}${message.deleted ? ' deleted' : ''}`,
      id: `${inThread ? 'reply' : 'message'}-${message.sequence}`, dataset: { sequence: message.sequence },
      'aria-labelledby': `author-${inThread ? 'r' : 'm'}${message.sequence}` });
    const meta = h('div', { class: 'message-meta' },
      h('span', { class: 'author', id: `author-${inThread ? 'r' : 'm'}${message.sequence}` }, message.author_name || displayName(message.author_id)),
      h('time', { datetime: new Date(message.created_at).toISOString() }, timeFormat.format(new Date(message.created_at))),
      message.edited_at && !message.deleted && h('span', { class: 'edited' }, t('edited')),
      message.pinned && h('span', { class: 'pinned-flag' }, t('pinned')));
    const body = message.deleted
      ? h('p', { class: 'message-text tombstone' }, t('message_deleted'))
      : h('p', { class: 'message-text' }, linkify(message.text));
    item.append(meta, body);
    if (!message.deleted) {
      if (message.reactions.length) item.append(this.renderReactions(message));
      if (!inThread && message.reply_count > 0) {
        item.append(h('a', { class: 'replies-link', href: this.threadHref(message.sequence) },
          t('reply_count', { count: message.reply_count })));
      }
      if (this.view.is_member) item.append(this.renderActions(message, inThread));
    }
    return item;
  }

  threadHref(sequence) { return `#/w/${enc(state.workspace.id)}/c/${enc(this.channelID)}/thread/${sequence}`; }

  renderReactions(message) {
    return h('ul', { class: 'reactions', 'aria-label': t('reactions') }, message.reactions.map((reaction) => {
      const mine = reaction.users.includes(state.me.sub);
      return h('li', {}, h('button', { type: 'button', class: `reaction${mine ? ' mine' : ''}`, 'aria-pressed': String(mine),
        title: reaction.users.map(displayName).join(', '),
        'aria-label': t('reaction_label', { emoji: reaction.emoji, count: reaction.users.length }),
        onclick: () => this.react(message, reaction.emoji, !mine) }, `${glyph(reaction.emoji)} ${reaction.users.length}`));
    }));
  }

  renderActions(message, inThread) {
    const mine = message.author_id === state.me.sub;
    const actions = h('div', { class: 'message-actions', role: 'group', 'aria-label': t('message_actions') });
    if (!inThread) actions.append(h('a', { class: 'action', href: this.threadHref(message.sequence) }, t('reply')));
    const picker = h('div', { class: 'reaction-picker', hidden: true },
      quickReactions.map((name) => h('button', { type: 'button', class: 'action', 'aria-label': t('react_with', { emoji: name }),
        onclick: () => { picker.hidden = true; this.react(message, name, true); } }, glyph(name))));
    actions.append(h('button', { type: 'button', class: 'action', 'aria-expanded': 'false',
      onclick: (event) => { picker.hidden = !picker.hidden; event.currentTarget.setAttribute('aria-expanded', String(!picker.hidden)); } },
    t('react')), picker);
    if (mine) actions.append(h('button', { type: 'button', class: 'action', onclick: (event) => this.edit(message, event.currentTarget.closest('li'), inThread) }, t('edit')));
    if (mine || isStaff()) {
      actions.append(h('button', { type: 'button', class: `action${mine ? '' : ' moderator'}`,
        onclick: () => this.remove(message, mine) }, mine ? t('delete') : t('delete_as_moderator')));
    }
    if (!inThread) {
      actions.append(h('button', { type: 'button', class: 'action', onclick: () => this.pin(message, !message.pinned) },
        message.pinned ? t('unpin') : t('pin')));
    }
    return actions;
  }

  edit(message, item, inThread) {
    const input = h('textarea', { id: `edit-${message.sequence}`, rows: 2, maxlength: 16384 });
    input.value = message.text;
    const restore = () => item.replaceWith(this.renderMessage(message, inThread));
    const error = h('p', { class: 'field-error', role: 'alert' });
    const form = h('form', { class: 'edit-form', onsubmit: async (event) => {
      event.preventDefault();
      try {
        const answer = await api('PATCH', `${this.base}/messages/${message.sequence}`, { text: input.value });
        if (inThread) this.upsertReply(answer.message); else this.upsert(answer.message, false);
        if (!inThread && this.elements.get(message.sequence) === item) restore();
      } catch (failure) {
        error.textContent = errorText(failure);
      }
    } },
    h('label', { for: input.id, class: 'visually-hidden' }, t('edit_label')), input,
    h('button', { type: 'submit', class: 'primary' }, t('save')),
    h('button', { type: 'button', onclick: restore }, t('cancel')), error);
    input.addEventListener('keydown', (event) => { if (event.key === 'Escape') restore(); });
    item.querySelector('.message-text').replaceWith(form);
    item.querySelector('.message-actions')?.remove();
    input.focus();
  }

  async remove(message, mine) {
    if (!confirm(mine ? t('confirm_delete') : t('confirm_delete_moderator', { author: message.author_name }))) return;
    try {
      const answer = await api('DELETE', `${this.base}/messages/${message.sequence}`);
      if (answer.message.thread_root) this.upsertReply(answer.message); else this.upsert(answer.message, false);
    } catch (error) {
      notify(errorText(error), 'error');
    }
  }

  async react(message, emoji, present) {
    try {
      const answer = await api(present ? 'PUT' : 'DELETE', `${this.base}/messages/${message.sequence}/reactions/${enc(emoji)}`);
      if (answer.message.thread_root) this.upsertReply(answer.message); else this.upsert(answer.message, false);
    } catch (error) {
      notify(errorText(error), 'error');
    }
  }

  async pin(message, pinned) {
    try {
      const answer = await api(pinned ? 'PUT' : 'DELETE', `${this.base}/messages/${message.sequence}/pin`);
      this.upsert(answer.message, false);
    } catch (error) {
      notify(errorText(error), 'error');
    }
  }

  togglePins() {
    this.pinsPanel.hidden = !this.pinsPanel.hidden;
    this.renderHeader();
    if (!this.pinsPanel.hidden) this.loadPins();
  }

  async loadPins() {
    try {
      const answer = await api('GET', `${this.base}/pins`);
      replace(this.pinsPanel, h('h2', {}, t('pinned_messages')),
        answer.messages.length === 0 ? h('p', {}, t('no_pins'))
          : h('ul', {}, answer.messages.map((message) => h('li', {}, h('strong', {}, message.author_name), ': ', linkify(message.text)))));
    } catch (error) {
      replace(this.pinsPanel, h('p', { class: 'error' }, errorText(error)));
    }
  }

  // MARK: Threads

  async showThread(root) {
    this.thread = root;
    if (!this.threadPanel) return;
    if (!root) {
      this.threadPanel.hidden = true;
      this.threadList = null;
      return;
    }
    this.threadPanel.hidden = false;
    this.threadRootHolder = h('div', { class: 'thread-root' });
    this.threadList = h('ol', { class: 'messages thread-replies', 'aria-label': t('replies') });
    this.threadElements = new Map();
    const close = h('a', { class: 'close-thread', href: `#/w/${enc(state.workspace.id)}/c/${enc(this.channelID)}` }, t('close_thread'));
    replace(this.threadPanel, h('div', { class: 'thread-head' }, h('h2', { id: 'thread-title' }, t('thread')), close),
      this.threadRootHolder, this.threadList, this.view.is_member ? this.composerForm(root) : null);
    this.threadPanel.addEventListener('keydown', (event) => { if (event.key === 'Escape') close.click(); });
    try {
      const answer = await api('GET', `${this.base}/messages/${root}/thread?limit=200`);
      this.renderThreadRoot(answer.root);
      for (const reply of answer.replies) this.upsertReply(reply);
      this.threadPanel.querySelector('textarea')?.focus();
    } catch (error) {
      replace(this.threadRootHolder, h('p', { class: 'error', role: 'alert' }, errorText(error)));
    }
  }

  renderThreadRoot(root) {
    if (!this.threadRootHolder) return;
    replace(this.threadRootHolder, h('ol', { class: 'messages' }, this.renderMessage(root, true)));
  }

  upsertReply(reply) {
    if (!this.threadList || reply.thread_root !== this.thread) return;
    const element = this.renderMessage(reply, true);
    const existing = this.threadElements.get(reply.sequence);
    this.threadElements.set(reply.sequence, element);
    if (existing) return existing.replaceWith(element);
    const later = [...this.threadElements.keys()].filter((sequence) => sequence > reply.sequence).sort((a, b) => a - b)[0];
    this.threadList.insertBefore(element, later !== undefined ? this.threadElements.get(later) : null);
  }
}
