// The community camera program. Camera owners (role partner) get the owner portal: their cameras and sharing
// switches, footage requests to answer, and the log of everything the RTCC did with their cameras. Staff get the
// sign-ups to review, the footage requests, and (admins) the mail outbox.
import { api, el, toast } from './api.js';
import { outlineStage } from './picture-outline.js';

const tiers = ['registered', 'on_request', 'live', 'alarm_only'];
let container = null;
let currentMe = null;

export async function enter(element, { me }) {
  currentMe = me;
  container = el('div', { class: 'portal' });
  element.append(container);
  if (me.user.role === 'partner') await renderPortal();
  else await renderStaff(me);
}

export function leave() { container = null; }

function when(text) { return text ? new Date(text).toLocaleString() : ''; }

function table(headings, rows, attributes = {}) {
  return el('table', { class: 'data', ...attributes }, el('thead', {}, el('tr', {}, headings.map((h) => el('th', {}, h)))), el('tbody', {}, rows));
}

async function guarded(action, success) {
  try {
    await action();
    if (success) toast(success, 'ok');
  } catch (failure) {
    toast(failure.message);
  }
}

// MARK: Owner portal

async function renderPortal() {
  const [cameras, requests, log] = await Promise.all([
    api('/api/v1/portal/cameras'), api('/api/v1/footage-requests'), api('/api/v1/portal/access-log?limit=200'),
  ]);
  if (!container) return;
  const names = Object.fromEntries(cameras.map((c) => [c.camera.id, c.camera.name]));
  container.replaceChildren(
    el('h2', {}, 'My cameras'),
    el('p', { class: 'muted' }, 'Pause or withdraw sharing at any time: live access stops within seconds and nothing more is recorded.'),
    table(['Camera', 'Sharing', 'State', 'Keeps footage', 'Recording', ''], cameras.map(cameraRow), { id: 'portal-cameras' }),
    el('h2', {}, 'Footage requests'),
    table(['Requested', 'Camera', 'Case', 'Window', 'Reason', 'Status', ''], requests.map((r) => requestRow(r, names)), { id: 'portal-requests' }),
    el('h2', {}, 'Access log'),
    el('p', { class: 'muted' }, 'Everything the RTCC did with your cameras: views, playback, exports, requests.'),
    table(['When', 'Who', 'What', 'Target', 'Purpose', 'Detail'], log.map((entry) => el('tr', {},
      el('td', {}, when(entry.at)), el('td', {}, entry.actor), el('td', {}, entry.action), el('td', {}, entry.target),
      el('td', {}, entry.purpose || ''), el('td', {}, entry.detail))), { id: 'access-log' }));
}

function cameraRow(owned) {
  const { camera, state } = owned;
  const change = (body, note) => guarded(async () => {
    await api(`/api/v1/portal/cameras/${camera.id}`, { method: 'PATCH', body });
    await renderPortal();
  }, note);
  const tier = el('select', { 'aria-label': `Sharing tier of ${camera.name}`, onchange: (event) => change({ sharing: event.target.value }, 'Sharing tier changed.') },
    tiers.map((value) => el('option', { value, selected: value === camera.sharing }, value.replace('_', ' '))));
  const actions = el('div', { class: 'row-actions' },
    el('button', { class: 'ghost mask-edit', onclick: () => openMaskEditor(owned) }, `Privacy mask (${owned.mask.polygons.length})`),
    state === 'active' ? el('button', { class: 'pause', onclick: () => change({ state: 'paused' }, 'Sharing paused.') }, 'Pause') : null,
    state !== 'active' ? el('button', { class: 'resume', onclick: () => change({ state: 'active' }, 'Sharing resumed.') }, 'Resume') : null,
    state !== 'revoked' ? el('button', { class: 'revoke', onclick: () => change({ state: 'revoked' }, 'Sharing withdrawn.') }, 'Withdraw consent') : null);
  // A "live during alarms" camera says whether the RTCC can watch it now, and until when.
  const alarm = camera.sharing === 'alarm_only'
    ? el('div', { class: 'small muted alarm-state' }, owned.alarmUntil ? `alarm: shared until ${new Date(owned.alarmUntil).toLocaleTimeString()}` : 'no alarm: not shared')
    : null;
  return el('tr', { dataset: { camera: camera.id } }, el('td', {}, camera.name), el('td', {}, tier, alarm), el('td', { class: `state state-${state}` }, state),
    el('td', {}, `${owned.retentionDays} days`), el('td', {}, owned.recording ? 'yes' : 'no'), el('td', {}, actions));
}

// A privacy mask editor: click the picture to outline a private area, close it, save. The picture is the camera's
// snapshot (already masked with what is saved), or an empty frame when there is none.
function openMaskEditor(owned) {
  const { camera } = owned;
  const polygons = owned.mask.polygons.map((polygon) => polygon.map((point) => ({ ...point })));
  let current = [];
  const { stage, show } = outlineStage(camera, { onPoint: (point) => { current.push(point); draw(); } });
  const status = el('span', { class: 'muted mask-status' });
  const draw = () => {
    show(polygons, current);
    status.textContent = `${polygons.length} area(s) masked${current.length ? `, ${current.length} point(s) of a new one` : ''}`;
  };
  const save = () => guarded(async () => {
    if (current.length >= 3) polygons.push(current);
    current = [];
    await api(`/api/v1/cameras/${camera.id}/mask`, { method: 'PUT', body: { polygons } });
    panel.remove();
    await renderPortal();
  }, 'Privacy mask saved: the masked areas are blacked out before anyone at the RTCC sees the picture.');
  const panel = el('section', { class: 'mask-editor', id: 'mask-editor' },
    el('h3', {}, `Privacy mask · ${camera.name}`),
    el('p', { class: 'muted' }, 'Click around a private area (a neighbour\'s window, your yard) to outline it; "Close area" finishes it.'),
    stage,
    el('div', { class: 'row-actions' },
      el('button', { class: 'ghost mask-close-area', onclick: () => { if (current.length >= 3) { polygons.push(current); current = []; draw(); } } }, 'Close area'),
      el('button', { class: 'ghost mask-clear', onclick: () => { polygons.length = 0; current = []; draw(); } }, 'Clear all'),
      el('button', { class: 'mask-save', onclick: save }, 'Save mask'),
      el('button', { class: 'ghost', onclick: () => panel.remove() }, 'Cancel'), status));
  document.getElementById('mask-editor')?.remove();
  container.prepend(panel);
  draw();
}

