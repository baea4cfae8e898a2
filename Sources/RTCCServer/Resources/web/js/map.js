// The map: cameras with their fields of view, venues and incidents; "who could have seen it" at a clicked point, with a
// button that holds the footage; coverage of a venue with its gaps; a plan for new cameras (map-plan.js). Leaflet comes from the system (/vendor/leaflet/).
import { api, el, toast, allCameras, isoLocal } from './api.js';
import { LivePlayer } from './live-player.js';
import { sectorRing } from './map-geometry.js';
import { PlanPanel } from './map-plan.js';
import { EventsPanel } from './map-events.js';
import { AreaDrawer } from './map-draw.js';
import { AddressSearch, loadStreets } from './map-address.js';

const KIND_COLOURS = { city: '#3b82f6', partner: '#f59e0b', temporary: '#a855f7' };
const HEALTH_STROKES = { streaming: '#22c55e', degraded: '#f59e0b', connecting: '#f59e0b', down: '#ef4444', not_recorded: '#8b96a5' };
const LAYERS = [
  ['streets', 'Streets'], ['city', 'City cameras'], ['partner', 'Partner cameras'], ['temporary', 'Temporary cameras'],
  ['registered', 'Registered only (owner keeps footage)'], ['venues', 'Venues'], ['incidents', 'Incidents (last 500)'],
];

let screen = null;

export async function enter(container, { navigate }) {
  screen = new MapScreen(container, navigate);
  await screen.start();
}

export function leave() {
  screen?.stop();
  screen = null;
  delete window.rtccMap;
}

function loadLeafletStyles() {
  if (document.querySelector('link[data-leaflet]')) return;
  document.head.append(el('link', { rel: 'stylesheet', href: '/vendor/leaflet/leaflet.css', dataset: { leaflet: '1' } }));
}

function formatLeft(seconds) {
  if (seconds === null || seconds === undefined) return '—';
  const days = Math.floor(seconds / 86400), hours = Math.floor((seconds % 86400) / 3600), minutes = Math.floor((seconds % 3600) / 60);
  return days > 0 ? `${days} d ${hours} h` : hours > 0 ? `${hours} h ${minutes} min` : `${minutes} min`;
}

function retentionText(camera) {
  if (camera.held) return camera.keptByAlerts ? 'kept for an alert linked to a case: retention will not delete it' : 'held: retention will not delete it';
  if (camera.footage === 'recorded') {
    return `retention deletes it in ${formatLeft(camera.retentionLeftSeconds)}` + (camera.keptByAlerts ? ' (kept longer for an alert)' : '');
  }
  if (camera.footage === 'request') return `the owner's retention ends in ${formatLeft(camera.retentionLeftSeconds)}`;
  return 'nothing recorded in the window';
}

class MapScreen {
  constructor(container, navigate) {
    this.container = container;
    this.navigate = navigate;
    this.players = [];
    this.cameras = [];
    this.groups = {};
  }

  async start() {
    loadLeafletStyles();
    let L;
    try {
      L = await import('/vendor/leaflet/leaflet.esm.js');
    } catch {
      // Without the map library the screen would stay blank: say what is missing and how to install it.
      this.container.replaceChildren(el('div', { class: 'placeholder not-allowed', id: 'map-unavailable' },
        el('h2', {}, 'The map cannot be shown'),
        el('p', {}, 'The server has no Leaflet, the map library this screen uses. An administrator installs it with '),
        el('pre', {}, 'sudo apt-get install libjs-leaflet'),
        el('p', {}, 'and restarts OpenRTCC (scripts/demo.sh installs it by itself). Who could have seen a place is still answered on the command line: rtcc seen.')));
      return;
    }
    const settings = await api('/api/v1/map');
    this.L = L;
    this.buildLayout();
    const centre = [settings.centre.latitude, settings.centre.longitude];
    this.map = L.map(this.mapElement, { preferCanvas: false, zoomControl: true }).setView(centre, 14);
    if (settings.tileURL) L.tileLayer(settings.tileURL, { maxZoom: 19, attribution: 'map tiles' }).addTo(this.map);
    for (const [key] of LAYERS) this.groups[key] = L.layerGroup().addTo(this.map);
    this.seenLayer = L.layerGroup().addTo(this.map);
    this.coverageLayer = L.layerGroup().addTo(this.map);
    this.drawer = new AreaDrawer(this.map, L);
    this.planPanel = new PlanPanel(this.map, L, { drawer: this.drawer });
    this.side.append(this.planPanel.element);
    this.eventsPanel = new EventsPanel(this.map, L, { planPanel: this.planPanel, drawer: this.drawer, onCamerasChanged: () => this.reloadCameras() });
    this.side.append(this.eventsPanel.element);
    this.map.on('click', (event) => (this.drawer.active ? this.drawer.add(event.latlng) : this.pick(event.latlng.lat, event.latlng.lng)));
    await Promise.all([this.loadStreets(), this.loadCameras(), this.loadVenues(), this.loadIncidents(), this.eventsPanel.load()]);
    this.mapElement.dataset.ready = '1';
    window.rtccMap = this;
  }

