// Admin > API tokens: issue a token for an integration with scopes (no more than the administrator's own permissions)
// and an expiry, its secret shown once; list tokens with their last use; revoke.
import { api, confirmAction, copyButton, el, showFieldErrors, toast, when } from './api.js';

const view = { root: null, me: null, users: {} };
const expiries = [['30', '30 days'], ['90', '90 days'], ['365', '1 year'], ['', 'Never']];

export async function enter(container, { me }) {
  view.root = container;
  view.me = me;
  container.append(
    el('div', { class: 'admin-toolbar' }, el('h2', {}, 'API tokens')),
    el('p', { class: 'muted' }, 'Tokens let integrations (gunshot detection, plate readers, CAD, video players) call the API without a person '
      + 'signing in. A token can do only what its scopes allow, never more than you can yourself.'),
    issueForm(),
    el('div', { id: 'token-secret', hidden: true }),
    el('table', { class: 'data', id: 'tokens-table' },
      el('thead', {}, el('tr', {}, ['Name', 'Scopes', 'Owner', 'Issued', 'Expires', 'Last used', 'State', ''].map((h) => el('th', {}, h)))),
      el('tbody', {})));
  api('/api/v1/users').then((users) => { view.users = Object.fromEntries(users.map((u) => [u.id, u.username])); reload(); })
    .catch((failure) => toast(`Token owners are shown by id: users could not be listed (${failure.message})`));
  await reload();
}

export function leave() { view.root = null; }

function issueForm() {
  const scopes = view.me.permissions;
  const general = el('p', { class: 'error', role: 'alert', hidden: true });
  const form = el('form', { class: 'admin-form', id: 'token-issue', novalidate: true },
    el('h3', {}, 'Issue a token'),
    el('div', { class: 'form-grid' },
      el('label', {}, 'Name', el('input', { name: 'name', id: 'token-name', placeholder: 'e.g. ShotSpotter feed', autocomplete: 'off' }),
        el('span', { class: 'field-error', 'data-field': 'name', hidden: true })),
      el('label', {}, 'Expires after', el('select', { name: 'expiry', id: 'token-expiry' },
        expiries.map(([days, label]) => el('option', { value: days, selected: days === '90' }, label))),
      el('span', { class: 'field-error', 'data-field': 'expiresAt', hidden: true }))),
    el('fieldset', { class: 'scopes', id: 'token-scopes' }, el('legend', {}, 'Scopes'),
      scopes.map((scope) => el('label', { class: 'check' }, el('input', { type: 'checkbox', name: 'scopes', value: scope }), el('code', {}, scope))),
      el('span', { class: 'field-error', 'data-field': 'scopes', hidden: true })),
    general,
    el('button', { type: 'submit', id: 'token-issue-submit' }, 'Issue token'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const body = { name: String(data.get('name')).trim(), scopes: data.getAll('scopes') };
    const days = data.get('expiry');
    if (days) body.expiresAt = new Date(Date.now() + Number(days) * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    try {
      const issued = await api('/api/v1/tokens', { method: 'POST', body });
      showFieldErrors(form, null, general);
      form.reset();
      showSecret(issued);
      toast(`Token "${issued.token.name}" issued.`, 'ok');
      await reload();
    } catch (failure) {
      showFieldErrors(form, failure, general);
    }
  });
  return form;
}

function showSecret(issued) {
  const box = view.root?.querySelector('#token-secret');
  if (!box) return;
  box.hidden = false;
  box.className = 'secret-once';
  box.replaceChildren(
    el('h3', {}, `Secret of "${issued.token.name}"`),
    el('p', {}, el('strong', {}, 'Shown only now. '), 'Copy it into the integration\'s settings; the RTCC keeps only a digest and cannot show it again.'),
    el('div', { class: 'row-actions' }, el('code', { class: 'secret', id: 'token-secret-value' }, issued.secret),
      copyButton(() => issued.secret, 'Copy', { id: 'token-secret-copy' }),
      el('button', { type: 'button', class: 'ghost', id: 'token-secret-hide', onclick: () => { box.hidden = true; box.replaceChildren(); } }, 'Done')));
}

function tokenState(token) {
  if (token.revokedAt) return 'revoked';
  if (token.expiresAt && new Date(token.expiresAt) <= new Date()) return 'expired';
  return 'active';
}

async function reload() {
  let tokens;
  try {
    tokens = await api('/api/v1/tokens');
  } catch (failure) {
    toast(`Tokens could not be listed: ${failure.message}`);
    return;
  }
  const body = view.root?.querySelector('#tokens-table tbody');
  if (!body) return;
  body.replaceChildren(...tokens.map((token) => {
    const state = tokenState(token);
    return el('tr', { 'data-token': token.id, 'data-name': token.name, class: state === 'active' ? '' : 'inactive' },
      el('td', {}, token.name),
      el('td', { class: 'small' }, token.scopes.join(', ')),
      el('td', {}, view.users[token.ownerID] || token.ownerID),
      el('td', {}, when(token.createdAt)),
      el('td', {}, token.expiresAt ? when(token.expiresAt) : 'never'),
      el('td', {}, token.lastUsedAt ? when(token.lastUsedAt) : el('span', { class: 'muted' }, 'never')),
      el('td', {}, el('span', { class: `pill pill-${state}` }, state)),
      el('td', {}, state === 'revoked' ? null : el('button', { type: 'button', class: 'danger revoke', onclick: async () => {
        if (!await confirmAction(`Revoke the token "${token.name}"? Every integration using it is refused from now on.`, 'Revoke')) return;
        try {
          await api(`/api/v1/tokens/${token.id}`, { method: 'DELETE' });
          toast(`Token "${token.name}" revoked.`, 'ok');
          await reload();
        } catch (failure) {
          toast(failure.message);
        }
      } }, 'Revoke')));
  }));
  if (!tokens.length) body.append(el('tr', {}, el('td', { colspan: '8', class: 'muted' }, 'No tokens issued yet.')));
}