function requestRow(request, names) {
  const decide = (approve) => guarded(async () => {
    const reason = approve ? undefined : (prompt('Reason for declining (optional):') || undefined);
    await api(`/api/v1/footage-requests/${request.id}/decision`, { method: 'POST', body: reason ? { approve, reason } : { approve } });
    await renderPortal();
  }, approve ? 'Approved: upload the clip.' : 'Declined.');
  const file = el('input', { type: 'file', accept: 'video/*', class: 'clip-file' });
  const upload = () => guarded(async () => {
    if (!file.files[0]) throw new Error('choose the video file first');
    const response = await fetch(`/api/v1/footage-requests/${request.id}/clip`, { method: 'PUT', body: file.files[0], credentials: 'same-origin' });
    if (!response.ok) throw new Error((await response.json()).detail);
    await renderPortal();
  }, 'Clip uploaded.');
  const actions = el('div', { class: 'row-actions' },
    request.status === 'pending' ? [el('button', { onclick: () => decide(true) }, 'Approve'), el('button', { class: 'ghost', onclick: () => decide(false) }, 'Decline')] : null,
    request.status === 'approved' ? [file, el('button', { onclick: upload }, 'Upload clip')] : null);
  return el('tr', { dataset: { request: request.id } }, el('td', {}, when(request.createdAt)), el('td', {}, names[request.cameraID] || request.cameraID),
    el('td', {}, request.caseNumber), el('td', {}, `${when(request.from)} – ${when(request.until)}`), el('td', {}, request.reason),
    el('td', { class: 'status' }, request.status), el('td', {}, actions));
}

// MARK: Staff

async function renderStaff(me) {
  const can = (permission) => me.permissions?.includes(permission) ?? true;
  const parts = [el('h2', {}, 'Sign-ups')];
  try {
    const page = await api('/api/v1/community/applications?limit=100');
    parts.push(table(['Received', 'Name', 'Kind', 'Contact', 'Cameras', 'Status', ''], page.items.map(applicationRow), { id: 'applications' }));
  } catch (failure) {
    parts.push(el('p', { class: 'muted' }, failure.message));
  }
  parts.push(el('h2', {}, 'Footage requests'));
  try {
    const requests = await api('/api/v1/footage-requests');
    parts.push(table(['Requested', 'Camera', 'Case', 'Window', 'By', 'Status', 'SHA-256'], requests.map((r) => el('tr', { dataset: { request: r.id } },
      el('td', {}, when(r.createdAt)), el('td', {}, r.cameraID), el('td', {}, r.caseNumber), el('td', {}, `${when(r.from)} – ${when(r.until)}`),
      el('td', {}, r.requestedBy), el('td', { class: 'status' }, r.status), el('td', {}, r.clipSHA256 || ''))), { id: 'staff-requests' }));
  } catch (failure) {
    parts.push(el('p', { class: 'muted' }, failure.message));
  }
  if (me.user.role === 'admin' || can('outbox:read')) {
    parts.push(el('h2', {}, 'Mail outbox (development mail viewer)'));
    try {
      const mails = await api('/api/v1/outbox?limit=50');
      parts.push(el('div', { id: 'outbox' }, mails.map((mail) => el('div', { class: 'mail' },
        el('strong', {}, `${when(mail.createdAt)} · to ${mail.to} · ${mail.subject}`), '\n', mail.body))));
    } catch (failure) {
      parts.push(el('p', { class: 'muted' }, failure.message));
    }
  }
  if (container) container.replaceChildren(...parts);
}

function applicationRow(application) {
  const draft = application.draft;
  const decide = (path, body, note) => guarded(async () => {
    await api(`/api/v1/community/applications/${application.id}/${path}`, { method: 'POST', body });
    await renderStaff(currentMe);
  }, note);
  const actions = application.status === 'pending' ? el('div', { class: 'row-actions' },
    el('button', { class: 'approve', onclick: () => decide('approve', undefined, 'Approved: the owner was mailed an activation link.') }, 'Approve'),
    el('button', { class: 'ghost reject', onclick: () => {
      const reason = prompt('Reason (sent to the applicant):');
      if (reason) decide('reject', { reason }, 'Rejected.');
    } }, 'Reject')) : null;
  return el('tr', { dataset: { application: application.id } }, el('td', {}, when(application.createdAt)), el('td', {}, draft.name), el('td', {}, draft.kind),
    el('td', {}, `${draft.contactName} <${draft.email}>`), el('td', {}, draft.cameras.map((c) => `${c.label} (${c.sharing})`).join(', ')),
    el('td', { class: 'status' }, application.status), el('td', {}, actions));
}