  stop() {
    for (const player of this.players) player.stop();
    this.players = [];
    this.map?.remove();
  }

  buildLayout() {
    const toggles = LAYERS.map(([key, label]) => el('label', { class: 'map-toggle' },
      el('input', { type: 'checkbox', checked: true, dataset: { layer: key }, onchange: (event) => this.toggle(key, event.target.checked) }), ' ', label));
    const now = Date.now();
    this.form = {
      lat: el('input', { id: 'seen-lat', type: 'number', step: 'any', placeholder: 'latitude', required: true }),
      lon: el('input', { id: 'seen-lon', type: 'number', step: 'any', placeholder: 'longitude', required: true }),
      from: el('input', { id: 'seen-from', type: 'datetime-local', step: 1, value: isoLocal(now - 3600_000) }),
      until: el('input', { id: 'seen-until', type: 'datetime-local', step: 1, value: isoLocal(now) }),
      caseNumber: el('input', { id: 'seen-case', placeholder: 'case number (sends owners footage requests)', maxlength: 40 }),
      reason: el('input', { id: 'seen-reason', placeholder: 'why (for holds and requests)' }),
    };
    this.results = el('ol', { id: 'seen-results', class: 'seen-results' });
    this.summary = el('p', { id: 'seen-summary', class: 'muted small' }, 'Click the map, type an address or a point.');
    this.place = el('p', { id: 'seen-place', class: 'seen-place' });
    this.addressSearch = new AddressSearch({ onChoose: (match) => this.goTo(match) });
    this.holdButton = el('button', { id: 'seen-hold', disabled: true, onclick: () => this.hold() }, 'Hold footage');
    this.exportButton = el('button', { id: 'seen-export', disabled: true, onclick: () => this.exportRecorded(),
      title: 'Export the recorded cameras for this window as evidence' }, 'Export clips');
    this.requests = el('div', { id: 'seen-requests', class: 'seen-requests' });
    this.venueSelect = el('select', { id: 'coverage-venue' });
    this.resolution = el('input', { id: 'coverage-resolution', type: 'number', min: '1', step: 'any', value: '5' });
    this.coverageResult = el('div', { id: 'coverage-result', class: 'coverage-result' });
    const seenForm = el('form', { class: 'map-form', onsubmit: (event) => { event.preventDefault(); this.pick(Number(this.form.lat.value), Number(this.form.lon.value)); } },
      el('div', { class: 'map-row' }, this.form.lat, this.form.lon),
      el('label', {}, 'From', this.form.from), el('label', {}, 'Until', this.form.until),
      el('button', { type: 'submit', id: 'seen-search' }, 'Who could have seen it'));
    this.mapElement = el('div', { id: 'map', class: 'map-canvas' });
    const side = this.side = el('aside', { class: 'sidebar map-side' },
      el('section', {}, el('h3', {}, 'Layers'), ...toggles),
      el('section', {}, el('h3', {}, 'Who could have seen it'), this.addressSearch.element, seenForm, this.place, this.summary, this.results,
        el('div', { class: 'map-row' }, this.form.caseNumber, this.form.reason),
        el('div', { class: 'map-row' }, this.holdButton, this.exportButton), this.requests),
      el('section', {}, el('h3', {}, 'Coverage'), el('div', { class: 'map-row' }, this.venueSelect, this.resolution, el('span', { class: 'muted' }, 'm')),
        el('button', { id: 'coverage-run', onclick: () => this.coverage() }, 'Coverage'), this.coverageResult));
    this.container.append(el('div', { class: 'map-screen', id: 'map-screen' }, side, el('div', { class: 'content' }, this.mapElement)));
  }

