// Admin > Users: every account with its role, state, second factor and last sign-in; create a user; per user change
// the role, disable or enable, reset the password, unlock, see and end sessions, and force two-factor re-enrolment.
import { api, confirmAction, el, showFieldErrors, toast, when } from './api.js';

const roles = ['admin', 'supervisor', 'analyst', 'officer', 'partner', 'auditor'];
const view = { root: null, me: null, users: [], partners: [], selected: null, query: '' };

export async function enter(container, { me }) {
  view.root = container;
  view.me = me;
  view.selected = null;
  view.query = '';
  const canWrite = me.permissions.includes('users:write');
  const search = el('input', { type: 'search', id: 'users-search', placeholder: 'Search name, user name, role or status', class: 'search',
    oninput: () => { view.query = search.value.trim().toLowerCase(); renderTable(); } });
  container.append(
    el('div', { class: 'admin-toolbar' },
      el('h2', {}, 'Users'), search,
      canWrite ? el('button', { type: 'button', id: 'user-new', class: 'primary', onclick: () => toggleCreate() }, 'New user') : null),
    canWrite ? createForm() : null,
    el('div', { class: 'admin-split' },
      el('div', { class: 'table-wrap' }, el('table', { class: 'data users', id: 'users-table' },
        el('thead', {}, el('tr', {}, ['User name', 'Name', 'Role', 'Status', 'Two-factor', 'Last sign-in'].map((h) => el('th', {}, h)))),
        el('tbody', {}))),
      el('aside', { class: 'admin-panel', id: 'user-panel', hidden: true })));
  if (canWrite && me.permissions.includes('partners:read')) {
    api('/api/v1/partners?limit=1000').then((page) => { view.partners = page.items || page; fillPartners(); })
      .catch((failure) => toast(`Partners could not be listed: ${failure.message}`));
  }
  await reload();
}

export function leave() { view.root = null; }

async function reload() {
  try {
    view.users = await api('/api/v1/users');
  } catch (failure) {
    toast(`Users could not be listed: ${failure.message}`);
    return;
  }
  if (!view.root) return;
  renderTable();
  if (view.selected) renderPanel(view.users.find((u) => u.id === view.selected));
}

/// 'disabled', 'locked' or 'active'.
function status(user) { return user.disabled ? 'disabled' : user.locked ? 'locked' : 'active'; }

function renderTable() {
  if (!view.root) return;
  const body = view.root.querySelector('#users-table tbody');
  const rows = view.users.filter((user) => !view.query
    || [user.username, user.displayName, user.role, status(user)].some((text) => (text || '').toLowerCase().includes(view.query)));
  body.replaceChildren(...rows.map((user) => el('tr', {
    'data-user': user.id, 'data-username': user.username, class: user.id === view.selected ? 'selected' : '', tabindex: '0',
    onclick: () => select(user.id), onkeydown: (event) => { if (event.key === 'Enter') select(user.id); },
  },
  el('td', {}, user.username), el('td', {}, user.displayName), el('td', {}, user.role),
  el('td', {}, el('span', { class: `pill pill-${status(user)}` }, status(user)),
    user.locked && user.lockedUntil ? el('span', { class: 'small muted' }, ` until ${when(user.lockedUntil)}`) : null),
  el('td', { class: 'mfa' }, user.mfaEnrolled === undefined ? '—' : user.mfaEnrolled ? 'on' : 'off'),
  el('td', {}, user.lastSignInAt ? when(user.lastSignInAt) : el('span', { class: 'muted' }, 'never')))));
  if (!rows.length) body.append(el('tr', {}, el('td', { colspan: '6', class: 'muted' }, view.users.length ? 'No user matches the search.' : 'No users.')));
}

function select(id) {
  view.selected = id;
  renderTable();
  renderPanel(view.users.find((u) => u.id === id));
}

// MARK: Create

function field(label, input, name, hint) {
  return el('label', {}, label, input, el('span', { class: 'field-error', 'data-field': name, hidden: true }),
    hint ? el('span', { class: 'hint small muted' }, hint) : null);
}

