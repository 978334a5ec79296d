// Quad's web client: sign-in, workspaces, the channel sidebar and routing. It uses only the
// public API (docs/api.md), so it is also the reference client.
import { api, APIError, enc, session } from './api.js';
import { h, replace } from './dom.js';
import { EventStream } from './events.js';
import { loadMessages, t, translate } from './i18n.js';
import { ChannelPage } from './channel.js';
import { openAddPeopleDialog, openDirectMessageDialog, openNewChannelDialog } from './dialogs.js';
import { SessionsPage } from './sessions.js';
import { renderSignIn } from './signin.js';

/** Everything the page knows about the signed-in person's current workspace. */
export const state = {
  me: null,
  workspaces: [],
  workspace: null,
  role: null,
  channels: new Map(),
  members: new Map(),
  stream: null,
  page: null,
  connection: 'connecting',
};

const app = document.getElementById('app');

/** Staff (instructors, moderators) and administrators run channels and moderate messages. */
export function isStaff() {
  return state.me?.admin || state.role === 'instructor' || state.role === 'moderator';
}

export function displayName(userId) {
  return state.members.get(userId)?.display_name || userId;
}

/** A channel's name as people read it: other people's names for a direct message. */
export function channelTitle(channel) {
  if (channel.visibility !== 'direct') return channel.name;
  const others = channel.direct_members.filter((user) => user !== state.me.sub);
  return (others.length ? others : channel.direct_members).map(displayName).join(', ');
}

/** Shows a short notice in the polite live region. */
export function notify(text, kind = 'info') {
  const region = document.getElementById('notice');
  if (!region) return;
  replace(region, h('p', { class: `notice notice-${kind}` }, text));
  clearTimeout(notify.timer);
  notify.timer = setTimeout(() => region.replaceChildren(), 6000);
}

export function errorText(error) {
  if (error instanceof APIError) return t('error_with_code', { message: error.message, code: error.code });
  return String(error);
}

// MARK: Boot and routing

async function boot() {
  await loadMessages();
  translate(document);
  takeTokenFromFragment();
  app.removeAttribute('aria-busy');
  if (!session.token) return renderSignIn(app, boot);
  state.me = session.claims();
  try {
    state.workspaces = (await api('GET', '/v1/workspaces')).workspaces;
  } catch (error) {
    if (error.status === 401) {
      session.clear();
      return renderSignIn(app, boot, t('signin_expired'));
    }
    throw error;
  }
  renderShell();
  window.addEventListener('hashchange', route);
  // A token that expired or was revoked while the page was open: back to sign-in.
  window.addEventListener('quad:unauthenticated', () => {
    state.stream?.close();
    session.clear();
    renderSignIn(app, () => location.reload(), t('signin_expired'));
  }, { once: true });
  await route();
}

/** After an LTI launch or an SSO link: `/#token=...&workspace=...&channel=...`. */
function takeTokenFromFragment() {
  if (!location.hash.startsWith('#token=')) return;
  const parameters = new URLSearchParams(location.hash.slice(1));
  session.save(parameters.get('token'), false);
  const workspace = parameters.get('workspace');
  const channel = parameters.get('channel');
  const target = workspace ? `#/w/${workspace}${channel ? `/c/${channel}` : ''}` : '#/';
  history.replaceState(null, '', location.pathname + target);
}

function parseRoute() {
  const parts = location.hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  const route = { workspace: null, channel: null, thread: null, sessions: false, session: null };
  if (parts[0] !== 'w' || !parts[1]) return route;
  route.workspace = parts[1];
  if (parts[2] === 'c') {
    route.channel = parts[3] || null;
    if (parts[4] === 'thread') route.thread = Number(parts[5]) || null;
  } else if (parts[2] === 'sessions') {
    route.sessions = true;
    route.session = parts[3] || null;
  }
  return route;
}

async function route() {
  const target = parseRoute();
  if (!target.workspace) {
    const first = state.workspaces[0];
    if (first) location.replace(`#/w/${enc(first.workspace.id)}`);
    else renderNoWorkspace();
    return;
  }
  try {
    if (state.workspace?.id !== target.workspace) await openWorkspace(target.workspace);
  } catch (error) {
    showMainError(error.status === 404 ? t('workspace_not_found') : errorText(error));
    return;
  }
  closeSidebarOnPhone();
  if (target.sessions) return showPage(new SessionsPage(target.session));
  const channelID = target.channel || firstChannelID();
  if (!channelID) return showPage(null);
  if (!target.channel) return location.replace(`#/w/${enc(state.workspace.id)}/c/${enc(channelID)}`);
  if (state.page instanceof ChannelPage && state.page.channelID === channelID) {
    state.page.showThread(target.thread);
    renderSidebar();
    return;
  }
  showPage(new ChannelPage(channelID, target.thread));
}

