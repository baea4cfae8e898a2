// The audit log for auditors: search by who, action, target, purpose, source address and time; quick filters for the
// weekly review the CJIS Security Policy asks for; entry detail; verification of the hash chain; CSV of the same search.
import { api, el, isoLocal, toast, when } from './api.js';

const quick = [
  ['Failed sign-ins', 'auth.login_failed'],
  ['Sign-ins', 'auth.*'],
  ['Exports', 'evidence.export*'],
  ['Unmasked video', 'video.unmask'],
  ['Share links', 'evidence.share*'],
  ['User changes', 'users.*'],
  ['API tokens', 'tokens.*'],
];
const fields = [
  ['actor', 'Who', 'user name'], ['action', 'Action', 'e.g. auth.login_failed or users.*'], ['target', 'Target', 'e.g. user:…, camera:…'],
  ['purpose', 'Purpose', 'words in the stated purpose'], ['source', 'Source address', 'e.g. 10.0.0.5'],
];
const pageSize = 100;
const view = { root: null, form: null, entries: [], offset: 0, navigate: null };

export async function enter(container, { params, navigate }) {
  view.navigate = navigate;
  view.entries = [];
  view.offset = 0;
  const form = el('form', { class: 'audit-filters', id: 'audit-filters' },
    fields.map(([name, label, hint]) => el('label', {}, label, el('input', { name, id: `audit-${name}`, placeholder: hint, value: params.get(name) || '' }))),
    el('label', {}, 'From', el('input', { type: 'datetime-local', name: 'from', id: 'audit-from', value: localValue(params.get('from')) })),
    el('label', {}, 'Until', el('input', { type: 'datetime-local', name: 'until', id: 'audit-until', value: localValue(params.get('until')) })),
    el('div', { class: 'row-actions' },
      el('button', { type: 'submit', id: 'audit-search' }, 'Search'),
      el('button', { type: 'button', class: 'ghost', id: 'audit-clear', onclick: () => { form.reset(); for (const i of form.querySelectorAll('input')) i.value = ''; search(); } }, 'Clear')));
  form.addEventListener('submit', (event) => { event.preventDefault(); search(); });
  view.form = form;
  view.root = el('div', { class: 'audit', id: 'audit' },
    el('div', { class: 'admin-toolbar' }, el('h2', {}, 'Audit log'),
      el('span', { class: 'spacer' }),
      el('a', { class: 'button', id: 'audit-csv', href: '/api/v1/audit.csv', download: 'audit.csv' }, 'Download CSV'),
      el('button', { type: 'button', id: 'audit-verify', onclick: verify }, 'Verify chain')),
    el('div', { id: 'audit-verify-result', hidden: true }),
    el('div', { class: 'quick-filters', id: 'audit-quick' }, el('span', { class: 'muted' }, 'Weekly review:'),
      quick.map(([label, action]) => el('button', { type: 'button', 'data-action': action, onclick: () => quickFilter(action) }, label))),
    form,
    el('div', { class: 'admin-split' },
      el('div', { class: 'table-wrap' },
        el('table', { class: 'data audit-table', id: 'audit-table' },
          el('thead', {}, el('tr', {}, ['#', 'When', 'Who', 'Action', 'Target', 'Source', 'Purpose', 'Detail'].map((h) => el('th', {}, h)))),
          el('tbody', {})),
        el('p', { class: 'muted', id: 'audit-count' }),
        el('button', { type: 'button', id: 'audit-more', hidden: true, onclick: () => load(true) }, 'Older entries')),
      el('aside', { class: 'admin-panel', id: 'audit-detail', hidden: true })));
  container.append(view.root);
  await load(false);
}

export function leave() { view.root = null; }

/// An ISO time from the URL as a datetime-local value ('' when absent or unreadable).
function localValue(text) {
  const ms = text ? Date.parse(text) : NaN;
  return Number.isNaN(ms) ? '' : isoLocal(ms);
}

/// The search as API query parameters (times in UTC, whole seconds).
function query() {
  const data = new FormData(view.form);
  const params = new URLSearchParams();
  for (const [name] of fields) {
    const value = String(data.get(name) || '').trim();
    if (value) params.set(name, value);
  }
  for (const name of ['from', 'until']) {
    const value = String(data.get(name) || '');
    if (value) params.set(name, new Date(value).toISOString().replace(/\.\d{3}Z$/, 'Z'));
  }
  return params;
}

function quickFilter(action) {
  for (const input of view.form.querySelectorAll('input')) input.value = '';
  view.form.querySelector('#audit-action').value = action;
  // The weekly review covers the last 7 days.
  view.form.querySelector('#audit-from').value = isoLocal(Date.now() - 7 * 86_400_000);
  search();
}

function search() {
  const params = query();
  view.navigate?.(`/audit${params.size ? '?' + params : ''}`);
}