function createForm() {
  const role = el('select', { name: 'role', id: 'new-user-role', onchange: () => { partnerRow.hidden = role.value !== 'partner'; } },
    roles.map((r) => el('option', { value: r, selected: r === 'analyst' }, r)));
  const partnerRow = field('Partner', el('select', { name: 'partnerID', id: 'new-user-partner' }, el('option', { value: '' }, '—')), 'partnerID',
    'The camera owner this account acts for.');
  partnerRow.hidden = true;
  const general = el('p', { class: 'error', role: 'alert', hidden: true, id: 'user-create-error' });
  const form = el('form', { class: 'admin-form', id: 'user-create', hidden: true, novalidate: true },
    el('h3', {}, 'New user'),
    el('div', { class: 'form-grid' },
      field('User name', el('input', { name: 'username', id: 'new-user-username', autocomplete: 'off', spellcheck: 'false' }), 'username',
        'Lower-case letters, digits, dot, dash or underscore.'),
      field('Full name', el('input', { name: 'displayName', id: 'new-user-name', autocomplete: 'off' }), 'displayName'),
      field('Role', role, 'role'),
      field('First password', el('input', { name: 'password', id: 'new-user-password', type: 'password', autocomplete: 'new-password' }), 'password',
        'Give it to the person in private; they sign in with it.'),
      partnerRow),
    general,
    el('div', { class: 'row-actions' },
      el('button', { type: 'submit', id: 'user-create-submit' }, 'Create user'),
      el('button', { type: 'button', class: 'ghost', onclick: () => toggleCreate(false) }, 'Cancel')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const data = Object.fromEntries(new FormData(form));
    const body = { username: data.username.trim(), displayName: data.displayName.trim(), role: data.role, password: data.password };
    if (data.role === 'partner' && data.partnerID) body.partnerID = data.partnerID;
    const button = form.querySelector('#user-create-submit');
    button.disabled = true;
    try {
      const user = await api('/api/v1/users', { method: 'POST', body });
      showFieldErrors(form, null, general);
      form.reset();
      partnerRow.hidden = true;
      toggleCreate(false);
      toast(`User ${user.username} created as ${user.role}.`, 'ok');
      view.selected = user.id;
      await reload();
    } catch (failure) {
      showFieldErrors(form, failure, general);
    } finally {
      button.disabled = false;
    }
  });
  return form;
}

function fillPartners() {
  const select = view.root?.querySelector('#new-user-partner');
  if (!select) return;
  select.replaceChildren(el('option', { value: '' }, '—'), ...view.partners.map((p) => el('option', { value: p.id }, p.name)));
}

function toggleCreate(show) {
  const form = view.root?.querySelector('#user-create');
  if (!form) return;
  form.hidden = show === undefined ? !form.hidden : !show;
  if (!form.hidden) form.querySelector('input').focus();
}

// MARK: One user

async function act(work, success) {
  try {
    await work();
    toast(success, 'ok');
    await reload();
    return true;
  } catch (failure) {
    toast(failure.message);
    return false;
  }
}