function firstChannelID() {
  const views = [...state.channels.values()];
  const joined = views.find((view) => view.is_member && view.channel.visibility !== 'direct');
  return (joined || views[0])?.channel.id || null;
}

function showPage(page) {
  state.page?.close?.();
  state.page = page;
  const main = document.getElementById('main');
  if (!page) replace(main, h('p', { class: 'empty' }, t('no_channels')));
  else page.mount(main);
  renderSidebar();
}

function showMainError(text) {
  const main = document.getElementById('main');
  if (main) replace(main, h('p', { class: 'error', role: 'alert' }, text));
}

// MARK: Workspace

async function openWorkspace(id) {
  state.stream?.close();
  state.page?.close?.();
  state.page = null;
  const [workspace, channels] = await Promise.all([
    api('GET', `/v1/workspaces/${enc(id)}`),
    api('GET', `/v1/workspaces/${enc(id)}/channels`),
  ]);
  state.workspace = workspace.workspace;
  state.role = workspace.role || null;
  state.channels = new Map(channels.channels.map((view) => [view.channel.id, view]));
  await loadMembers();
  const points = { workspace: state.workspace.event_sequence };
  for (const view of state.channels.values()) points[view.channel.id] = view.channel.event_sequence;
  state.stream = new EventStream(id, points, {
    onEvent: handleEvent,
    onStatus: (status) => {
      state.connection = status;
      renderConnection();
      // A WebSocket refused at the upgrade says nothing about why: a plain request tells an
      // expired session (401, back to sign-in) from a node that is down.
      if (status === 'offline') api('GET', '/v1/workspaces').catch(() => {});
    },
    onReady: () => state.page?.resumed?.(),
    onResync: (stream) => state.page?.resync?.(stream),
    onUnavailable: (stream) => channelGone(stream),
  });
  renderWorkspaceSwitcher();
}

/** Members page by page, bounded: names for authors, DMs and hosts. */
const memberPagesMax = 20;
async function loadMembers() {
  state.members = new Map();
  let cursor = null;
  for (let page = 0; page < memberPagesMax; page += 1) {
    const query = cursor ? `?limit=200&cursor=${enc(cursor)}` : '?limit=200';
    const answer = await api('GET', `/v1/workspaces/${enc(state.workspace.id)}/members${query}`);
    for (const member of answer.members) state.members.set(member.user_id, member);
    if (!answer.next_cursor) break;
    cursor = answer.next_cursor;
  }
}

/** Reloads one channel's view (unread counts, membership) after it changed. */
export async function refreshChannel(id) {
  try {
    const answer = await api('GET', `/v1/workspaces/${enc(state.workspace.id)}/channels/${enc(id)}`);
    const known = state.channels.has(id);
    state.channels.set(id, answer.channel);
    if (!known) state.stream?.follow(id, answer.channel.channel.event_sequence);
  } catch (error) {
    if (error.status !== 404) return notify(errorText(error), 'error');
    return channelGone(id);
  }
  renderSidebar();
}

function channelGone(id) {
  state.channels.delete(id);
  renderSidebar();
  if (state.page?.channelID === id) state.page.unavailable();
}

function handleEvent(frame) {
  const { event, channel, message } = frame;
  const view = channel ? state.channels.get(channel.id) : null;
  if (view && channel) view.channel = channel;
  switch (event.kind) {
    case 'message.created':
      if (view && message && message.author_id !== state.me.sub && state.page?.channelID !== channel.id && view.is_member) {
        if (!message.thread_root) view.unread_count += 1;
        if (message.mentions?.includes(state.me.sub)) view.mention_count += 1;
      }
      break;
    case 'channel.created':
    case 'channel.member_added':
    case 'channel.updated':
      if (channel && (!view || event.user_id === state.me.sub)) refreshChannel(channel.id);
      break;
    case 'channel.member_removed':
      if (channel && event.user_id === state.me.sub) refreshChannel(channel.id);
      break;
    case 'member.added':
    case 'member.removed':
    case 'member.role_changed':
      loadMembers().then(() => renderSidebar(), (error) => {
        // Removed from the workspace: its API answers 404 from now on.
        if (error.status === 404) showMainError(t('workspace_not_found')); else notify(errorText(error), 'error');
      });
      break;
    default:
      break;
  }
  if (channel && state.page?.channelID === channel.id) state.page.apply(frame);
  renderSidebar();
}

// MARK: Shell