async function load(more) {
  const params = query();
  const offset = more ? view.offset : 0;
  params.set('limit', String(pageSize));
  params.set('offset', String(offset));
  let entries;
  try {
    entries = await api(`/api/v1/audit?${params}`);
  } catch (failure) {
    toast(`The audit log could not be searched: ${failure.message}`);
    return;
  }
  if (!view.root) return;
  view.entries = more ? view.entries.concat(entries) : entries;
  view.offset = offset + entries.length;
  const csv = query();
  view.root.querySelector('#audit-csv').href = `/api/v1/audit.csv${csv.size ? '?' + csv : ''}`;
  for (const button of view.root.querySelectorAll('#audit-quick button')) button.classList.toggle('active', button.dataset.action === csv.get('action'));
  const body = view.root.querySelector('#audit-table tbody');
  body.replaceChildren(...view.entries.map((entry) => el('tr', {
    'data-sequence': entry.sequence, 'data-action': entry.action, tabindex: '0', onclick: () => detail(entry),
    onkeydown: (event) => { if (event.key === 'Enter') detail(entry); },
    class: entry.action.endsWith('_failed') || entry.action.endsWith('_refused') ? 'failed' : '',
  },
  el('td', { class: 'num' }, String(entry.sequence)), el('td', { class: 'nowrap' }, when(entry.at)), el('td', {}, entry.actor),
  el('td', {}, el('code', {}, entry.action)), el('td', { class: 'small' }, entry.target), el('td', {}, entry.source || ''),
  el('td', {}, entry.purpose || ''), el('td', { class: 'small detail-cell' }, entry.detail || ''))));
  if (!view.entries.length) body.append(el('tr', {}, el('td', { colspan: '8', class: 'muted' }, 'No entry matches this search.')));
  view.root.querySelector('#audit-count').textContent = `${view.entries.length} entr${view.entries.length === 1 ? 'y' : 'ies'} shown, newest first.`;
  view.root.querySelector('#audit-more').hidden = entries.length < pageSize;
}

function detail(entry) {
  const panel = view.root?.querySelector('#audit-detail');
  if (!panel) return;
  for (const row of view.root.querySelectorAll('#audit-table tr.selected')) row.classList.remove('selected');
  view.root.querySelector(`#audit-table tr[data-sequence="${entry.sequence}"]`)?.classList.add('selected');
  panel.hidden = false;
  const rows = [['Entry', entry.sequence], ['When', `${when(entry.at)} (${entry.at})`], ['Who', entry.actor], ['Action', entry.action],
    ['Target', entry.target], ['Source', entry.source], ['Purpose', entry.purpose], ['Detail', entry.detail],
    ['Previous hash', entry.previousHash], ['Hash', entry.hash]];
  panel.replaceChildren(
    el('div', { class: 'panel-head' }, el('h3', {}, `Entry ${entry.sequence}`),
      el('button', { type: 'button', class: 'ghost close', title: 'Close', onclick: () => { panel.hidden = true; } }, '×')),
    el('dl', { class: 'facts', id: 'audit-entry' }, rows.flatMap(([label, value]) => [el('dt', {}, label),
      el('dd', { class: label.includes('hash') || label === 'Hash' ? 'hash' : '' }, value === undefined || value === null || value === '' ? '—' : String(value))])));
}

async function verify() {
  const box = view.root?.querySelector('#audit-verify-result');
  const button = view.root?.querySelector('#audit-verify');
  if (!box) return;
  button.disabled = true;
  box.hidden = false;
  box.className = 'notice';
  box.textContent = 'Verifying the whole chain…';
  try {
    const result = await api('/api/v1/audit/verify');
    box.className = `notice ${result.intact ? 'intact' : 'error'}`;
    box.dataset.intact = String(result.intact);
    const checked = `${result.entries} entries and ${result.checkpointsChecked} signed checkpoint${result.checkpointsChecked === 1 ? '' : 's'} checked`
      + (result.lastCheckpointAt ? `; newest checkpoint ${when(result.lastCheckpointAt)}` : '');
    box.replaceChildren(result.intact
      ? el('p', {}, el('strong', {}, 'The chain is intact. '), `${checked}: nothing was changed, inserted or deleted.`)
      : el('div', {}, el('p', {}, el('strong', {}, `The chain is broken in ${result.breaks.length} place${result.breaks.length === 1 ? '' : 's'}. `), checked),
        el('ul', { class: 'breaks' }, result.breaks.map((b) => el('li', {}, b.sequence ? `Entry ${b.sequence}: ${b.reason}` : b.reason)))));
  } catch (failure) {
    box.className = 'notice error';
    box.textContent = `Verification could not run: ${failure.message}`;
  } finally {
    button.disabled = false;
  }
}
