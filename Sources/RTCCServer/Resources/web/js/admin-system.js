// Admin > System: version and start time, the database, every recorder and camera (state, bitrate, fps, last frame,
// uptime over 24 h) and each recordings folder's disk use with the days of footage left at the current rate.
import { api, el, when } from './api.js';

let root = null;
let timer = null;

export async function enter(container) {
  root = el('div', { id: 'system' });
  container.append(el('div', { class: 'admin-toolbar' }, el('h2', {}, 'System'),
    el('button', { type: 'button', id: 'system-refresh', onclick: () => load() }, 'Refresh')), root);
  await load();
  timer = setInterval(load, 15_000);
}

export function leave() {
  clearInterval(timer);
  root = null;
}

function bytes(n) {
  if (n === null || n === undefined) return '';
  const units = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];
  let value = n;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) { value /= 1000; unit += 1; }
  return `${value.toFixed(value >= 100 || unit === 0 ? 0 : 1)} ${units[unit]}`;
}

function ago(text) {
  if (!text) return 'never';
  const seconds = Math.max(0, Math.round((Date.now() - new Date(text)) / 1000));
  if (seconds < 90) return `${seconds} s ago`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min ago`;
  return when(text);
}

async function load() {
  let status;
  try {
    status = await api('/api/v1/system/status');
  } catch (failure) {
    if (!root) return;
    root.replaceChildren(el('div', { class: 'notice error', id: 'system-unavailable' },
      failure.status === 404
        ? 'This server does not report its status yet (GET /api/v1/system/status answers 404): update the RTCC to see system health here.'
        : `The system status could not be read: ${failure.message}`));
    return;
  }
  if (!root) return;
  const db = status.database || {};
  const cameras = status.cameras || [];
  const down = cameras.filter((c) => !['streaming', 'live', 'recording'].includes(c.state)).length;
  root.replaceChildren(
    el('div', { class: 'dash-cards system-cards' },
      card('Version', status.version, `started ${when(status.startedAt)}`, 'system-version'),
      card('Database', db.ok ? 'OK' : 'Failing', `${db.kind || ''}${db.detail ? ' · ' + db.detail : ''}`, 'system-database', db.ok ? 'ok' : 'bad'),
      card('Cameras', `${cameras.length - down}/${cameras.length}`, down ? `${down} not streaming` : 'all streaming', 'system-cameras-card', down ? 'warn' : 'ok')),
    el('h3', {}, 'Recordings storage'),
    el('table', { class: 'data', id: 'system-storage' },
      el('thead', {}, el('tr', {}, ['Folder', 'Used by recordings', 'Free', 'Total', 'Per day', 'Footage left'].map((h) => el('th', {}, h)))),
      el('tbody', {}, (status.storage || []).map((s) => el('tr', {},
        el('td', {}, el('code', {}, s.path)), el('td', {}, bytes(s.usedByRecordingsBytes)),
        el('td', {}, el('div', { class: 'meter', title: `${Math.round(100 * s.freeBytes / Math.max(1, s.totalBytes))} % free` },
          el('span', { style: `width:${Math.round(100 * (1 - s.freeBytes / Math.max(1, s.totalBytes)))}%` })), ' ', bytes(s.freeBytes)),
        el('td', {}, bytes(s.totalBytes)), el('td', {}, s.bytesPerDay ? bytes(s.bytesPerDay) : '—'),
        el('td', { class: s.daysLeft !== null && s.daysLeft !== undefined && s.daysLeft < 7 ? 'error' : '' },
          s.daysLeft === null || s.daysLeft === undefined ? 'not recording' : `${Math.floor(s.daysLeft)} days`))))),
    (status.recorders || []).length ? el('h3', {}, 'Recorders') : null,
    (status.recorders || []).length ? recorders(status.recorders) : null,
    el('h3', {}, 'Cameras'),
    el('table', { class: 'data', id: 'system-cameras' },
      el('thead', {}, el('tr', {}, ['Camera', 'State', 'Bitrate', 'Frame rate', 'Last frame', 'Uptime 24 h'].map((h) => el('th', {}, h)))),
      el('tbody', {}, cameras.map((c) => el('tr', { 'data-camera': c.id },
        el('td', {}, c.name), el('td', {}, el('span', { class: `dot ${c.state === 'streaming' ? 'live' : c.state}` }), ' ', c.state),
        el('td', {}, c.bitrateKbps ? `${Math.round(c.bitrateKbps)} kbit/s` : '—'), el('td', {}, c.fps ? `${c.fps.toFixed(1)} fps` : '—'),
        el('td', {}, ago(c.lastFrameAt)),
        el('td', {}, uptime(c.uptime24h)))))),
    el('p', { class: 'small muted' }, `Read ${new Date().toLocaleTimeString()}; refreshes every 15 s.`));
}

function card(title, value, note, id, tone = '') {
  return el('div', { class: `dash-card ${tone}`, id }, el('h3', {}, title), el('div', { class: 'big' }, value ?? ''), el('div', { class: 'muted small' }, note));
}

function uptime(fraction) {
  if (fraction === null || fraction === undefined) return '—';
  const percent = Math.round(fraction * 1000) / 10;
  return el('span', { class: 'uptime' }, el('span', { class: 'bar' }, el('span', { style: `width:${percent}%`, class: percent < 95 ? 'low' : '' })), ` ${percent} %`);
}

function recorders(list) {
  // Recorders' fields are whatever the server reports: show each as a row of its own properties.
  const keys = [...new Set(list.flatMap((r) => Object.keys(r)))];
  return el('table', { class: 'data', id: 'system-recorders' },
    el('thead', {}, el('tr', {}, keys.map((k) => el('th', {}, k)))),
    el('tbody', {}, list.map((r) => el('tr', {}, keys.map((k) => el('td', {}, typeof r[k] === 'object' ? JSON.stringify(r[k]) : String(r[k] ?? '')))))));
}
