// Live sessions: the list and the Online Event page. The server decides when the join details
// appear; the countdown runs from the server's clock (server_time in each answer) plus the time
// elapsed on this page's monotonic clock, never from the browser's wall clock.
import { api, enc } from './api.js';
import { h, linkify, replace } from './dom.js';
import { t } from './i18n.js';
import { displayName, errorText, renderSidebar, state } from './app.js';

/** Re-asks the server this long after the countdown reached zero while the window is still shut. */
const recheckMilliseconds = 1000;
/** Re-asks at most this many times in a row before waiting for the page to be opened again. */
const rechecksMax = 30;

function formatIn(zone, text, options) {
  try {
    return new Intl.DateTimeFormat(undefined, { ...options, timeZone: zone }).format(new Date(Date.parse(text)));
  } catch {
    return text;
  }
}

/** Meeting links are followed only when they are http(s): never a `javascript:` or `data:` URL. */
function isWebURL(text) {
  return typeof text === 'string' && /^https?:\/\//i.test(text);
}

function countdownText(milliseconds) {
  const total = Math.max(0, Math.ceil(milliseconds / 1000));
  const days = Math.floor(total / 86400);
  const hours = Math.floor((total % 86400) / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const clock = `${String(hours).padStart(2, '0')}:${String(minutes).padStart(2, '0')}:${String(seconds).padStart(2, '0')}`;
  return days ? t('countdown_days', { days, clock }) : clock;
}

export class SessionsPage {
  constructor(sessionID) {
    this.sessionID = sessionID;
    this.rechecks = 0;
  }

  get base() { return `/v1/workspaces/${enc(state.workspace.id)}/sessions`; }

  async mount(main) {
    this.main = main;
    replace(main, h('p', { class: 'loading' }, t('loading')));
    try {
      if (this.sessionID) await this.loadSession();
      else await this.loadList();
    } catch (error) {
      replace(main, h('p', { class: 'error', role: 'alert' }, error.status === 404 ? t('session_not_found') : errorText(error)));
    }
    renderSidebar();
  }

  close() {
    this.closed = true;
    clearInterval(this.ticker);
    clearTimeout(this.recheck);
  }

  async loadList() {
    const answer = await api('GET', this.base);
    if (this.closed) return;
    document.title = `${t('live_sessions')} · Quad`;
    replace(this.main, h('section', { class: 'sessions' }, h('h1', {}, t('live_sessions')),
      answer.sessions.length === 0 ? h('p', {}, t('no_sessions'))
        : h('ul', { class: 'session-list' }, answer.sessions.map((session) => h('li', {},
          h('a', { href: `#/w/${enc(state.workspace.id)}/sessions/${enc(session.id)}` }, session.title),
          ' ', h('span', { class: 'hint' }, session.next_occurrence
            ? formatIn(session.time_zone, session.next_occurrence.start, { dateStyle: 'full', timeStyle: 'short' })
            : t('session_over'))))),
      this.calendarSection()));
  }

  async loadSession() {
    const answer = await api('GET', `${this.base}/${enc(this.sessionID)}`);
    if (this.closed) return;
    this.answer = answer;
    this.fetchedAt = performance.now();
    this.render();
  }

  /** Milliseconds from the server's "now" (as of the last answer, advanced by this page's clock) to `text`. */
  serverMillisecondsUntil(text) {
    const serverNow = Date.parse(this.answer.server_time) + (performance.now() - this.fetchedAt);
    return Date.parse(text) - serverNow;
  }

  render() {
    const session = this.answer.session;
    const occurrence = session.next_occurrence;
    const zone = session.time_zone;
    document.title = `${session.title} · Quad`;
    const rows = [
      [t('session_title'), session.title],
      [t('meeting_number'), session.meeting_number || '—'],
      [t('session_start'), occurrence ? formatIn(zone, occurrence.start, { dateStyle: 'full', timeStyle: 'short' }) : formatIn(zone, session.start, { dateStyle: 'full', timeStyle: 'short' })],
      [t('session_end'), occurrence ? formatIn(zone, occurrence.end, { dateStyle: 'full', timeStyle: 'short' }) : '—'],
      [t('time_zone'), zone],
      [t('duration'), t('duration_minutes', { minutes: session.duration_minutes })],
      [t('hosted_by'), session.host_ids.map(displayName).join(', ')],
    ];
    if (session.password) rows.splice(2, 0, [t('password'), session.password]);
    if (session.recurrence) rows.push([t('recurrence'), session.recurrence]);
    this.countdown = h('p', { class: 'countdown', id: 'countdown', role: 'timer', 'aria-live': 'off' });
    this.joinHolder = h('div', { class: 'join-holder', 'aria-live': 'polite' });
    replace(this.main, h('article', { class: 'event-page' },
      h('p', { class: 'eyebrow' }, t('online_event')),
      h('h1', {}, session.title),
      session.agenda && h('p', { class: 'agenda' }, linkify(session.agenda)),
      h('dl', { class: 'event-details' }, rows.map(([term, value]) => [h('dt', {}, term), h('dd', {}, value)])),
      this.countdown, this.joinHolder,
      this.calendarSection(),
      h('p', {}, h('a', { href: `#/w/${enc(state.workspace.id)}/sessions` }, t('all_sessions')))));
    this.renderJoin();
    clearInterval(this.ticker);
    this.ticker = setInterval(() => this.tick(), 250);
    this.tick();
  }

  renderJoin() {
    const session = this.answer.session;
    if (session.join_window_open && isWebURL(session.join_url)) {
      replace(this.joinHolder, h('a', { class: 'button primary join-button', id: 'join-button', href: session.join_url,
        target: '_blank', rel: 'noopener noreferrer' }, t('join_meeting')),
      isWebURL(session.host_start_url) && h('a', { class: 'button', href: session.host_start_url, target: '_blank', rel: 'noopener noreferrer' }, t('start_as_host')));
    } else {
      this.joinHolder.replaceChildren();
    }
  }

  tick() {
    const session = this.answer.session;
    const occurrence = session.next_occurrence;
    if (!occurrence) {
      this.countdown.textContent = t('session_over');
      return clearInterval(this.ticker);
    }
    if (session.join_window_open) {
      this.countdown.textContent = t('window_open_until', { time: formatIn(session.time_zone, occurrence.end, { timeStyle: 'short' }) });
      if (this.serverMillisecondsUntil(occurrence.end) <= 0) this.askAgain();
      return;
    }
    const remaining = this.serverMillisecondsUntil(session.window_opens_at);
    this.countdown.textContent = t('join_opens_in', { time: countdownText(remaining) });
    if (remaining <= 0) this.askAgain();
  }

  /** The window should have changed by the server's clock: ask the server, which decides. */
  askAgain() {
    if (this.recheck || this.rechecks >= rechecksMax) return;
    clearInterval(this.ticker);
    this.rechecks += 1;
    this.recheck = setTimeout(async () => {
      this.recheck = null;
      try {
        const before = this.answer.session.join_window_open;
        await this.loadSession();
        if (this.answer.session.join_window_open !== before) this.rechecks = 0;
      } catch (error) {
        this.countdown.textContent = errorText(error);
      }
    }, this.rechecks === 1 ? 0 : recheckMilliseconds);
  }

  calendarSection() {
    const output = h('p', { class: 'feed-link', 'aria-live': 'polite' });
    return h('section', { class: 'calendar' }, h('h2', {}, t('add_to_calendar')), h('p', { class: 'hint' }, t('calendar_hint')),
      h('button', { type: 'button', onclick: async () => {
        try {
          const answer = await api('POST', '/v1/me/calendar-feed');
          const url = `${location.origin}${answer.path}`;
          replace(output, h('a', { href: url.replace(/^https?:/, 'webcal:'), id: 'feed-link' }, t('subscribe')), ' ',
            h('input', { readonly: true, value: url, 'aria-label': t('feed_url'), class: 'feed-url', onfocus: (event) => event.target.select() }));
        } catch (error) {
          output.textContent = errorText(error);
        }
      } }, t('get_feed_link')), output);
  }
}
