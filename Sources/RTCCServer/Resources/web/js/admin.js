// Administration: tabs for users, API tokens and the system's health, each shown only to a role that may use it.
import { el } from './api.js';

const tabs = [
  { id: 'users', title: 'Users', any: ['users:read', 'users:write'], load: () => import('./admin-users.js') },
  { id: 'cameras', title: 'Cameras', any: ['cameras:write'], load: () => import('./admin-cameras.js') },
  { id: 'partners', title: 'Partners', any: ['partners:write'], load: () => import('./admin-partners.js') },
  { id: 'tokens', title: 'API tokens', any: ['users:write'], load: () => import('./admin-tokens.js') },
  { id: 'system', title: 'System', any: ['users:write'], load: () => import('./admin-system.js') },
];

let current = null;

export async function enter(container, context) {
  const { me, path, navigate } = context;
  const open = tabs.filter((tab) => tab.any.some((permission) => me.permissions.includes(permission)));
  const wanted = path.split('/')[2] || open[0]?.id;
  const tab = tabs.find((t) => t.id === wanted);
  const bar = el('div', { class: 'tabs', id: 'admin-tabs', role: 'tablist' }, open.map((t) => el('a', {
    href: `/admin/${t.id}`, role: 'tab', 'data-tab': t.id, class: t === tab ? 'current' : '', 'aria-selected': t === tab ? 'true' : 'false',
    onclick: (event) => { event.preventDefault(); navigate(`/admin/${t.id}`); },
  }, t.title)));
  const body = el('div', { class: 'admin-page', id: `admin-${wanted}` });
  container.append(el('div', { class: 'admin' }, bar, body));
  if (!tab || !open.includes(tab)) {
    body.append(el('div', { class: 'not-allowed', id: 'not-allowed' },
      el('h2', {}, tab ? `${tab.title} is not available to you` : 'No such administration page'),
      el('p', {}, tab ? `Your role (${me.user.role}) does not include the permission it needs: ${tab.any.join(', ')}.`
        : `Choose one of the tabs above.`)));
    return;
  }
  current = await tab.load();
  await current.enter(body, context);
}

export function leave() {
  current?.leave?.();
  current = null;
}