function renderShell() {
  const name = state.me?.name || state.me?.sub || '';
  replace(app,
    h('header', { class: 'topbar' },
      h('button', { class: 'menu-toggle', type: 'button', 'aria-controls': 'sidebar', 'aria-expanded': 'false',
        onclick: toggleSidebar }, h('span', { 'aria-hidden': 'true' }, '☰'), h('span', { class: 'visually-hidden' }, t('menu'))),
      h('span', { class: 'brand' }, 'Quad'),
      h('div', { id: 'workspace-switcher', class: 'workspace-switcher' }),
      h('span', { id: 'connection', class: 'connection', role: 'status' }),
      h('span', { class: 'me', title: state.me?.sub }, name),
      h('button', { type: 'button', class: 'link-button', onclick: signOut }, t('sign_out'))),
    h('div', { class: 'layout' },
      h('nav', { id: 'sidebar', class: 'sidebar', 'aria-label': t('sidebar_label'), onkeydown: sidebarKeys }),
      h('main', { id: 'main', class: 'main', tabindex: '-1' })),
    h('div', { id: 'notice', class: 'notice-region', 'aria-live': 'polite' }));
  renderWorkspaceSwitcher();
}

function signOut() {
  state.stream?.close();
  session.clear();
  location.hash = '';
  location.reload();
}

function toggleSidebar() {
  const button = document.querySelector('.menu-toggle');
  const open = button.getAttribute('aria-expanded') !== 'true';
  button.setAttribute('aria-expanded', String(open));
  document.getElementById('sidebar').classList.toggle('open', open);
  if (open) document.querySelector('#sidebar a, #sidebar button')?.focus();
}

function closeSidebarOnPhone() {
  const button = document.querySelector('.menu-toggle');
  if (button?.getAttribute('aria-expanded') === 'true') {
    button.setAttribute('aria-expanded', 'false');
    document.getElementById('sidebar').classList.remove('open');
  }
}

/** Up and down arrows move between the sidebar's links and buttons. */
function sidebarKeys(event) {
  if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
  const items = [...document.querySelectorAll('#sidebar a, #sidebar button')];
  const index = items.indexOf(document.activeElement);
  if (index < 0) return;
  event.preventDefault();
  const next = items[(index + (event.key === 'ArrowDown' ? 1 : items.length - 1)) % items.length];
  next.focus();
}

function renderConnection() {
  const element = document.getElementById('connection');
  if (!element) return;
  element.dataset.status = state.connection;
  element.textContent = t(`connection_${state.connection}`);
}

const workspaceKinds = ['course', 'platform', 'segment'];

function renderWorkspaceSwitcher() {
  const holder = document.getElementById('workspace-switcher');
  if (!holder) return;
  const select = h('select', { id: 'workspace-select', onchange: (event) => { location.hash = `#/w/${enc(event.target.value)}`; } });
  for (const kind of workspaceKinds) {
    const group = h('optgroup', { label: t(`workspace_kind_${kind}`) });
    for (const membership of state.workspaces.filter((item) => item.workspace.kind === kind)) {
      group.append(h('option', { value: membership.workspace.id, selected: membership.workspace.id === state.workspace?.id },
        membership.workspace.name));
    }
    if (group.children.length) select.append(group);
  }
  if (state.workspace && !state.workspaces.some((item) => item.workspace.id === state.workspace.id)) {
    select.prepend(h('option', { value: state.workspace.id, selected: true }, state.workspace.name));
  }
  replace(holder, h('label', { for: 'workspace-select', class: 'visually-hidden' }, t('workspace')), select);
}

function channelLink(view, current) {
  const channel = view.channel;
  const icon = channel.visibility === 'private' ? '🔒' : channel.visibility === 'direct' ? '●' : '#';
  const iconLabel = t(`visibility_${channel.visibility}`);
  const unread = view.is_member ? view.unread_count : 0;
  const badges = [];
  if (view.mention_count > 0 && view.is_member) {
    badges.push(h('span', { class: 'badge mention', title: t('mentions', { count: view.mention_count }) },
      h('span', { 'aria-hidden': 'true' }, `@${view.mention_count}`),
      h('span', { class: 'visually-hidden' }, t('mentions', { count: view.mention_count }))));
  }
  if (unread > 0) {
    badges.push(h('span', { class: 'badge unread' },
      h('span', { 'aria-hidden': 'true' }, String(unread)),
      h('span', { class: 'visually-hidden' }, t('unread', { count: unread }))));
  }
  return h('li', {},
    h('a', { href: `#/w/${enc(state.workspace.id)}/c/${enc(channel.id)}`,
      class: `channel-link${unread ? ' has-unread' : ''}${view.is_member ? '' : ' not-member'}`,
      'aria-current': current ? 'page' : false, dataset: { channel: channel.id } },
    h('span', { class: 'channel-icon', 'aria-hidden': 'true' }, icon),
    h('span', { class: 'visually-hidden' }, iconLabel),
    h('span', { class: 'channel-name' }, channelTitle(channel)),
    !view.is_member && h('span', { class: 'visually-hidden' }, `(${t('not_joined')})`), badges));
}

