// Admin > Partners: every business and homeowner in the community camera program with its contact, consent, cameras
// and agreed retention; per partner its consent record, its cameras (sharing tier and state), the retention it agreed
// to and its user accounts; edit (every field error shown beside its field, nothing stored when any is wrong); delete
// after a confirmation (the server refuses while cameras or accounts remain, and names them).
import { api, confirmAction, el, showFieldErrors, toast, when } from './api.js';

const statuses = ['pending', 'active', 'suspended', 'withdrawn'];
const kinds = ['business', 'homeowner'];
const view = { root: null, me: null, partners: [], selected: null, query: '' };

export async function enter(container, { me }) {
  view.root = container;
  view.me = me;
  view.selected = null;
  view.query = '';
  const search = el('input', { type: 'search', id: 'partners-search', class: 'search',
    placeholder: 'Search partners', title: 'Name, contact, consent, status, cameras or retention',
    oninput: () => { view.query = search.value.trim().toLowerCase(); renderTable(); } });
  container.append(
    el('div', { class: 'admin-toolbar' }, el('h2', {}, 'Partners'), search,
      el('span', { class: 'small muted', id: 'partners-count' })),
    el('div', { class: 'admin-split' },
      el('div', { class: 'table-wrap' }, el('table', { class: 'data partners', id: 'partners-table' },
        el('thead', {}, el('tr', {}, ['Name', 'Kind', 'Contact', 'Consent', 'Status', 'Cameras', 'Agreed retention'].map((h) => el('th', {}, h)))),
        el('tbody', {}))),
      el('aside', { class: 'admin-panel partner-panel', id: 'partner-panel', hidden: true })));
  await reload();
}

export function leave() { view.root = null; }

async function reload() {
  const partners = [];
  try {
    for (let offset = 0; ; offset += 1000) {
      const page = await api(`/api/v1/partners?limit=1000&offset=${offset}`);
      partners.push(...page.items);
      if (partners.length >= page.total || page.items.length === 0) break;
    }
  } catch (failure) {
    toast(`Partners could not be listed: ${failure.message}`);
    return;
  }
  if (!view.root) return;
  view.partners = partners;
  renderTable();
}

/// The consent column's words.
function consentText(partner) {
  return partner.consent ? `terms ${partner.consent.termsVersion}, ${new Date(partner.consent.acceptedAt).toLocaleDateString()}` : 'none recorded';
}

/// The agreed retention in words.
function retentionText(days) { return days == null ? "cameras' own" : `${days} days`; }

function searchable(partner) {
  return [partner.name, partner.contactName, partner.email, partner.kind, partner.status, partner.consent ? 'consented' : 'no consent',
    consentText(partner), `${partner.cameraCount} camera${partner.cameraCount === 1 ? '' : 's'}`, retentionText(partner.retentionDays)]
    .join(' ').toLowerCase();
}

function renderTable() {
  if (!view.root) return;
  const body = view.root.querySelector('#partners-table tbody');
  const rows = view.partners.filter((partner) => !view.query || searchable(partner).includes(view.query));
  view.root.querySelector('#partners-count').textContent = view.query
    ? `${rows.length} of ${view.partners.length}` : `${view.partners.length} partner${view.partners.length === 1 ? '' : 's'}`;
  body.replaceChildren(...rows.map((partner) => el('tr', {
    'data-partner': partner.id, 'data-name': partner.name, class: partner.id === view.selected ? 'selected' : '', tabindex: '0',
    onclick: () => select(partner.id), onkeydown: (event) => { if (event.key === 'Enter') select(partner.id); },
  },
  el('td', {}, partner.name), el('td', {}, partner.kind),
  el('td', {}, partner.contactName, el('div', { class: 'small muted' }, partner.email)),
  el('td', { class: partner.consent ? '' : 'muted' }, consentText(partner)),
  el('td', {}, el('span', { class: `pill pill-${partner.status}` }, partner.status)),
  el('td', { class: 'num' }, String(partner.cameraCount)),
  el('td', {}, retentionText(partner.retentionDays)))));
  if (!rows.length) {
    body.append(el('tr', {}, el('td', { colspan: '7', class: 'muted' }, view.partners.length ? 'No partner matches the search.' : 'No partners yet.')));
  }
}

async function select(id) {
  view.selected = id;
  renderTable();
  await renderPanel(id);
}

function closePanel() {
  view.selected = null;
  renderTable();
  const panel = view.root?.querySelector('#partner-panel');
  if (panel) panel.hidden = true;
}

// MARK: One partner

