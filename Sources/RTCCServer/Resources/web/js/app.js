// The app shell: sign-in (with the system-use notice and a second factor), navigation by role between screens, the
// clock and the session.
import { api, el, toast } from './api.js';

// Each screen and what opens it: `any` lists the permissions of which one is enough; `nav` (when given) narrows who
// sees it in the navigation (a partner may watch its own cameras from its portal but its navigation is the portal).
const screens = {
  wall: { load: () => import('./wall.js'), title: 'Wall', any: ['cameras:read', 'cameras:read-own'], nav: ['cameras:read'] },
  playback: { load: () => import('./playback.js'), title: 'Playback', any: ['cameras:read', 'cameras:read-own'], nav: ['cameras:read'] },
  map: { load: () => import('./map.js'), title: 'Map', any: ['cameras:read'] },
  alerts: { load: () => import('./alerts.js'), title: 'Alerts', any: ['alerts:read'] },
  evidence: { load: () => import('./evidence.js'), title: 'Evidence', any: ['cases:read'] },
  partners: { load: () => import('./partners.js'), title: 'Partners', any: ['partners:read', 'community:owner'] },
  dashboard: { load: () => import('./dashboard.js'), title: 'Dashboard', any: ['incidents:read'] },
  audit: { load: () => import('./audit.js'), title: 'Audit', any: ['audit:read'] },
  admin: { load: () => import('./admin.js'), title: 'Admin', any: ['users:read', 'users:write', 'cameras:write', 'partners:write'] },
  account: { load: () => import('./account.js'), title: 'Account', any: ['session:read'] },
};

// `shown` counts the screens asked for: a screen whose module arrives after a later one was asked for is not entered.
const state = { me: null, current: null, pendingLogin: null, shown: 0 };

async function start() {
  document.getElementById('signin-form').addEventListener('submit', signIn);
  document.getElementById('signout').addEventListener('click', signOut);
  for (const id of ['nav', 'whoami']) {
    document.getElementById(id).addEventListener('click', (event) => {
      const link = event.target.closest('a[data-screen]');
      if (!link) return;
      event.preventDefault();
      navigate(link.getAttribute('href'));
    });
  }
  document.getElementById('signin-user').addEventListener('input', () => resetSecondFactor());
  window.addEventListener('popstate', () => show(location.pathname + location.search));
  window.addEventListener('rtcc:signed-out', () => showSignIn('Your session ended; sign in again.'));
  setInterval(tick, 250);
  try {
    state.me = await api('/api/v1/auth/me');
    enterShell();
  } catch {
    showSignIn();
  }
}

function tick() {
  const now = new Date();
  document.getElementById('clock').textContent = now.toLocaleTimeString([], { hour12: false }) + '  ' + now.toISOString().slice(11, 19) + 'Z';
}

/// Whether the signed-in user may open `name` (its `nav` list when `forNav`).
export function allowed(name, me = state.me, forNav = false) {
  const screen = screens[name];
  if (!screen || !me) return false;
  const needed = (forNav && screen.nav) || screen.any;
  return needed.some((permission) => me.permissions.includes(permission));
}

function showSignIn(message) {
  state.current?.module?.leave?.();
  state.current = null;
  state.shown += 1;
  state.me = null;
  document.getElementById('shell').hidden = true;
  document.getElementById('signin').hidden = false;
  resetSecondFactor();
  const error = document.getElementById('signin-error');
  error.hidden = !message;
  error.textContent = message || '';
  document.getElementById('signin-user').focus();
  loadNotice();
}

/// The system-use notice (CJIS AC-8) above the sign-in form, when the server has one.
async function loadNotice() {
  const box = document.getElementById('signin-notice');
  try {
    const { notice } = await api('/api/v1/auth/notice');
    box.textContent = notice || '';
    box.hidden = !notice;
  } catch (failure) {
    // A server without a notice endpoint has no notice to show; anything else is worth saying.
    box.hidden = true;
    if (failure.status !== 404) console.warn('system-use notice:', failure.message);
  }
  document.getElementById('signin-form').classList.toggle('with-notice', !box.hidden);
}

function resetSecondFactor() {
  document.getElementById('signin-code-row').hidden = true;
  document.getElementById('signin-code').value = '';
}

