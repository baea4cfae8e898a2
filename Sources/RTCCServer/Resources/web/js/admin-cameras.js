// Admin > Cameras: every camera in a searchable, sortable table (kind, owner, sharing tier, health, recording, picture
// size, last frame); add or edit one in a form beside a map (admin-camera-editor.js); import a CSV or GeoJSON file after
// a dry run that lists every bad row; export the registry. "Find cameras" discovers ONVIF devices and adds one from
// what it reports (admin-camera-onvif.js).
import { api, el, toast, allCameras, when } from './api.js';
import { CameraEditor } from './admin-camera-editor.js';
import { CameraFinder } from './admin-camera-onvif.js';

const KIND_NAMES = { city: 'City', partner: 'Partner', temporary: 'Temporary' };
const SHARING_NAMES = { live: 'Live 24/7', alarm_only: 'Alarm only', on_request: 'On request', registered: 'Registered only' };
const COLUMNS = [
  ['name', 'Name'], ['kind', 'Kind'], ['owner', 'Owner'], ['sharing', 'Sharing'], ['health', 'Health'], ['recording', 'Recording'],
  ['resolution', 'Resolution'], ['lastFrame', 'Last frame'],
];

const view = { root: null, me: null, cameras: [], health: new Map(), partners: [], query: '', sort: 'name', descending: false, editor: null, finder: null };

export async function enter(container, { me }) {
  view.root = container;
  view.me = me;
  view.query = '';
  const search = el('input', { type: 'search', id: 'cameras-search', class: 'search', placeholder: 'Search name, kind, owner, sharing or state',
    oninput: () => { view.query = search.value.trim().toLowerCase(); renderTable(); } });
  const picker = el('input', { type: 'file', id: 'camera-import-file', accept: '.csv,.geojson,.json,text/csv,application/geo+json', hidden: true,
    onchange: () => { if (picker.files[0]) checkImport(picker.files[0]); picker.value = ''; } });
  const canExport = me.permissions.includes('cameras:export');
  container.append(
    el('div', { class: 'admin-toolbar' },
      el('h2', {}, 'Cameras'), search,
      el('button', { type: 'button', id: 'camera-new', class: 'primary', onclick: () => openEditor(null) }, 'New camera'),
      el('button', { type: 'button', id: 'camera-find', onclick: () => toggleFinder(), title: 'Search the network for ONVIF cameras and add one' }, 'Find cameras…'),
      el('button', { type: 'button', id: 'camera-import', onclick: () => picker.click(), title: 'A CSV file (columns as in the export) or a GeoJSON FeatureCollection' },
        'Import CSV or GeoJSON…'), picker,
      canExport ? el('span', { class: 'export-links' }, 'Export: ',
        el('a', { href: '/api/v1/cameras/export?format=csv', id: 'camera-export-csv', download: 'cameras.csv' }, 'CSV'), ' · ',
        el('a', { href: '/api/v1/cameras/export?format=geojson', id: 'camera-export-geojson', download: 'cameras.geojson' }, 'GeoJSON')) : null),
    el('section', { id: 'camera-import-result', class: 'import-result', hidden: true }),
    el('div', { id: 'camera-find-slot' }),
    el('div', { id: 'camera-editor-slot' }),
    el('div', { class: 'table-wrap' }, el('table', { class: 'data cameras', id: 'cameras-table' },
      el('thead', {}, el('tr', {}, COLUMNS.map(([key, title]) => el('th', {
        'data-sort': key, tabindex: '0', class: 'sortable', onclick: () => sortBy(key), onkeydown: (event) => { if (event.key === 'Enter') sortBy(key); },
      }, title)))),
      el('tbody', {}))),
    el('p', { class: 'small muted', id: 'cameras-count' }));
  if (me.permissions.includes('partners:read')) {
    api('/api/v1/partners?limit=1000').then((page) => { view.partners = page.items || page; view.editor?.setPartners(view.partners); renderTable(); })
      .catch((failure) => toast(`Owners are shown by id: partners could not be listed (${failure.message})`));
  }
  await reload();
}

export function leave() {
  view.editor?.close();
  view.editor = null;
  view.finder = null;
  view.root = null;
}

async function reload() {
  let cameras;
  try {
    cameras = await allCameras();
  } catch (failure) {
    toast(`Cameras could not be listed: ${failure.message}`);
    return;
  }
  let health = [];
  try {
    health = await api('/api/v1/cameras/health');
  } catch (failure) {
    toast(`Camera health could not be read: ${failure.message}`);
  }
  view.cameras = cameras;
  view.health = new Map(health.map((h) => [h.cameraID, h]));
  view.editor?.setOthers(cameras);
  renderTable();
}