function renderPanel(user) {
  const panel = view.root?.querySelector('#user-panel');
  if (!panel) return;
  if (!user) { panel.hidden = true; return; }
  panel.hidden = false;
  panel.dataset.user = user.id;
  const canWrite = view.me.permissions.includes('users:write');
  const self = user.id === view.me.user.id;
  const state = status(user);
  const sections = [
    el('div', { class: 'panel-head' },
      el('h3', {}, user.displayName || user.username),
      el('button', { type: 'button', class: 'ghost close', title: 'Close', onclick: () => { view.selected = null; renderTable(); panel.hidden = true; } }, '×')),
    el('p', { class: 'muted' }, `${user.username} · ${user.role} · created ${when(user.createdAt)}`),
    el('p', {}, el('span', { class: `pill pill-${state}`, id: 'user-state' }, state),
      user.locked ? el('span', { class: 'small' }, user.lockedUntil ? ` after failed sign-ins, until ${when(user.lockedUntil)} or an unlock`
        : ' after failed sign-ins, until an administrator unlocks it') : null),
  ];
  if (canWrite) {
    if (user.locked) {
      sections.push(el('button', { type: 'button', class: 'primary', id: 'user-unlock',
        onclick: () => act(() => api(`/api/v1/users/${user.id}/unlock`, { method: 'POST' }), `${user.username} is unlocked and can sign in again.`) },
      'Unlock'));
    }
    const roleSelect = el('select', { id: 'user-role', disabled: self }, roles.map((r) => el('option', { value: r, selected: r === user.role }, r)));
    sections.push(el('h4', {}, 'Role'), el('div', { class: 'row-actions' }, roleSelect,
      el('button', { type: 'button', id: 'user-role-save', disabled: self, onclick: async () => {
        if (roleSelect.value === user.role) return;
        if (!await confirmAction(`Change ${user.username}'s role from ${user.role} to ${roleSelect.value}? Their permissions change at once.`, 'Change role')) return;
        act(() => api(`/api/v1/users/${user.id}`, { method: 'PATCH', body: { role: roleSelect.value } }), `${user.username} is now ${roleSelect.value}.`);
      } }, 'Change role')),
    self ? el('p', { class: 'small muted' }, 'You cannot change your own role or disable yourself; ask another administrator.') : null);

    sections.push(el('h4', {}, 'Access'), el('div', { class: 'row-actions' },
      user.disabled
        ? el('button', { type: 'button', id: 'user-enable', onclick: () => act(
          () => api(`/api/v1/users/${user.id}`, { method: 'PATCH', body: { disabled: false } }), `${user.username} is enabled.`) }, 'Enable')
        : el('button', { type: 'button', class: 'danger', id: 'user-disable', disabled: self, onclick: async () => {
          if (!await confirmAction(`Disable ${user.username}? Their sessions end and their API tokens are revoked now.`, 'Disable')) return;
          act(() => api(`/api/v1/users/${user.id}`, { method: 'PATCH', body: { disabled: true } }), `${user.username} is disabled.`);
        } }, 'Disable'),
      el('button', { type: 'button', class: 'danger', id: 'user-mfa-reset', onclick: async () => {
        if (!await confirmAction(`Reset ${user.username}'s two-factor sign-in? Their authenticator and recovery codes stop working; `
          + 'they set it up again at their next sign-in.', 'Reset two-factor')) return;
        act(() => api(`/api/v1/users/${user.id}/mfa`, { method: 'DELETE' }), `${user.username} sets up two-factor sign-in again at the next sign-in.`);
      } }, 'Reset two-factor')));
    sections.push(passwordForm(user));
  }
  const sessions = el('div', { id: 'user-sessions' }, el('p', { class: 'muted' }, 'Loading sessions…'));
  sections.push(el('h4', {}, 'Open sessions'), sessions);
  panel.replaceChildren(...sections.filter((section) => section !== null));
  loadSessions(user, sessions, canWrite);
}

function passwordForm(user) {
  const input = el('input', { type: 'password', name: 'password', id: 'user-password', autocomplete: 'new-password' });
  const general = el('p', { class: 'error', role: 'alert', hidden: true });
  const form = el('form', { class: 'admin-form inline', id: 'user-password-form', novalidate: true },
    el('h4', {}, 'Reset password'),
    el('label', {}, 'New password', input, el('span', { class: 'field-error', 'data-field': 'password', hidden: true })),
    general,
    el('button', { type: 'submit', id: 'user-password-submit' }, 'Set password'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      await api(`/api/v1/users/${user.id}/password`, { method: 'POST', body: { password: input.value } });
      showFieldErrors(form, null, general);
      input.value = '';
      toast(`${user.username}'s password is set; give it to them in private.`, 'ok');
      await reload();
    } catch (failure) {
      showFieldErrors(form, failure, general);
    }
  });
  return form;
}

async function loadSessions(user, box, canWrite) {
  let sessions;
  try {
    sessions = await api(`/api/v1/users/${user.id}/sessions`);
  } catch (failure) {
    box.replaceChildren(el('p', { class: 'error' }, `Sessions could not be listed: ${failure.message}`));
    return;
  }
  if (!sessions.length) {
    box.replaceChildren(el('p', { class: 'muted' }, 'None.'));
    return;
  }
  box.replaceChildren(
    el('table', { class: 'data compact' },
      el('thead', {}, el('tr', {}, ['Started', 'Last seen', 'From'].map((h) => el('th', {}, h)))),
      el('tbody', {}, sessions.map((s) => el('tr', {}, el('td', {}, when(s.startedAt)), el('td', {}, when(s.lastSeenAt)), el('td', {}, s.source || ''))))),
    canWrite ? el('button', { type: 'button', class: 'danger', id: 'user-sessions-end', onclick: async () => {
      if (!await confirmAction(`End all ${sessions.length} of ${user.username}'s sessions? They are signed out everywhere at once.`, 'End sessions')) return;
      act(() => api(`/api/v1/users/${user.id}/sessions`, { method: 'DELETE' }), `${user.username} is signed out everywhere.`);
    } }, 'End all sessions') : null);
}