async function signIn(event) {
  event.preventDefault();
  const form = event.currentTarget;
  const error = document.getElementById('signin-error');
  const button = document.getElementById('signin-submit');
  const codeRow = document.getElementById('signin-code-row');
  const codeInput = document.getElementById('signin-code');
  const body = { username: document.getElementById('signin-user').value, password: document.getElementById('signin-password').value };
  const code = codeInput.value.replace(/\s+/g, '');
  if (!codeRow.hidden && code) body.code = code;
  // The answer to an earlier attempt no longer applies: it is not left on screen while this one is checked.
  error.hidden = true;
  button.disabled = true;
  form.setAttribute('aria-busy', 'true');
  try {
    state.me = await api('/api/v1/auth/login', { method: 'POST', body });
    document.getElementById('signin-password').value = '';
    resetSecondFactor();
    error.hidden = true;
    enterShell();
  } catch (failure) {
    if (failure.status === 401 && failure.problem?.mfaRequired) {
      const asked = codeRow.hidden;
      codeRow.hidden = false;
      codeInput.value = '';
      codeInput.focus();
      error.textContent = asked || !body.code
        ? 'Enter the 6-digit code from your authenticator app, or one of your recovery codes.'
        : 'That code was not accepted: it is wrong or was used already. Wait for the next code, or use a recovery code.';
    } else {
      error.textContent = failure.status === 401 ? 'Wrong user name or password.' : failure.message;
    }
    error.hidden = false;
  } finally {
    button.disabled = false;
    form.removeAttribute('aria-busy');
  }
}

async function signOut() {
  try { await api('/api/v1/auth/logout', { method: 'POST' }); } catch { /* already signed out */ }
  showSignIn();
}

function enterShell() {
  document.getElementById('signin').hidden = true;
  document.getElementById('shell').hidden = false;
  const user = state.me.user;
  document.getElementById('whoami').textContent = `${user.displayName || user.username} · ${user.role}`;
  for (const link of document.querySelectorAll('#nav a[data-screen]')) link.hidden = !allowed(link.dataset.screen, state.me, true);
  // A camera owner's Partners screen is its own portal.
  document.querySelector('#nav a[data-screen=partners]').textContent = state.me.permissions.includes('partners:read') ? 'Partners' : 'My cameras';
  if (state.me.mustEnrolMFA) {
    showEnrolment();
    return;
  }
  document.getElementById('nav').hidden = false;
  const path = location.pathname === '/' ? home() : location.pathname;
  show(path + location.search, true);
}

/// The first screen the user's navigation offers (a partner's portal, the wall for staff).
function home() {
  const first = Object.keys(screens).find((name) => name !== 'account' && allowed(name, state.me, true));
  return `/${first || 'account'}`;
}

/// A user whose role requires a second factor and has none sees only the enrolment page until it is done.
async function showEnrolment() {
  state.current?.module?.leave?.();
  state.current = null;
  state.shown += 1;
  document.getElementById('nav').hidden = true;
  const container = document.getElementById('screen');
  container.replaceChildren();
  container.dataset.screen = 'enrol';
  const { enrolmentPage } = await import('./mfa.js');
  await enrolmentPage(container, {
    required: true,
    done: async () => {
      state.me = await api('/api/v1/auth/me');
      enterShell();
    },
  });
}

export function navigate(path) {
  history.pushState({}, '', path);
  show(path);
}

async function show(path, replace = false) {
  if (!state.me) return;
  if (state.me.mustEnrolMFA) return showEnrolment();
  const url = new URL(path, location.origin);
  let name = url.pathname.split('/')[1];
  if (!screens[name]) {
    const fallback = new URL(home(), location.origin);
    url.pathname = fallback.pathname;
    url.search = '';
    name = url.pathname.split('/')[1];
  }
  if (replace) history.replaceState({}, '', url.pathname + url.search);
  for (const link of document.querySelectorAll('#nav a')) link.classList.toggle('current', link.dataset.screen === name);
  state.current?.module?.leave?.();
  state.current = null;
  const asked = ++state.shown;
  const container = document.getElementById('screen');
  container.replaceChildren();
  container.dataset.screen = name;
  if (!allowed(name)) {
    container.append(notAllowed(name));
    return;
  }
  try {
    const module = await screens[name].load();
    if (asked !== state.shown) return;
    state.current = { name, module };
    await module.enter(container, { me: state.me, params: url.searchParams, path: url.pathname, name, navigate });
  } catch (error) {
    console.error(error);
    toast(`This screen could not open: ${error.message}`);
  }
}

/// What an unauthorised screen shows instead of going blank.
function notAllowed(name) {
  const screen = screens[name];
  const role = state.me.user.role;
  const goHome = home();
  return el('div', { class: 'placeholder not-allowed', id: 'not-allowed' },
    el('h2', {}, `${screen.title} is not available to you`),
    el('p', {}, `Your role (${role}) does not include ${screen.any.length > 1 ? 'any of the permissions' : 'the permission'} this screen needs: `,
      el('code', {}, screen.any.join(', ')), '.'),
    el('p', { class: 'muted' }, 'Roles and their permissions are set by an administrator; ask one if your work needs this screen. '
      + 'Every attempt to open a screen or call the API is checked by the server, so nothing here was shown to you.'),
    el('p', {}, el('a', { href: goHome, class: 'button', onclick: (event) => { event.preventDefault(); navigate(goHome); } },
      `Go to ${screens[goHome.slice(1)]?.title || 'your start screen'}`)));
}

start();
