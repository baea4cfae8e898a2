// The app shell: sign-in, navigation between screens, the clock and the session.
import { api, toast } from './api.js';

const screens = {
  wall: () => import('./wall.js'),
  playback: () => import('./playback.js'),
  map: () => import('./map.js'),
  alerts: () => import('./alerts.js'),
  evidence: () => import('./evidence.js'),
  partners: () => import('./partners.js'),
  dashboard: () => import('./dashboard.js'),
  admin: () => import('./placeholder.js'),
};

const state = { me: null, current: null };

async function start() {
  document.getElementById('signin-form').addEventListener('submit', signIn);
  document.getElementById('signout').addEventListener('click', signOut);
  document.getElementById('nav').addEventListener('click', (event) => {
    const link = event.target.closest('a[data-screen]');
    if (!link) return;
    event.preventDefault();
    navigate(link.getAttribute('href'));
  });
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

function showSignIn(message) {
  state.current?.module?.leave?.();
  state.current = null;
  document.getElementById('shell').hidden = true;
  document.getElementById('signin').hidden = false;
  const error = document.getElementById('signin-error');
  error.hidden = !message;
  error.textContent = message || '';
  document.getElementById('signin-user').focus();
}

async function signIn(event) {
  event.preventDefault();
  const error = document.getElementById('signin-error');
  const button = document.getElementById('signin-submit');
  button.disabled = true;
  try {
    state.me = await api('/api/v1/auth/login', {
      method: 'POST',
      body: { username: document.getElementById('signin-user').value, password: document.getElementById('signin-password').value },
    });
    document.getElementById('signin-password').value = '';
    error.hidden = true;
    enterShell();
  } catch (failure) {
    error.textContent = failure.status === 401 ? 'Wrong user name or password.' : failure.message;
    error.hidden = false;
  } finally {
    button.disabled = false;
  }
}

async function signOut() {
  try { await api('/api/v1/auth/logout', { method: 'POST' }); } catch { /* already signed out */ }
  state.me = null;
  showSignIn();
}

function enterShell() {
  document.getElementById('signin').hidden = true;
  document.getElementById('shell').hidden = false;
  const user = state.me.user;
  document.getElementById('whoami').textContent = `${user.displayName || user.username} · ${user.role}`;
  const home = user.role === 'partner' ? '/partners' : '/wall';
  const path = location.pathname === '/' ? home : location.pathname;
  show(path + location.search, true);
}

export function navigate(path) {
  history.pushState({}, '', path);
  show(path);
}

async function show(path, replace = false) {
  if (!state.me) return;
  const url = new URL(path, location.origin);
  let name = url.pathname.split('/')[1] || 'wall';
  if (!screens[name]) name = 'wall';
  if (replace) history.replaceState({}, '', url.pathname === '/' ? '/wall' : url.pathname + url.search);
  for (const link of document.querySelectorAll('#nav a')) link.classList.toggle('current', link.dataset.screen === name);
  state.current?.module?.leave?.();
  const container = document.getElementById('screen');
  container.replaceChildren();
  container.dataset.screen = name;
  try {
    const module = await screens[name]();
    state.current = { name, module };
    await module.enter(container, { me: state.me, params: url.searchParams, name, navigate });
  } catch (error) {
    console.error(error);
    toast(`This screen could not open: ${error.message}`);
  }
}

start();