  toggle(key, visible) {
    const group = this.groups[key];
    if (visible) group.addTo(this.map); else group.remove();
  }

  async loadCameras() {
    const [cameras, health] = await Promise.all([allCameras(), api('/api/v1/cameras/health').catch(() => [])]);
    const states = new Map(health.map((h) => [h.cameraID, h.state]));
    this.cameras = cameras;
    for (const camera of cameras) {
      const state = states.get(camera.id) || 'not_recorded';
      const group = camera.sharing === 'registered' || camera.sharing === 'on_request' ? this.groups.registered : this.groups[camera.kind];
      const colour = KIND_COLOURS[camera.kind] || '#8b96a5';
      const ring = sectorRing(camera.location.latitude, camera.location.longitude, camera.headingDeg, camera.fieldOfViewDeg, camera.rangeM);
      const cone = this.L.polygon(ring, { color: colour, weight: 1, fillOpacity: 0.12, opacity: 0.5, interactive: false });
      const marker = this.L.circleMarker([camera.location.latitude, camera.location.longitude], {
        radius: 5, color: HEALTH_STROKES[state] || '#8b96a5', weight: 2, fillColor: colour, fillOpacity: 0.9, className: `cam-marker cam-${camera.id}`,
      });
      marker.bindPopup(() => this.popup(camera, state), { minWidth: 330 });
      marker.on('popupclose', () => this.stopPlayers());
      group.addLayer(cone);
      group.addLayer(marker);
    }
    this.mapElement.dataset.cameras = String(cameras.length);
  }

  async reloadCameras() {
    for (const key of ['city', 'partner', 'temporary', 'registered']) this.groups[key].clearLayers();
    await this.loadCameras();
  }

  popup(camera, state) {
    const body = el('div', { class: 'cam-popup', dataset: { cameraId: camera.id } });
    const picture = el('img', { class: 'cam-snapshot', alt: `snapshot of ${camera.name}`, src: `/api/v1/cameras/${camera.id}/snapshot.jpg?t=${Date.now()}` });
    const pictureBox = el('div', { class: 'cam-picture' }, picture);
    picture.addEventListener('error', () => pictureBox.replaceChildren(el('p', { class: 'muted' }, 'No picture from this camera.')));
    const status = el('span', { class: 'muted small' }, state.replace('_', ' '));
    const live = el('button', {
      class: 'cam-live', onclick: () => {
        this.stopPlayers();
        const video = el('video', { class: 'cam-video', autoplay: true, muted: true });
        pictureBox.replaceChildren(video);
        this.players.push(new LivePlayer(video, camera.id, { onState: (s, message) => { status.textContent = message ? `${s}: ${message}` : s; } }));
      },
    }, 'Live');
    const playback = el('button', {
      class: 'cam-playback', onclick: () => this.navigate(`/playback?cameras=${camera.id}&at=${new Date(Date.now() - 300_000).toISOString()}`),
    }, 'Play back');
    body.append(el('strong', {}, camera.name), el('div', { class: 'muted small' }, `${camera.kind} · ${camera.sharing} · ${camera.retentionDays} d retention`),
      pictureBox, el('div', { class: 'map-row' }, live, playback, status));
    return body;
  }

  stopPlayers() {
    for (const player of this.players) player.stop();
    this.players = [];
  }

  async loadVenues() {
    const venues = await api('/api/v1/venues').catch(() => []);
    this.venueSelect.replaceChildren(...venues.map((venue) => el('option', { value: venue.id }, venue.name)));
    this.planPanel.setVenues(venues);
    this.eventsPanel.setVenues(venues);
    for (const venue of venues) {
      this.groups.venues.addLayer(this.L.polygon(venue.polygon.map((p) => [p.latitude, p.longitude]),
        { color: '#22c55e', weight: 2, fill: false, dashArray: '6 4', interactive: false }).bindTooltip(venue.name));
    }
  }

  async loadIncidents() {
    const page = await api('/api/v1/incidents?limit=500').catch(() => ({ items: [] }));
    for (const incident of page.items) {
      this.groups.incidents.addLayer(this.L.circleMarker([incident.location.latitude, incident.location.longitude],
        { radius: 2, color: '#ef4444', weight: 1, fillOpacity: 0.6, interactive: false }));
    }
  }