async function renderPanel(id, editing = false) {
  const panel = view.root?.querySelector('#partner-panel');
  if (!panel) return;
  panel.hidden = false;
  panel.dataset.partner = id;
  let overview;
  try {
    overview = await api(`/api/v1/partners/${id}/overview`);
  } catch (failure) {
    panel.replaceChildren(el('p', { class: 'error', role: 'alert' }, `This partner could not be shown: ${failure.message}`));
    return;
  }
  if (!view.root || view.selected !== id) return;
  const { partner } = overview;
  const head = el('div', { class: 'panel-head' },
    el('h3', { id: 'partner-title' }, partner.name),
    el('button', { type: 'button', class: 'ghost close', title: 'Close', onclick: closePanel }, '×'));
  if (editing) {
    panel.replaceChildren(head, editForm(partner));
    panel.querySelector('input')?.focus();
    return;
  }
  const consent = partner.consent
    ? `Accepted the sharing terms ${partner.consent.termsVersion} on ${new Date(partner.consent.acceptedAt).toLocaleDateString()}`
    : 'No consent recorded: the partner cannot be active until it is.';
  panel.replaceChildren(
    head,
    el('p', {}, el('span', { class: `pill pill-${partner.status}`, id: 'partner-status' }, partner.status),
      el('span', { class: 'small muted' }, ` ${partner.kind} · since ${when(partner.createdAt)}`)),
    el('dl', { class: 'facts', id: 'partner-facts' },
      el('dt', {}, 'Contact'), el('dd', {}, partner.contactName),
      el('dt', {}, 'E-mail'), el('dd', {}, el('a', { href: `mailto:${partner.email}` }, partner.email)),
      el('dt', {}, 'Phone'), el('dd', {}, partner.phone || el('span', { class: 'muted' }, '—')),
      el('dt', {}, 'Address'), el('dd', {}, partner.address),
      el('dt', {}, 'Consent'), el('dd', { id: 'partner-consent', class: partner.consent ? '' : 'muted' }, consent)),
    el('div', { class: 'row-actions' },
      el('button', { type: 'button', id: 'partner-edit', onclick: () => renderPanel(id, true) }, 'Edit'),
      el('button', { type: 'button', class: 'danger', id: 'partner-delete', onclick: () => remove(partner) }, 'Delete')),
    el('p', { class: 'error', role: 'alert', id: 'partner-delete-error', hidden: true }),
    el('h4', {}, 'Agreed retention'),
    retentionForm(partner, overview),
    el('h4', {}, `Cameras (${overview.cameras.length})`),
    overview.cameras.length
      ? el('table', { class: 'data compact', id: 'partner-cameras' },
        el('thead', {}, el('tr', {}, ['Camera', 'Sharing tier', 'State', 'Kept'].map((h) => el('th', {}, h)))),
        el('tbody', {}, overview.cameras.map(({ camera, state, retentionDays }) => el('tr', { 'data-camera': camera.id },
          el('td', {}, camera.name), el('td', {}, camera.sharing.replace('_', ' ')),
          el('td', {}, el('span', { class: `pill pill-${state}` }, state)), el('td', { class: 'nowrap' }, `${retentionDays} d`)))))
      : el('p', { class: 'muted', id: 'partner-cameras' }, 'None.'),
    el('h4', {}, `User accounts (${overview.users.length})`),
    overview.users.length
      ? el('table', { class: 'data compact', id: 'partner-users' },
        el('thead', {}, el('tr', {}, ['User name', 'Name', 'State'].map((h) => el('th', {}, h)))),
        el('tbody', {}, overview.users.map((user) => el('tr', { 'data-username': user.username },
          el('td', {}, user.username), el('td', {}, user.displayName),
          el('td', {}, el('span', { class: `pill pill-${user.disabled ? 'disabled' : 'active'}` }, user.disabled ? 'disabled' : 'active'))))))
      : el('p', { class: 'muted', id: 'partner-users' }, 'None.'));
}

function field(label, input, name, hint) {
  return el('label', {}, label, input, el('span', { class: 'field-error', 'data-field': name, hidden: true }),
    hint ? el('span', { class: 'hint small muted' }, hint) : null);
}

/// The date part of an ISO time, for a date input ('' when absent).
function dateOnly(text) { return text ? new Date(text).toISOString().slice(0, 10) : ''; }

