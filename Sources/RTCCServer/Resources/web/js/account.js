// The signed-in user's own account: who they are, their role's permissions, and two-factor sign-in.
import { api, el } from './api.js';
import { enrolmentPage } from './mfa.js';

let root = null;

export async function enter(container, { me }) {
  root = el('div', { class: 'admin-page account', id: 'account' });
  container.append(root);
  render(me);
}

export function leave() { root = null; }

function render(me) {
  if (!root) return;
  const enrolled = me.mfaEnrolled === true;
  root.replaceChildren(
    el('h2', {}, 'Your account'),
    el('dl', { class: 'facts' },
      el('dt', {}, 'User name'), el('dd', {}, me.user.username),
      el('dt', {}, 'Name'), el('dd', {}, me.user.displayName),
      el('dt', {}, 'Role'), el('dd', {}, me.user.role),
      el('dt', {}, 'Signed out after'), el('dd', {}, `${Math.round(me.idleTimeoutSeconds / 60)} minutes without activity`),
      el('dt', {}, 'Permissions'), el('dd', {}, el('span', { class: 'small muted' }, me.permissions.join(', ')))),
    el('h3', {}, 'Two-factor sign-in'),
    el('p', { id: 'account-mfa-state' }, enrolled
      ? 'On: you sign in with your password and a code from your authenticator app (or a recovery code).'
      : 'Off: you sign in with your password only.'),
    el('button', { type: 'button', id: 'account-mfa-enrol', onclick: () => enrol(me) },
      enrolled ? 'Set up again (new phone, new recovery codes)' : 'Set up two-factor sign-in'));
}

function enrol(me) {
  if (!root) return;
  root.replaceChildren();
  enrolmentPage(root, {
    done: async () => render(await api('/api/v1/auth/me')),
    cancel: () => render(me),
  });
}
