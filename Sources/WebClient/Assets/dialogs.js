// Dialogs: New Channel, New Direct Message and Add People. Native <dialog> elements: modal,
// Esc closes, and focus returns to the button that opened them.
import { api, enc } from './api.js';
import { h } from './dom.js';
import { t } from './i18n.js';
import { errorText, refreshChannel, state } from './app.js';

/** Bounds of the API (docs/api.md, Limits.swift), checked here too for inline errors. */
const limits = { nameMax: 64, slugMin: 2, slugMax: 64, purposeMax: 250, headerMax: 1024, directMembersMax: 7 };

/** The API's own derivation (Validation.slug(fromName:)): lowercase letters and digits, runs of anything else as one '-'. */
export function slugFromName(name) {
  let slug = '';
  for (const character of name.toLowerCase()) {
    if (/^[a-z0-9]$/.test(character)) slug += character;
    else if (slug && !slug.endsWith('-')) slug += '-';
  }
  slug = slug.replace(/-+$/, '');
  if (slug.length < limits.slugMin) slug = `channel-${slug}`;
  return slug.slice(0, limits.slugMax);
}

function openDialog(opener, titleKey, content) {
  const dialog = h('dialog', { class: 'dialog', 'aria-labelledby': 'dialog-title' },
    h('h2', { id: 'dialog-title' }, t(titleKey)), content);
  dialog.addEventListener('close', () => {
    dialog.remove();
    opener?.focus();
  });
  document.body.append(dialog);
  dialog.showModal();
  dialog.querySelector('input, select, textarea')?.focus();
  return dialog;
}

function field(id, labelKey, input, hintKey) {
  const error = h('p', { class: 'field-error', id: `${id}-error`, role: 'alert' });
  input.id = id;
  input.setAttribute('aria-describedby', `${id}-error${hintKey ? ` ${id}-hint` : ''}`);
  input.addEventListener('input', () => {
    error.textContent = '';
    input.removeAttribute('aria-invalid');
  });
  return { error, element: h('div', { class: 'field' },
    h('label', { for: id }, t(labelKey)), input, hintKey && h('p', { class: 'hint', id: `${id}-hint` }, t(hintKey)), error) };
}

function showError(holder, input, text) {
  holder.error.textContent = text;
  input.setAttribute('aria-invalid', text ? 'true' : 'false');
}

export function openNewChannelDialog(opener) {
  const name = h('input', { name: 'name', maxlength: limits.nameMax, required: true, autocomplete: 'off' });
  const slug = h('input', { name: 'slug', maxlength: limits.slugMax, required: true, autocomplete: 'off', spellcheck: 'false' });
  const purpose = h('input', { name: 'purpose', maxlength: limits.purposeMax });
  const header = h('textarea', { name: 'header', maxlength: limits.headerMax, rows: 2 });
  const nameField = field('channel-name', 'channel_name', name);
  const slugField = field('channel-slug', 'channel_slug', slug, 'channel_slug_hint');
  const purposeField = field('channel-purpose', 'channel_purpose', purpose);
  const headerField = field('channel-header', 'channel_header', header, 'channel_header_hint');
  const formError = h('p', { class: 'field-error', role: 'alert' });
  let slugEdited = false;
  name.addEventListener('input', () => { if (!slugEdited) slug.value = name.value ? slugFromName(name.value) : ''; });
  slug.addEventListener('input', () => { slugEdited = true; });
  const type = (value, checked) => h('label', { class: 'choice' },
    h('input', { type: 'radio', name: 'visibility', value, checked, id: `visibility-${value}` }),
    h('span', {}, h('strong', {}, t(`visibility_${value}`)), h('span', { class: 'hint' }, t(`visibility_${value}_hint`))));
  const submit = h('button', { type: 'submit', class: 'primary' }, t('create_channel'));
  const form = h('form', { class: 'stack', novalidate: true },
    h('fieldset', {}, h('legend', {}, t('channel_type')), type('public', true), type('private', false)),
    nameField.element, slugField.element, purposeField.element, headerField.element, formError,
    h('div', { class: 'dialog-buttons' },
      h('button', { type: 'button', onclick: () => dialog.close() }, t('cancel')), submit));
  const dialog = openDialog(opener, 'new_channel', form);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    for (const [holder, input] of [[nameField, name], [slugField, slug], [purposeField, purpose], [headerField, header]]) showError(holder, input, '');
    formError.textContent = '';
    let valid = true;
    if (!name.value.trim()) { showError(nameField, name, t('error_name_required')); valid = false; }
    if (!/^[a-z0-9][a-z0-9-]*$/.test(slug.value) || slug.value.length < limits.slugMin) {
      showError(slugField, slug, t('error_slug_format')); valid = false;
    }
    if (!valid) return form.querySelector('[aria-invalid="true"]')?.focus();
    submit.disabled = true;
    try {
      const body = { name: name.value.trim(), slug: slug.value, visibility: form.elements.visibility.value,
        purpose: purpose.value, header: header.value };
      const answer = await api('POST', `/v1/workspaces/${enc(state.workspace.id)}/channels`, body);
      await refreshChannel(answer.channel.id);
      dialog.close();
      location.hash = `#/w/${enc(state.workspace.id)}/c/${enc(answer.channel.id)}`;
    } catch (error) {
      const target = {
        slug_taken: [slugField, slug, t('error_slug_taken')], invalid_slug: [slugField, slug, t('error_slug_format')],
        invalid_name: [nameField, name, error.message], name_too_long: [nameField, name, error.message],
        purpose_too_long: [purposeField, purpose, error.message], header_too_long: [headerField, header, error.message],
      }[error.code];
      if (target) {
        showError(target[0], target[1], target[2]);
        target[1].focus();
      } else {
        formError.textContent = errorText(error);
      }
    } finally {
      submit.disabled = false;
    }
  });
}