// MARK: Table

function ownerName(camera) {
  if (!camera.partnerID) return camera.kind === 'partner' ? '' : 'City';
  return view.partners.find((p) => p.id === camera.partnerID)?.name || camera.partnerID;
}

function healthOf(camera) {
  const health = view.health.get(camera.id);
  if (camera.sharing === 'registered' || camera.sharing === 'on_request') return { state: 'owner keeps footage', recording: 'not recorded here', lastFrameAt: null };
  if (!camera.mainStreamURL) return { state: 'no stream', recording: 'not recorded', lastFrameAt: null };
  if (!health) return { state: 'not started', recording: 'not recorded', lastFrameAt: null };
  return {
    state: health.state, reason: health.reason, lastFrameAt: health.lastFrameAt,
    recording: health.recorded ? `recording${health.framesPerSecond ? ` · ${health.framesPerSecond.toFixed(1)} fps` : ''}` : 'not recorded',
  };
}

function resolutionText(camera) {
  if (!camera.horizontalPixels) return '';
  return `${camera.horizontalPixels}×${camera.verticalPixels}${camera.framesPerSecond ? ` @ ${Math.round(camera.framesPerSecond * 10) / 10} fps` : ''}`;
}

function sortKey(camera, key) {
  switch (key) {
    case 'owner': return ownerName(camera).toLowerCase();
    case 'health': return healthOf(camera).state;
    case 'recording': return healthOf(camera).recording;
    case 'resolution': return (camera.horizontalPixels || 0) * (camera.verticalPixels || 0);
    case 'lastFrame': return healthOf(camera).lastFrameAt || '';
    case 'sharing': return SHARING_NAMES[camera.sharing] || camera.sharing;
    default: return String(camera[key] ?? '').toLowerCase();
  }
}

function sortBy(key) {
  view.descending = view.sort === key ? !view.descending : false;
  view.sort = key;
  renderTable();
}

function renderTable() {
  if (!view.root) return;
  const body = view.root.querySelector('#cameras-table tbody');
  for (const th of view.root.querySelectorAll('#cameras-table th')) {
    const sorted = th.dataset.sort === view.sort;
    th.setAttribute('aria-sort', sorted ? (view.descending ? 'descending' : 'ascending') : 'none');
    th.classList.toggle('sorted', sorted);
  }
  const matches = view.cameras.filter((camera) => !view.query || [
    camera.name, KIND_NAMES[camera.kind], ownerName(camera), SHARING_NAMES[camera.sharing], healthOf(camera).state, (camera.tags || []).join(' '),
  ].some((text) => (text || '').toLowerCase().includes(view.query)));
  const direction = view.descending ? -1 : 1;
  matches.sort((a, b) => {
    const x = sortKey(a, view.sort), y = sortKey(b, view.sort);
    return (x < y ? -1 : x > y ? 1 : a.name.localeCompare(b.name)) * direction;
  });
  body.replaceChildren(...matches.map((camera) => {
    const health = healthOf(camera);
    return el('tr', {
      'data-camera': camera.id, 'data-name': camera.name, tabindex: '0', class: view.editor?.cameraID === camera.id ? 'selected' : '',
      onclick: () => openEditor(camera), onkeydown: (event) => { if (event.key === 'Enter') openEditor(camera); },
    },
    el('td', {}, camera.name),
    el('td', {}, KIND_NAMES[camera.kind] || camera.kind),
    el('td', {}, ownerName(camera)),
    el('td', {}, SHARING_NAMES[camera.sharing] || camera.sharing),
    el('td', { class: 'health', title: health.reason || '' },
      el('span', { class: `dot ${health.state === 'streaming' ? 'live' : health.state}` }), ' ', health.state),
    el('td', {}, health.recording),
    el('td', { class: 'resolution' }, resolutionText(camera) || el('span', { class: 'muted', title: 'Not measured: DORI distances assume 1920 px' }, 'unknown')),
    el('td', {}, health.lastFrameAt ? when(health.lastFrameAt) : el('span', { class: 'muted' }, '—')));
  }));
  if (!matches.length) {
    body.append(el('tr', {}, el('td', { colspan: String(COLUMNS.length), class: 'muted' },
      view.cameras.length ? 'No camera matches the search.' : 'No cameras yet: add one, or import a CSV or GeoJSON file.')));
  }
  view.root.querySelector('#cameras-count').textContent = `${matches.length} of ${view.cameras.length} cameras`;
}

// MARK: Editor