export function renderSidebar() {
  const sidebar = document.getElementById('sidebar');
  if (!sidebar || !state.workspace) return;
  const current = state.page?.channelID;
  const views = [...state.channels.values()].filter((view) => !view.channel.archived)
    .sort((a, b) => channelTitle(a.channel).localeCompare(channelTitle(b.channel)));
  const rooms = views.filter((view) => view.channel.visibility !== 'direct');
  const directs = views.filter((view) => view.channel.visibility === 'direct');
  const staff = isStaff();
  const canAddPeople = state.me?.admin || state.role === 'instructor';
  replace(sidebar,
    h('h2', { class: 'workspace-name' }, state.workspace.name),
    h('section', { 'aria-labelledby': 'channels-heading' },
      h('div', { class: 'section-head' },
        h('h3', { id: 'channels-heading' }, t('channels')),
        staff && h('button', { type: 'button', class: 'icon-button', id: 'new-channel-button',
          'aria-label': t('new_channel'), title: t('new_channel'), onclick: (event) => openNewChannelDialog(event.currentTarget) }, '+')),
      h('ul', { class: 'channel-list' }, rooms.map((view) => channelLink(view, view.channel.id === current)))),
    h('section', { 'aria-labelledby': 'dm-heading' },
      h('div', { class: 'section-head' },
        h('h3', { id: 'dm-heading' }, t('direct_messages')),
        h('button', { type: 'button', class: 'icon-button', id: 'new-dm-button', 'aria-label': t('new_direct_message'),
          title: t('new_direct_message'), onclick: (event) => openDirectMessageDialog(event.currentTarget) }, '+')),
      h('ul', { class: 'channel-list' }, directs.map((view) => channelLink(view, view.channel.id === current)))),
    h('section', { 'aria-labelledby': 'more-heading' },
      h('h3', { id: 'more-heading' }, t('more')),
      h('ul', { class: 'channel-list' },
        h('li', {}, h('a', { href: `#/w/${enc(state.workspace.id)}/sessions`, class: 'channel-link',
          'aria-current': state.page instanceof SessionsPage ? 'page' : false }, t('live_sessions'))),
        canAddPeople && h('li', {}, h('button', { type: 'button', class: 'link-button',
          onclick: (event) => openAddPeopleDialog(event.currentTarget) }, t('add_people'))))));
}

// MARK: No workspace yet

function renderNoWorkspace() {
  const main = document.getElementById('main');
  const children = [h('h1', {}, t('no_workspace_title')), h('p', {}, t('no_workspace_text'))];
  if (state.me?.admin) children.push(demoForm());
  replace(main, h('section', { class: 'empty-state' }, children));
  replace(document.getElementById('sidebar'));
}

/** An administrator's first course: a platform, a workspace with the usual channels, themselves as instructor. */
function demoForm() {
  const error = h('p', { class: 'field-error', id: 'demo-error', role: 'alert' });
  const form = h('form', { class: 'stack', onsubmit: async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    try {
      const platform = String(data.get('platform'));
      await api('POST', '/v1/platforms', { id: platform, name: platform }).catch((failure) => {
        if (failure.code !== 'platform_exists') throw failure;
      });
      const created = await api('POST', '/v1/workspaces', { platform_id: platform, kind: 'course', name: String(data.get('name')),
        templates: ['announcements', 'chatter', 'q-a', 'tech-issue-reports'] });
      await api('POST', `/v1/workspaces/${enc(created.workspace.id)}/members`,
        { members: [{ user_id: state.me.sub, role: 'instructor', display_name: state.me.name || state.me.sub }] });
      location.hash = `#/w/${enc(created.workspace.id)}`;
      location.reload();
    } catch (failure) {
      error.textContent = errorText(failure);
    }
  } },
  h('label', { for: 'demo-platform' }, t('platform_id')),
  h('input', { id: 'demo-platform', name: 'platform', required: true, value: 'demo', pattern: '[A-Za-z0-9._@:+\\-]{1,64}' }),
  h('label', { for: 'demo-name' }, t('course_name')),
  h('input', { id: 'demo-name', name: 'name', required: true, maxlength: 64, value: 'CS101' }),
  error,
  h('button', { type: 'submit', class: 'primary' }, t('create_course')));
  return form;
}

boot().catch((error) => {
  app.removeAttribute('aria-busy');
  replace(app, h('p', { class: 'error', role: 'alert' }, errorText(error)));
});