  /// Draws the imported street centrelines (none until streets are imported); a failure leaves the other layers.
  async loadStreets() {
    try {
      this.mapElement.dataset.streets = String(await loadStreets(this.L, this.groups.streets));
    } catch (error) {
      this.mapElement.dataset.streets = '0';
      toast(`The streets layer could not be loaded: ${error.message}`);
    }
  }

  /// Centres the map on a place chosen in the address search and asks who could have seen it.
  goTo(match) {
    this.map.setView([match.latitude, match.longitude], Math.max(this.map.getZoom(), 18), { animate: false });
    this.pick(match.latitude, match.longitude, match.label);
  }

  /// Asks who could have seen (lat, lon); `label` names the place when it came from the address search, otherwise
  /// the nearest address is looked up.
  pick(lat, lon, label) {
    this.form.lat.value = lat.toFixed(6);
    this.form.lon.value = lon.toFixed(6);
    this.search();
    // Asking again about the place already chosen (a new time window, say) keeps its name.
    const samePlace = this.placeName && this.place.dataset.point === `${lat.toFixed(6)},${lon.toFixed(6)}`;
    if (label) {
      this.placeName = label;
      this.showPlace(label, lat, lon);
    } else if (!samePlace) {
      this.placeName = '';
      this.nearestAddress(lat, lon);
    }
  }

  showPlace(text, lat, lon) {
    this.place.textContent = text;
    this.place.dataset.point = `${lat.toFixed(6)},${lon.toFixed(6)}`;
  }

  async nearestAddress(lat, lon) {
    this.showPlace('', lat, lon);
    try {
      const nearest = await api(`/api/v1/addresses/reverse?lat=${lat.toFixed(6)}&lon=${lon.toFixed(6)}&maxDistanceM=200`);
      if (this.form.lat.value === lat.toFixed(6) && this.form.lon.value === lon.toFixed(6)) {
        this.showPlace(`Near ${nearest.label} (${Math.round(nearest.distanceM)} m)`, lat, lon);
        this.placeName = `${nearest.label} (${Math.round(nearest.distanceM)} m away)`;
      }
    } catch (error) {
      if (error.status !== 404) this.showPlace(`Nearest address: ${error.message}`, lat, lon);
    }
  }

  window() {
    const from = new Date(this.form.from.value), until = new Date(this.form.until.value);
    return { from: from.toISOString(), until: until.toISOString() };
  }

  async search() {
    const lat = Number(this.form.lat.value), lon = Number(this.form.lon.value);
    let window;
    try { window = this.window(); } catch { toast('Give a valid time window.'); return; }
    this.summary.textContent = 'Searching…';
    // Answers can arrive out of order (a long window takes longer): only the last question's answer is shown, so
    // that a hold or an export never acts on a place or a window other than the one on the screen.
    const asked = this.searches = (this.searches || 0) + 1;
    try {
      const report = await api(`/api/v1/seen?lat=${lat}&lon=${lon}&from=${encodeURIComponent(window.from)}&until=${encodeURIComponent(window.until)}`);
      if (asked !== this.searches) return;
      this.showSeen(report);
    } catch (error) {
      if (asked !== this.searches) return;
      this.summary.textContent = error.message;
      this.results.replaceChildren();
      this.holdButton.disabled = true;
    }
  }

  showSeen(report) {
    this.report = report;
    this.results.dataset.point = `${report.point.latitude.toFixed(6)},${report.point.longitude.toFixed(6)}`;
    this.results.dataset.window = `${report.from}/${report.until}`;
    this.seenLayer.clearLayers();
    const point = [report.point.latitude, report.point.longitude];
    if (!this.map.getBounds().contains(point)) this.map.panTo(point, { animate: false });
    this.seenLayer.addLayer(this.L.circleMarker(point, { radius: 7, color: '#ffffff', weight: 2, fillColor: '#ef4444', fillOpacity: 1, interactive: false }));
    for (const camera of report.cameras) {
      this.seenLayer.addLayer(this.L.polyline([[camera.location.latitude, camera.location.longitude], point], { color: '#ffffff', weight: 1, dashArray: '2 4', interactive: false }));
    }
    const buildings = report.buildings ? `, ${report.buildings} buildings considered` : '';
    this.summary.textContent = `${report.cameras.length} camera${report.cameras.length === 1 ? '' : 's'} could have seen this point${buildings}.`;
    this.results.replaceChildren(...report.cameras.map((camera) => el('li', { class: `seen-item footage-${camera.footage}`, dataset: { cameraId: camera.cameraID } },
      el('div', { class: 'name' }, camera.name),
      el('div', { class: 'small' }, `${camera.distanceM.toFixed(1)} m · ${camera.dori || 'beyond detect'} · `,
        el('span', { class: 'footage' }, camera.footage === 'recorded' ? 'recorded' : camera.footage === 'request' ? 'owner keeps footage: request it' : 'not recorded')),
      el('div', { class: 'small muted' }, retentionText(camera)))));
    this.holdButton.disabled = report.cameras.length === 0;
    this.exportButton.disabled = !report.cameras.some((c) => c.footage === 'recorded');
  }