/// `onvif`: the device a new camera comes from, or a failed link of a saved one (see CameraEditor).
async function openEditor(camera, onvif = null) {
  view.editor?.close();
  const slot = view.root.querySelector('#camera-editor-slot');
  view.editor = new CameraEditor(slot, {
    me: view.me, camera, partners: view.partners, others: view.cameras, onvif,
    onSaved: async (saved, failedLink) => { await reload(); if (saved) openEditor(view.cameras.find((c) => c.id === saved.id) || saved, failedLink); },
    onDeleted: async () => { view.editor?.close(); view.editor = null; await reload(); },
    onClosed: () => { view.editor = null; renderTable(); },
  });
  renderTable();
  await view.editor.open();
  slot.scrollIntoView({ block: 'nearest' });
}

// MARK: Find cameras (ONVIF)

function toggleFinder() {
  if (view.finder?.isOpen) { view.finder.close(); return; }
  view.finder = new CameraFinder(view.root.querySelector('#camera-find-slot'), {
    onAdd: (onvif) => openEditor(null, onvif),
    onOpenCamera: (id) => { const camera = view.cameras.find((c) => c.id === id); if (camera) openEditor(camera); else toast('That camera is not in the registry any more.'); },
    cameraName: (id) => view.cameras.find((c) => c.id === id)?.name,
  });
  view.finder.open();
}

// MARK: Import

function importType(file) {
  const name = file.name.toLowerCase();
  if (name.endsWith('.csv') || file.type === 'text/csv') return 'text/csv';
  return 'application/geo+json';
}

/// The line or feature an import problem names, for ordering ("line 12: name" → 12).
function problemOrder(field) {
  const match = /^(?:line |features\[)(\d+)/.exec(field);
  return match ? Number(match[1]) : 0;
}

async function checkImport(file) {
  const box = view.root.querySelector('#camera-import-result');
  const text = await file.text();
  const type = importType(file);
  box.hidden = false;
  box.replaceChildren(el('p', { class: 'muted' }, `Checking ${file.name}…`));
  try {
    const result = await api('/api/v1/cameras/import?dryRun=true', { method: 'POST', body: text, headers: { 'Content-Type': type } });
    box.className = 'import-result ok';
    const count = result.checked;
    box.replaceChildren(
      el('h3', {}, `${file.name}: ${count} camera${count === 1 ? '' : 's'} ready to import`),
      el('p', { id: 'camera-import-summary' }, 'Every row was checked and nothing has been stored yet.'),
      el('div', { class: 'row-actions' },
        el('button', { type: 'button', class: 'primary', id: 'camera-import-confirm', onclick: (event) => runImport(event.target, text, type, file.name) },
          `Import ${count} camera${count === 1 ? '' : 's'}`),
        el('button', { type: 'button', class: 'ghost', onclick: () => { box.hidden = true; box.replaceChildren(); } }, 'Cancel')));
  } catch (failure) {
    box.className = 'import-result failed';
    const errors = [...(failure.problem?.errors || [])].sort((a, b) => problemOrder(a.field) - problemOrder(b.field));
    box.replaceChildren(
      el('h3', {}, `${file.name} was not imported`),
      el('p', { id: 'camera-import-summary', class: 'error' }, errors.length
        ? `${errors.length} problem${errors.length === 1 ? '' : 's'} found; nothing was stored. Correct these rows and choose the file again.`
        : `${failure.message}. Nothing was stored.`),
      errors.length ? el('ul', { id: 'camera-import-errors', class: 'import-errors' }, errors.map((error) => {
        const [where, ...rest] = error.field.split(': ');
        return el('li', { 'data-field': error.field }, el('strong', {}, where), rest.length ? ` ${rest.join(': ')}` : '', ` — ${error.reason}`);
      })) : null,
      el('button', { type: 'button', class: 'ghost', onclick: () => { box.hidden = true; box.replaceChildren(); } }, 'Close'));
  }
}

async function runImport(button, text, type, name) {
  const box = view.root.querySelector('#camera-import-result');
  button.disabled = true;
  try {
    const result = await api('/api/v1/cameras/import', { method: 'POST', body: text, headers: { 'Content-Type': type } });
    box.hidden = true;
    box.replaceChildren();
    toast(`${result.imported} cameras imported from ${name}.`, 'ok');
    await reload();
  } catch (failure) {
    // Something changed since the dry run (a name taken meanwhile): show it the same way, nothing stored.
    button.disabled = false;
    box.className = 'import-result failed';
    box.append(el('p', { class: 'error', id: 'camera-import-late' }, `The import was refused and nothing was stored: ${failure.message}`));
  }
}