function editForm(partner) {
  const input = (name, value, attributes = {}) => el('input', { name, id: `partner-${name}`, value: value ?? '', autocomplete: 'off', ...attributes });
  const general = el('p', { class: 'error', role: 'alert', hidden: true, id: 'partner-edit-error' });
  const form = el('form', { class: 'admin-form inline', id: 'partner-form', novalidate: true },
    el('h4', {}, 'Edit partner'),
    field('Name', input('name', partner.name), 'name'),
    field('Kind', el('select', { name: 'kind', id: 'partner-kind' }, kinds.map((k) => el('option', { value: k, selected: k === partner.kind }, k))), 'kind'),
    field('Contact person', input('contactName', partner.contactName), 'contactName'),
    field('E-mail', input('email', partner.email, { type: 'email' }), 'email'),
    field('Phone', input('phone', partner.phone, { type: 'tel' }), 'phone', 'Optional.'),
    field('Address', input('address', partner.address), 'address'),
    field('Status', el('select', { name: 'status', id: 'partner-status-select' },
      statuses.map((s) => el('option', { value: s, selected: s === partner.status }, s))), 'status',
    'Active needs a consent record; withdrawn ends the partner\'s sharing and keeps its record.'),
    el('fieldset', { class: 'consent' }, el('legend', {}, 'Consent'),
      field('Terms version', input('termsVersion', partner.consent?.termsVersion), 'consent.termsVersion',
        'The version of the sharing terms the partner accepted, e.g. 2026-01. Empty: no consent recorded.'),
      field('Accepted on', input('acceptedAt', dateOnly(partner.consent?.acceptedAt), { type: 'date' }), 'consent.acceptedAt'),
      el('span', { class: 'field-error', 'data-field': 'consent', hidden: true })),
    general,
    el('div', { class: 'row-actions' },
      el('button', { type: 'submit', class: 'primary', id: 'partner-save' }, 'Save'),
      el('button', { type: 'button', class: 'ghost', id: 'partner-cancel', onclick: () => renderPanel(partner.id) }, 'Cancel')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const data = Object.fromEntries(new FormData(form));
    const termsVersion = data.termsVersion.trim();
    const body = {
      name: data.name.trim(), kind: data.kind, contactName: data.contactName.trim(), email: data.email.trim(),
      phone: data.phone.trim() || null, address: data.address.trim(), status: data.status,
      consent: termsVersion || data.acceptedAt
        ? { termsVersion, acceptedAt: data.acceptedAt ? new Date(`${data.acceptedAt}T12:00:00Z`).toISOString() : new Date().toISOString() }
        : null,
    };
    const button = form.querySelector('#partner-save');
    button.disabled = true;
    try {
      const saved = await api(`/api/v1/partners/${partner.id}`, { method: 'PATCH', body });
      toast(`${saved.name} is saved.`, 'ok');
      await reload();
      await renderPanel(partner.id);
    } catch (failure) {
      showFieldErrors(form, failure, general);
    } finally {
      button.disabled = false;
    }
  });
  return form;
}

function retentionForm(partner, overview) {
  const days = el('input', { name: 'days', id: 'partner-retention', type: 'number', min: '1', max: '3650', inputmode: 'numeric',
    value: overview.retentionDays ?? '', placeholder: `cameras' own (default ${overview.defaultRetentionDays})` });
  const general = el('p', { class: 'error', role: 'alert', hidden: true });
  const form = el('form', { class: 'admin-form inline', id: 'partner-retention-form', novalidate: true },
    el('p', { class: 'small muted' }, overview.retentionDays == null
      ? 'No limit agreed: each camera keeps footage for its own retention.'
      : `The partner agreed to footage being kept at most ${overview.retentionDays} days; a camera set longer keeps it this long.`),
    el('div', { class: 'row-actions' }, field('Days (empty: the cameras\' own)', days, 'days'),
      el('button', { type: 'submit', id: 'partner-retention-save' }, 'Set')),
    general);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const text = days.value.trim();
    const body = { days: text === '' ? null : Number(text) };
    try {
      await api(`/api/v1/partners/${partner.id}/retention`, { method: 'PUT', body });
      toast(body.days == null ? `${partner.name}'s cameras keep their own retention.` : `${partner.name}'s footage is kept at most ${body.days} days.`, 'ok');
      await reload();
      await renderPanel(partner.id);
    } catch (failure) {
      showFieldErrors(form, failure, general);
    }
  });
  return form;
}

async function remove(partner) {
  if (!await confirmAction(`Delete ${partner.name}? Its record and consent are removed; the audit log keeps what was done. `
    + 'A partner that still owns cameras or user accounts cannot be deleted.', 'Delete partner')) return;
  const error = view.root?.querySelector('#partner-delete-error');
  try {
    await api(`/api/v1/partners/${partner.id}`, { method: 'DELETE' });
    toast(`${partner.name} is deleted.`, 'ok');
    closePanel();
    await reload();
  } catch (failure) {
    if (!error) return;
    error.textContent = failure.status === 409 ? `Not deleted: ${failure.message}.` : `Not deleted: ${failure.message}`;
    error.hidden = false;
  }
}