  /// Opens the evidence screen to export exact clips of the recorded cameras for this window.
  exportRecorded() {
    if (!this.report) return;
    const cameras = this.report.cameras.filter((c) => c.footage === 'recorded').map((c) => c.cameraID).slice(0, 16);
    const query = new URLSearchParams({ export: '1', cameras: cameras.join(','), from: this.report.from, until: this.report.until,
      caseNumber: this.form.caseNumber.value.trim() || (this.form.reason.value.match(/[0-9]{2}-[0-9]+/) || [''])[0], purpose: this.form.reason.value.trim(),
      location: this.placeName || '', lat: String(this.report.point.latitude), lon: String(this.report.point.longitude) });
    this.navigate(`/evidence?${query}`);
  }

  async hold() {
    if (!this.report) return;
    const reason = this.form.reason.value.trim();
    const caseNumber = this.form.caseNumber.value.trim();
    if (!reason) { toast('Say why before holding footage.'); this.form.reason.focus(); return; }
    try {
      const body = { lat: this.report.point.latitude, lon: this.report.point.longitude, from: this.report.from, until: this.report.until, reason };
      if (caseNumber) body.caseNumber = caseNumber;
      const result = await api('/api/v1/seen/hold', { method: 'POST', body });
      const holds = `${result.holds.length} hold${result.holds.length === 1 ? '' : 's'} placed`;
      const sent = result.sentRequests || [];
      if (caseNumber) {
        toast(`${holds}; ${sent.length} footage request${sent.length === 1 ? '' : 's'} sent to owners under case ${caseNumber}.`, 'success');
      } else {
        toast(`${holds}; ${result.footageRequests.length} footage request${result.footageRequests.length === 1 ? '' : 's'} drafted (give a case number to send them).`, 'info');
      }
      this.showSeen(result.seen);
      const names = new Map(this.cameras.map((c) => [c.id, c.name]));
      this.requests.replaceChildren(...(caseNumber
        ? sent.map((request) => el('div', { class: 'sent-request', dataset: { request: request.id, status: request.status } },
          `${names.get(request.cameraID) || request.cameraID}: ${request.status}, case ${request.caseNumber}`))
        : result.footageRequests.map((draft) => el('details', { class: 'draft' },
          el('summary', {}, `Request to ${draft.partnerName || draft.cameraName}${draft.email ? ` <${draft.email}>` : ''}`),
          el('pre', {}, draft.message)))));
    } catch (error) {
      toast(error.message);
    }
  }

  async coverage() {
    const venueID = this.venueSelect.value;
    if (!venueID) { toast('There is no venue to measure.'); return; }
    this.coverageResult.textContent = 'Computing…';
    try {
      const result = await api('/api/v1/coverage', { method: 'POST', body: { venueID, resolutionM: Number(this.resolution.value) } });
      this.coverageLayer.clearLayers();
      this.coverageLayer.addLayer(this.L.geoJSON(result.gaps, { style: { stroke: false, fillColor: '#ef4444', fillOpacity: 0.35 }, interactive: false }));
      const levels = ['any', 'detect', 'observe', 'recognise', 'identify'];
      this.coverageResult.replaceChildren(el('table', { class: 'data' }, ...levels.map((level) => el('tr', { dataset: { level } },
        el('td', {}, level === 'any' ? 'in view' : level), el('td', { class: 'percent' }, `${result.coveredPercent[level].toFixed(1)} %`)))),
        el('p', { class: 'muted small', id: 'coverage-instant' },
          `In view at ${new Date(result.at).toLocaleString()}, by the ${result.cameras} cameras active then (as on the dashboard); `
          + `${result.cells} cells of ${result.resolutionM} m; gaps in red${result.gapsTruncated ? ' (truncated)' : ''}.`));
    } catch (error) {
      this.coverageResult.textContent = error.message;
    }
  }
}