export function openDirectMessageDialog(opener) {
  const people = [...state.members.values()].filter((member) => member.user_id !== state.me.sub)
    .sort((a, b) => a.display_name.localeCompare(b.display_name));
  const filter = h('input', { type: 'search', autocomplete: 'off' });
  const filterField = field('dm-filter', 'find_person', filter);
  const list = h('ul', { class: 'person-list', id: 'dm-people' });
  const formError = h('p', { class: 'field-error', role: 'alert' });
  const render = () => {
    const query = filter.value.toLowerCase();
    list.replaceChildren(...people.filter((member) => !query || member.display_name.toLowerCase().includes(query)
      || member.user_id.toLowerCase().includes(query)).map((member) => h('li', {},
      h('label', { class: 'choice' }, h('input', { type: 'checkbox', name: 'people', value: member.user_id }),
        h('span', {}, member.display_name, ' ', h('span', { class: 'hint' }, `${member.user_id} · ${t(`role_${member.role}`)}`))))));
    if (!list.children.length) list.append(h('li', { class: 'hint' }, t('nobody_found')));
  };
  filter.addEventListener('input', render);
  render();
  const form = h('form', { class: 'stack' }, filterField.element,
    h('fieldset', {}, h('legend', {}, t('choose_people', { max: limits.directMembersMax })), list), formError,
    h('div', { class: 'dialog-buttons' }, h('button', { type: 'button', onclick: () => dialog.close() }, t('cancel')),
      h('button', { type: 'submit', class: 'primary' }, t('start_conversation'))));
  const dialog = openDialog(opener, 'new_direct_message', form);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const chosen = [...list.querySelectorAll('input:checked')].map((input) => input.value);
    if (!chosen.length || chosen.length > limits.directMembersMax) {
      formError.textContent = t('error_choose_people', { max: limits.directMembersMax });
      return;
    }
    try {
      const answer = await api('POST', `/v1/workspaces/${enc(state.workspace.id)}/direct-channels`, { user_ids: chosen });
      await refreshChannel(answer.channel.id);
      dialog.close();
      location.hash = `#/w/${enc(state.workspace.id)}/c/${enc(answer.channel.id)}`;
    } catch (error) {
      formError.textContent = errorText(error);
    }
  });
}

export function openAddPeopleDialog(opener) {
  const user = h('input', { required: true, maxlength: 64, autocomplete: 'off', spellcheck: 'false' });
  const name = h('input', { maxlength: limits.nameMax });
  const role = h('select', {}, ['learner', 'moderator', 'instructor'].map((value) => h('option', { value }, t(`role_${value}`))));
  const userField = field('person-id', 'user_id', user);
  const nameField = field('person-name', 'display_name', name);
  const roleField = field('person-role', 'role', role);
  const formError = h('p', { class: 'field-error', role: 'alert' });
  const form = h('form', { class: 'stack' }, userField.element, nameField.element, roleField.element, formError,
    h('div', { class: 'dialog-buttons' }, h('button', { type: 'button', onclick: () => dialog.close() }, t('cancel')),
      h('button', { type: 'submit', class: 'primary' }, t('add'))));
  const dialog = openDialog(opener, 'add_people', form);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const member = { user_id: user.value.trim(), role: role.value };
    if (name.value.trim()) member.display_name = name.value.trim();
    try {
      await api('POST', `/v1/workspaces/${enc(state.workspace.id)}/members`, { members: [member] });
      dialog.close();
    } catch (error) {
      if (error.code === 'invalid_field' || error.code.includes('user')) showError(userField, user, error.message);
      else formError.textContent = errorText(error);
    }
  });
}

/** Invites workspace members into a channel (how private channels get their members). */
export function openInviteDialog(opener, channelID) {
  const base = `/v1/workspaces/${enc(state.workspace.id)}/channels/${enc(channelID)}`;
  const people = [...state.members.values()].filter((member) => member.user_id !== state.me.sub)
    .sort((a, b) => a.display_name.localeCompare(b.display_name));
  const list = h('ul', { class: 'person-list', id: 'invite-people' }, people.map((member) => h('li', {},
    h('label', { class: 'choice' }, h('input', { type: 'checkbox', name: 'people', value: member.user_id }),
      h('span', {}, member.display_name, ' ', h('span', { class: 'hint' }, member.user_id))))));
  const formError = h('p', { class: 'field-error', role: 'alert' });
  const form = h('form', { class: 'stack' }, h('fieldset', {}, h('legend', {}, t('choose_invitees')), list), formError,
    h('div', { class: 'dialog-buttons' }, h('button', { type: 'button', onclick: () => dialog.close() }, t('cancel')),
      h('button', { type: 'submit', class: 'primary' }, t('invite'))));
  const dialog = openDialog(opener, 'invite_title', form);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const chosen = [...list.querySelectorAll('input:checked')].map((input) => input.value);
    if (!chosen.length) { formError.textContent = t('error_choose_invitees'); return; }
    try {
      await api('POST', `${base}/members`, { user_ids: chosen });
      await refreshChannel(channelID);
      dialog.close();
    } catch (error) {
      formError.textContent = errorText(error);
    }
  });
}
