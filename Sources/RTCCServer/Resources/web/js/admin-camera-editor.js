// The camera form of Admin > Cameras, beside a map: a click places the camera, the handle at the tip of its view cone
// sets heading and range, the handle on the cone's edge sets the field of view. "Test stream" has the server probe the
// stream (codec, resolution, frame rate, bitrate, transport and a picture) and fills the picture size and frame rate in.
// Stream credentials are write-only: typed here, sent inside the stream URL, never shown back. A camera found by ONVIF
// arrives filled in from its device and is linked to it once saved (admin-camera-onvif.js).
import { api, confirmAction, el, isoLocal, showFieldErrors, toast } from './api.js';
import { ONVIFSection } from './admin-camera-onvif.js';
import { destination, sectorRing } from './map-geometry.js';

const EARTH_RADIUS = 6371008.8;
const KINDS = [['city', 'City'], ['partner', 'Partner'], ['temporary', 'Temporary (event)']];
const SHARING = [['live', 'Live 24/7'], ['alarm_only', 'Alarm only'], ['on_request', 'On request'], ['registered', 'Registered only']];

/// Compass bearing (degrees, 0..<360) and ground distance (metres) from one point to another, on a sphere.
function bearingAndDistance(lat1, lon1, lat2, lon2) {
  const rad = Math.PI / 180, p1 = lat1 * rad, p2 = lat2 * rad, dl = (lon2 - lon1) * rad;
  const y = Math.sin(dl) * Math.cos(p2), x = Math.cos(p1) * Math.sin(p2) - Math.sin(p1) * Math.cos(p2) * Math.cos(dl);
  const a = Math.sin((p2 - p1) / 2) ** 2 + Math.cos(p1) * Math.cos(p2) * Math.sin(dl / 2) ** 2;
  return { bearing: ((Math.atan2(y, x) / rad) + 360) % 360, distance: 2 * EARTH_RADIUS * Math.asin(Math.sqrt(a)) };
}

/// `url` with `username`/`password` as its user information (any it had replaced); unchanged when both are empty.
function withCredentials(url, username, password) {
  if (!username && !password) return url;
  const match = /^([a-z][a-z0-9+.-]*:\/\/)(?:[^@/]*@)?(.*)$/i.exec(url);
  if (!match) return url;
  return `${match[1]}${encodeURIComponent(username)}:${encodeURIComponent(password)}@${match[2]}`;
}

function field(label, input, name, hint) {
  return el('label', { class: `field field-${name.replace(/\W/g, '-')}` }, label, input,
    el('span', { class: 'field-error', 'data-field': name, hidden: true }), hint ? el('span', { class: 'hint small muted' }, hint) : null);
}

function round(value, digits) { const f = 10 ** digits; return Math.round(value * f) / f; }

export class CameraEditor {
  /// `camera` is null for a new camera; `onvif` is the ONVIF device a new camera comes from (or a failed link to retry).
  constructor(slot, { me, camera, partners, others, onvif, onSaved, onDeleted, onClosed }) {
    this.slot = slot;
    this.me = me;
    this.camera = camera;
    this.partners = partners;
    this.others = others;
    this.callbacks = { onSaved, onDeleted, onClosed };
    this.inputs = {};
    this.onvifSection = new ONVIFSection({ camera, onvif });
  }

  get cameraID() { return this.camera?.id ?? null; }

  async open() {
    this.buildForm();
    this.mapBox = el('div', { class: 'camera-map-box' });
    this.element = el('section', { class: 'camera-editor', id: 'camera-editor', 'data-camera': this.cameraID || '' }, this.form, this.mapBox);
    this.slot.replaceChildren(this.element);
    this.fill();
    this.onvifSection.load();
    await this.buildMap();
  }

  close() {
    if (this.onPointerMove) {
      document.removeEventListener('mousemove', this.onPointerMove);
      document.removeEventListener('touchmove', this.onPointerMove);
    }
    this.map?.remove();
    this.map = null;
    this.element?.remove();
    this.element = null;
  }

  setPartners(partners) {
    this.partners = partners;
    this.fillPartners();
  }

  setOthers(cameras) {
    this.others = cameras;
    this.drawOthers();
  }

  // MARK: Form

  buildForm() {
    const i = this.inputs;
    const number = (name, attributes = {}) => el('input', { name, id: `camera-${name}`, type: 'text', inputmode: 'decimal', autocomplete: 'off', ...attributes });
    i.name = el('input', { name: 'name', id: 'camera-name', autocomplete: 'off', maxlength: '120', placeholder: 'e.g. Texas St & Market St NE' });
    i.kind = el('select', { name: 'kind', id: 'camera-kind', onchange: () => this.kindChanged() }, KINDS.map(([v, t]) => el('option', { value: v }, t)));
    i.partnerID = el('select', { name: 'partnerID', id: 'camera-partner' });
    i.latitude = number('latitude', { oninput: () => this.redraw() });
    i.longitude = number('longitude', { oninput: () => this.redraw() });
    i.headingDeg = number('headingDeg', { oninput: () => this.redraw() });
    i.fieldOfViewDeg = number('fieldOfViewDeg', { oninput: () => this.redraw() });
    i.rangeM = number('rangeM', { oninput: () => this.redraw() });
    i.mountHeightM = number('mountHeightM');
    i.mainStreamURL = el('input', { name: 'mainStreamURL', id: 'camera-main-url', autocomplete: 'off', spellcheck: 'false', placeholder: 'rtsp://10.0.0.5:554/stream1' });
    i.subStreamURL = el('input', { name: 'subStreamURL', id: 'camera-sub-url', autocomplete: 'off', spellcheck: 'false', placeholder: 'optional, low resolution' });
    i.username = el('input', { name: 'streamUsername', id: 'camera-username', autocomplete: 'off', spellcheck: 'false' });
    i.password = el('input', { name: 'streamPassword', id: 'camera-password', type: 'password', autocomplete: 'new-password' });
    i.transport = el('select', { id: 'camera-probe-transport', title: 'How the stream test connects' },
      el('option', { value: 'tcp' }, 'TCP'), el('option', { value: 'udp' }, 'UDP'));
    i.sharing = el('select', { name: 'sharing', id: 'camera-sharing' }, SHARING.map(([v, t]) => el('option', { value: v }, t)));
    i.retentionDays = number('retentionDays', { inputmode: 'numeric' });
    i.activeFrom = el('input', { name: 'activeFrom', id: 'camera-active-from', type: 'datetime-local' });
    i.activeUntil = el('input', { name: 'activeUntil', id: 'camera-active-until', type: 'datetime-local' });
    i.tags = el('input', { name: 'tags', id: 'camera-tags', autocomplete: 'off', placeholder: 'downtown, ptz' });
    i.horizontalPixels = number('horizontalPixels', { inputmode: 'numeric', placeholder: 'unknown' });
    i.verticalPixels = number('verticalPixels', { inputmode: 'numeric', placeholder: 'unknown' });
    i.framesPerSecond = number('framesPerSecond', { placeholder: 'unknown' });
    i.redundant = el('input', { name: 'redundant', id: 'camera-redundant', type: 'checkbox' });
    this.partnerRow = field('Owner (partner)', i.partnerID, 'partnerID');
    this.windowRow = el('div', { class: 'form-pair' }, field('Active from', i.activeFrom, 'activeWindow'), field('Active until', i.activeUntil, 'activeWindow.until'));
    this.general = el('p', { class: 'error', role: 'alert', hidden: true, id: 'camera-form-error' });
    this.probeBox = el('div', { class: 'probe-result', id: 'probe-result', hidden: true });
    const canDelete = this.camera && this.me.permissions.includes('cameras:delete');
    this.form = el('form', { class: 'admin-form camera-form', id: 'camera-form', novalidate: true, onsubmit: (event) => { event.preventDefault(); this.save(); } },
      el('h3', {}, this.camera ? `Edit ${this.camera.name}` : this.onvifSection.device ? 'New camera from its ONVIF device' : 'New camera'),
      el('div', { class: 'form-grid' },
        field('Name', i.name, 'name'), field('Kind', i.kind, 'kind'), this.partnerRow, field('Sharing', i.sharing, 'sharing')),
      el('fieldset', { class: 'placement' }, el('legend', {}, 'Placement'),
        el('p', { class: 'small muted' }, 'Click the map to place the camera; drag the yellow handle at the tip of its cone to turn and stretch it, the white one on the edge to widen it.'),
        el('div', { class: 'form-grid' },
          field('Latitude', i.latitude, 'location.latitude'), field('Longitude', i.longitude, 'location.longitude'),
          field('Heading (°)', i.headingDeg, 'headingDeg', '0 = north, 90 = east'), field('Field of view (°)', i.fieldOfViewDeg, 'fieldOfViewDeg'),
          field('Range (m)', i.rangeM, 'rangeM'), field('Mount height (m)', i.mountHeightM, 'mountHeightM'))),
      el('fieldset', { class: 'stream' }, el('legend', {}, 'Stream'),
        el('div', { class: 'form-grid' },
          field('Main stream URL', i.mainStreamURL, 'mainStreamURL'), field('Sub stream URL', i.subStreamURL, 'subStreamURL'),
          field('Stream user name', i.username, 'streamUsername'),
          field('Stream password', i.password, 'streamPassword', 'Write-only: stored encrypted, never shown again.')),
        el('div', { class: 'row-actions' },
          el('button', { type: 'button', id: 'camera-probe', onclick: () => this.probe() }, 'Test stream'), i.transport,
          el('span', { class: 'small muted' }, 'The server connects to the stream as the recorder would.')),
        this.probeBox,
        el('div', { class: 'form-grid' },
          field('Picture width (px)', i.horizontalPixels, 'horizontalPixels', 'DORI distances use it; 1920 assumed when unknown.'),
          field('Picture height (px)', i.verticalPixels, 'verticalPixels'), field('Frame rate (fps)', i.framesPerSecond, 'framesPerSecond'))),
      this.onvifSection.element,
      el('div', { class: 'form-grid' },
        field('Retention (days)', i.retentionDays, 'retentionDays'), field('Tags', i.tags, 'tags', 'Separated by commas.'),
        field('Record on two nodes', i.redundant, 'redundant', 'In a cluster, two recorder nodes keep a copy each: losing either loses nothing.')),
      this.windowRow,
      this.general,
      el('div', { class: 'row-actions' },
        el('button', { type: 'submit', id: 'camera-save' }, this.camera ? 'Save changes' : 'Add camera'),
        el('button', { type: 'button', class: 'ghost', id: 'camera-cancel', onclick: () => { this.close(); this.callbacks.onClosed(); } }, 'Close'),
        el('span', { class: 'spacer' }),
        canDelete ? el('button', { type: 'button', class: 'danger', id: 'camera-delete', onclick: () => this.remove() }, 'Delete camera') : null));
  }

  fillPartners() {
    const select = this.inputs.partnerID;
    const current = select.value || this.camera?.partnerID || '';
    select.replaceChildren(el('option', { value: '' }, '—'),
      ...this.partners.map((p) => el('option', { value: p.id, selected: p.id === current }, p.name)));
    if (current && !this.partners.some((p) => p.id === current)) select.append(el('option', { value: current, selected: true }, current));
  }

  fill() {
    const i = this.inputs, c = this.camera;
    this.fillPartners();
    i.name.value = c?.name ?? '';
    i.kind.value = c?.kind ?? 'city';
    i.sharing.value = c?.sharing ?? 'live';
    i.latitude.value = c ? String(c.location.latitude) : '';
    i.longitude.value = c ? String(c.location.longitude) : '';
    i.headingDeg.value = String(c?.headingDeg ?? 0);
    i.fieldOfViewDeg.value = String(c?.fieldOfViewDeg ?? 90);
    i.rangeM.value = String(c?.rangeM ?? 60);
    i.mountHeightM.value = String(c?.mountHeightM ?? 4);
    i.mainStreamURL.value = c?.mainStreamURL ?? '';
    i.subStreamURL.value = c?.subStreamURL ?? '';
    const stored = c?.hasCredentials;
    i.username.placeholder = stored ? 'unchanged' : 'none';
    i.password.placeholder = stored ? 'unchanged' : 'none';
    i.retentionDays.value = String(c?.retentionDays ?? 30);
    i.tags.value = (c?.tags || []).join(', ');
    i.horizontalPixels.value = c?.horizontalPixels ? String(c.horizontalPixels) : '';
    i.verticalPixels.value = c?.verticalPixels ? String(c.verticalPixels) : '';
    i.framesPerSecond.value = c?.framesPerSecond ? String(c.framesPerSecond) : '';
    i.redundant.checked = Boolean(c?.redundant);
    i.activeFrom.value = c?.activeWindow ? isoLocal(Date.parse(c.activeWindow.from)) : '';
    i.activeUntil.value = c?.activeWindow ? isoLocal(Date.parse(c.activeWindow.until)) : '';
    if (!c && this.onvifSection.device) this.fillFromDevice(this.onvifSection.device);
    this.kindChanged();
  }

  /// A new camera as its ONVIF device suggests: name, streams, picture and the device user as stream credentials.
  fillFromDevice({ suggested, username, password }) {
    const i = this.inputs;
    i.name.value = suggested.name || '';
    i.mainStreamURL.value = suggested.mainStreamURL || '';
    i.subStreamURL.value = suggested.subStreamURL || '';
    i.horizontalPixels.value = suggested.horizontalPixels ? String(suggested.horizontalPixels) : '';
    i.verticalPixels.value = suggested.verticalPixels ? String(suggested.verticalPixels) : '';
    i.framesPerSecond.value = suggested.framesPerSecond ? String(suggested.framesPerSecond) : '';
    i.username.value = username || '';
    i.password.value = password || '';
  }

  kindChanged() {
    this.partnerRow.hidden = this.inputs.kind.value !== 'partner';
    this.windowRow.hidden = this.inputs.kind.value !== 'temporary';
  }

  /// The form as a camera body, or the fields that are not numbers (all of them at once).
  read() {
    const i = this.inputs, errors = [];
    const numberOf = (input, name, { required = false, whole = false } = {}) => {
      const text = input.value.trim().replace(',', '.');
      if (!text) {
        if (required) errors.push({ field: name, reason: name.startsWith('location') ? 'is required: click the map or type it' : 'is required' });
        return null;
      }
      const value = Number(text);
      if (!Number.isFinite(value) || (whole && !Number.isInteger(value))) {
        errors.push({ field: name, reason: `"${input.value}" is not ${whole ? 'a whole number' : 'a number'}` });
        return null;
      }
      return value;
    };
    const body = {
      name: i.name.value.trim(), kind: i.kind.value, sharing: i.sharing.value,
      location: { latitude: numberOf(i.latitude, 'location.latitude', { required: true }), longitude: numberOf(i.longitude, 'location.longitude', { required: true }) },
      headingDeg: numberOf(i.headingDeg, 'headingDeg', { required: true }), fieldOfViewDeg: numberOf(i.fieldOfViewDeg, 'fieldOfViewDeg', { required: true }),
      rangeM: numberOf(i.rangeM, 'rangeM', { required: true }), mountHeightM: numberOf(i.mountHeightM, 'mountHeightM', { required: true }),
      retentionDays: numberOf(i.retentionDays, 'retentionDays', { required: true, whole: true }),
      mainStreamURL: i.mainStreamURL.value.trim() || null, subStreamURL: i.subStreamURL.value.trim() || null,
      tags: i.tags.value.split(',').map((t) => t.trim()).filter(Boolean),
      horizontalPixels: numberOf(i.horizontalPixels, 'horizontalPixels', { whole: true }),
      verticalPixels: numberOf(i.verticalPixels, 'verticalPixels', { whole: true }),
      framesPerSecond: numberOf(i.framesPerSecond, 'framesPerSecond'),
      redundant: i.redundant.checked,
      partnerID: i.kind.value === 'partner' ? (i.partnerID.value || null) : null,
      activeWindow: null,
    };
    if (i.kind.value === 'temporary' && (i.activeFrom.value || i.activeUntil.value)) {
      if (!i.activeFrom.value) errors.push({ field: 'activeWindow', reason: 'give the start of the window' });
      if (!i.activeUntil.value) errors.push({ field: 'activeWindow.until', reason: 'give the end of the window' });
      if (i.activeFrom.value && i.activeUntil.value) {
        body.activeWindow = { from: new Date(i.activeFrom.value).toISOString().replace(/\.\d{3}Z$/, 'Z'), until: new Date(i.activeUntil.value).toISOString().replace(/\.\d{3}Z$/, 'Z') };
      }
    }
    return { body, errors };
  }

  async save() {
    const { body, errors } = this.read();
    const failure = (list) => ({ problem: { errors: list }, message: 'Some fields need attention.' });
    if (!body.name) errors.unshift({ field: 'name', reason: 'is required' });
    if (errors.length) { showFieldErrors(this.form, failure(errors), this.general); return; }
    const username = this.inputs.username.value, password = this.inputs.password.value;
    const credentialsTyped = Boolean(username || password);
    if (credentialsTyped && !body.mainStreamURL && !body.subStreamURL) {
      showFieldErrors(this.form, failure([{ field: 'mainStreamURL', reason: 'is needed for the stream credentials' }]), this.general);
      return;
    }
    if (credentialsTyped) {
      if (body.mainStreamURL) body.mainStreamURL = withCredentials(body.mainStreamURL, username, password);
      if (body.subStreamURL) body.subStreamURL = withCredentials(body.subStreamURL, username, password);
    }
    let request = body;
    if (this.camera) {
      // A merge patch of what changed: an unchanged stream URL is not sent, so its stored credentials stay as they are.
      request = {};
      const before = { ...this.camera, partnerID: this.camera.partnerID ?? null, activeWindow: this.camera.activeWindow ?? null,
        mainStreamURL: this.camera.mainStreamURL ?? null, subStreamURL: this.camera.subStreamURL ?? null,
        horizontalPixels: this.camera.horizontalPixels ?? null, verticalPixels: this.camera.verticalPixels ?? null, framesPerSecond: this.camera.framesPerSecond ?? null,
        redundant: this.camera.redundant ?? false };
      for (const [key, value] of Object.entries(body)) {
        const changed = key === 'activeWindow' && value && before.activeWindow
          ? Date.parse(value.from) !== Date.parse(before.activeWindow.from) || Date.parse(value.until) !== Date.parse(before.activeWindow.until)
          : JSON.stringify(value) !== JSON.stringify(before[key]);
        if (changed) request[key] = value;
      }
      if (!Object.keys(request).length) { showFieldErrors(this.form, null, this.general); toast('Nothing has changed.', 'info'); return; }
    } else {
      for (const key of Object.keys(request)) if (request[key] === null) delete request[key];
    }
    const button = this.form.querySelector('#camera-save');
    button.disabled = true;
    try {
      const saved = this.camera
        ? await api(`/api/v1/cameras/${this.camera.id}`, { method: 'PATCH', body: request })
        : await api('/api/v1/cameras', { method: 'POST', body: request });
      showFieldErrors(this.form, null, this.general);
      // A camera from an ONVIF device is linked to it now; when that fails it stays saved and its form offers a retry.
      const linked = !this.camera && this.onvifSection.device ? await this.onvifSection.link(saved.id) : null;
      if (linked?.failure) toast(`Camera "${saved.name}" added, but not linked to its ONVIF device: ${linked.failure}`);
      else toast(`Camera "${saved.name}" ${this.camera ? 'saved' : linked ? 'added and linked to its ONVIF device' : 'added'}.`, 'ok');
      await this.callbacks.onSaved(saved, linked?.failure ? { ...this.onvifSection.device, failure: linked.failure } : null);
    } catch (failure) {
      showFieldErrors(this.form, failure, this.general);
    } finally {
      button.disabled = false;
    }
  }

  async remove() {
    const camera = this.camera;
    if (!await confirmAction(`Delete the camera "${camera.name}"? It leaves the registry, the wall and the map.`, 'Delete camera')) return;
    try {
      await api(`/api/v1/cameras/${camera.id}`, { method: 'DELETE' });
      toast(`Camera "${camera.name}" deleted.`, 'ok');
      await this.callbacks.onDeleted();
    } catch (failure) {
      toast(`The camera could not be deleted: ${failure.message}`);
    }
  }

  // MARK: Stream test

  async probe() {
    const i = this.inputs, box = this.probeBox;
    const url = i.mainStreamURL.value.trim();
    if (!url) {
      showFieldErrors(this.form, { problem: { errors: [{ field: 'mainStreamURL', reason: 'type the stream URL to test it' }] } }, this.general);
      return;
    }
    const body = { url, transport: i.transport.value };
    if (i.username.value || i.password.value) Object.assign(body, { username: i.username.value, password: i.password.value });
    const button = this.form.querySelector('#camera-probe');
    button.disabled = true;
    box.hidden = false;
    box.className = 'probe-result';
    box.replaceChildren(el('p', { class: 'muted' }, 'Connecting to the stream…'));
    try {
      const result = await api('/api/v1/cameras/probe', { method: 'POST', body });
      box.className = 'probe-result ok';
      const fps = result.framesPerSecond ? round(result.framesPerSecond, 2) : null;
      const rows = [
        ['Codec', [result.codec, result.profile, result.level ? `level ${result.level}` : null].filter(Boolean).join(' '), 'probe-codec'],
        ['Resolution', result.width ? `${result.width}×${result.height}` : 'not announced', 'probe-resolution'],
        ['Frame rate', fps ? `${fps} fps` : 'not measured', 'probe-fps'],
        ['Bitrate', result.bitrateKbps ? `${Math.round(result.bitrateKbps)} kbit/s` : 'not measured', 'probe-bitrate'],
        ['Transport', result.transport.toUpperCase(), 'probe-transport'],
        ['Audio', result.hasAudio ? 'yes' : 'no', 'probe-audio'],
      ];
      box.replaceChildren(
        el('dl', { class: 'probe-facts' }, rows.flatMap(([k, v, id]) => [el('dt', {}, k), el('dd', { id }, v)])),
        result.snapshot ? el('img', { id: 'probe-snapshot', src: result.snapshot, alt: 'A picture from the stream' })
          : el('p', { class: 'small muted', id: 'probe-snapshot-missing' }, `No picture: ${result.snapshotProblem || 'none decoded'}.`));
      if (result.width && result.height) {
        i.horizontalPixels.value = String(result.width);
        i.verticalPixels.value = String(result.height);
      }
      if (fps) i.framesPerSecond.value = String(fps);
      showFieldErrors(this.form, null, this.general);
    } catch (failure) {
      box.className = 'probe-result failed';
      box.replaceChildren(el('p', { class: 'error', id: 'probe-error' }, `The stream test failed: ${failure.problem?.detail || failure.message}`),
        this.camera?.hasCredentials && !i.password.value
          ? el('p', { class: 'small muted' }, 'The stored credentials are not used by the test: type them to test a stream that needs them.') : null);
      const errors = (failure.problem?.errors || []).map((e) => ({ field: e.field === 'url' ? 'mainStreamURL' : e.field, reason: e.reason }));
      if (errors.length) showFieldErrors(this.form, { problem: { errors } }, null);
    } finally {
      button.disabled = false;
    }
  }

  // MARK: Map

  async buildMap() {
    if (!document.querySelector('link[data-leaflet]')) {
      document.head.append(el('link', { rel: 'stylesheet', href: '/vendor/leaflet/leaflet.css', dataset: { leaflet: '1' } }));
    }
    let L;
    try {
      L = await import('/vendor/leaflet/leaflet.esm.js');
    } catch {
      this.mapBox.replaceChildren(el('div', { class: 'notice error', id: 'camera-map-unavailable' },
        el('strong', {}, 'The map cannot be shown: '), 'the server has no Leaflet, the map library this form uses (an administrator installs it with ',
        el('code', {}, 'sudo apt-get install libjs-leaflet'), ' and restarts OpenRTCC). ',
        'Type the latitude, longitude, heading, field of view and range in the form instead.'));
      return;
    }
    let settings = null;
    try {
      settings = await api('/api/v1/map');
    } catch (failure) {
      toast(`The map settings could not be read: ${failure.message}`);
    }
    if (!this.element) return;
    this.L = L;
    this.mapElement = el('div', { class: 'camera-map', id: 'camera-map' });
    this.mapBox.replaceChildren(this.mapElement, el('p', { class: 'small muted', id: 'camera-map-hint' }));
    const c = this.camera;
    const centre = c ? [c.location.latitude, c.location.longitude] : settings ? [settings.centre.latitude, settings.centre.longitude] : [0, 0];
    this.map = L.map(this.mapElement, { zoomControl: true }).setView(centre, 17);
    if (settings?.tileURL) L.tileLayer(settings.tileURL, { maxZoom: 20, attribution: 'map tiles' }).addTo(this.map);
    this.othersLayer = L.layerGroup().addTo(this.map);
    this.coneLayer = L.layerGroup().addTo(this.map);
    // A drag that ends off its handle (the handle follows the pointer a frame late) also clicks the map: that click
    // must not move the camera.
    this.onPointerMove = (event) => this.trackPointer(event);
    document.addEventListener('mousemove', this.onPointerMove);
    document.addEventListener('touchmove', this.onPointerMove, { passive: true });
    this.map.on('click', (event) => { if (performance.now() - (this.draggedAt ?? -Infinity) > 400) this.place(event.latlng); });
    this.drawOthers();
    this.redraw();
    // The form may have changed the box's size after the map measured it.
    requestAnimationFrame(() => this.map?.invalidateSize());
    this.mapElement.dataset.ready = '1';
  }

  drawOthers() {
    if (!this.map) return;
    this.othersLayer.clearLayers();
    for (const camera of this.others || []) {
      if (camera.id === this.cameraID) continue;
      this.othersLayer.addLayer(this.L.polygon(
        sectorRing(camera.location.latitude, camera.location.longitude, camera.headingDeg, camera.fieldOfViewDeg, camera.rangeM),
        { color: '#8b96a5', weight: 1, opacity: 0.4, fillOpacity: 0.05, interactive: false }));
      this.othersLayer.addLayer(this.L.circleMarker([camera.location.latitude, camera.location.longitude],
        { radius: 3, color: '#8b96a5', weight: 1, fillOpacity: 0.6, interactive: false }));
    }
  }

  /// The geometry the form holds now, or null while the camera is not placed.
  geometry() {
    const n = (input, fallback) => { const v = Number(input.value.trim().replace(',', '.')); return input.value.trim() && Number.isFinite(v) ? v : fallback; };
    const lat = n(this.inputs.latitude, NaN), lon = n(this.inputs.longitude, NaN);
    if (!Number.isFinite(lat) || !Number.isFinite(lon) || Math.abs(lat) > 90 || Math.abs(lon) > 180) return null;
    return {
      lat, lon, heading: ((n(this.inputs.headingDeg, 0) % 360) + 360) % 360,
      fov: Math.min(360, Math.max(1, n(this.inputs.fieldOfViewDeg, 90))), range: Math.min(2000, Math.max(1, n(this.inputs.rangeM, 60))),
    };
  }

  place(latlng) {
    this.inputs.latitude.value = String(round(latlng.lat, 7));
    this.inputs.longitude.value = String(round(latlng.lng, 7));
    this.redraw();
  }

  redraw(except) {
    if (!this.map) return;
    const g = this.geometry();
    const hint = this.mapBox.querySelector('#camera-map-hint');
    if (hint) {
      hint.textContent = g ? `Heading ${round(g.heading, 1)}°, field of view ${round(g.fov, 1)}°, range ${round(g.range, 1)} m.`
        : 'Click the map to place the camera.';
    }
    if (!g) { this.coneLayer.clearLayers(); this.handles = null; return; }
    const L = this.L;
    if (!this.handles) {
      const icon = (className, title) => L.divIcon({ className: `cone-handle ${className}`, iconSize: [16, 16], html: `<span title="${title}"></span>` });
      this.cone = L.polygon([[g.lat, g.lon]], { color: '#facc15', weight: 2, fillOpacity: 0.18, interactive: false, className: 'edited-cone' });
      this.handles = {
        camera: L.marker([g.lat, g.lon], { draggable: true, icon: icon('camera-handle', 'Drag to move the camera'), keyboard: false }),
        heading: L.marker([g.lat, g.lon], { draggable: true, icon: icon('heading-handle', 'Drag to set heading and range'), keyboard: false }),
        fov: L.marker([g.lat, g.lon], { draggable: true, icon: icon('fov-handle', 'Drag to set the field of view'), keyboard: false }),
      };
      this.coneLayer.clearLayers();
      this.coneLayer.addLayer(this.cone);
      this.follow(this.handles.camera, (latlng) => this.place(latlng));
      this.follow(this.handles.heading, (latlng) => this.dragHeading(latlng));
      this.follow(this.handles.fov, (latlng) => this.dragFieldOfView(latlng));
    }
    this.cone.setLatLngs(sectorRing(g.lat, g.lon, g.heading, g.fov, g.range));
    if (except !== 'camera') this.handles.camera.setLatLng([g.lat, g.lon]);
    if (except !== 'heading') this.handles.heading.setLatLng(destination(g.lat, g.lon, g.heading, g.range));
    if (except !== 'fov') this.handles.fov.setLatLng(destination(g.lat, g.lon, g.heading + Math.min(g.fov, 359) / 2, g.range));
  }

  /// Adds `handle` to the map and calls `apply` with its position while it is dragged. Leaflet moves a marker on the
  /// animation frame after each pointer move and drops the last one when the button is released first, so the end of
  /// a drag is taken from the pointer itself (kept at the offset at which the handle was grabbed).
  follow(handle, apply) {
    this.coneLayer.addLayer(handle);
    const grab = (event) => {
      const point = this.map.mouseEventToContainerPoint(event.touches ? event.touches[0] : event);
      this.grab = { handle, offset: this.map.latLngToContainerPoint(handle.getLatLng()).subtract(point), pointer: point };
    };
    handle.getElement().addEventListener('mousedown', grab);
    handle.getElement().addEventListener('touchstart', grab, { passive: true });
    handle.on('drag', (event) => apply(event.target.getLatLng()));
    handle.on('dragend', () => {
      if (this.grab?.handle === handle) {
        const latlng = this.map.containerPointToLatLng(this.grab.pointer.add(this.grab.offset));
        handle.setLatLng(latlng);
        apply(latlng);
      }
      this.grab = null;
      this.draggedAt = performance.now();
      this.redraw();
    });
  }

  /// Follows the pointer while a handle is held (see ``follow``).
  trackPointer(event) {
    if (!this.grab || !this.map) return;
    const source = event.touches ? event.touches[0] : event;
    if (source) this.grab.pointer = this.map.mouseEventToContainerPoint(source);
  }

  dragHeading(latlng) {
    const g = this.geometry();
    if (!g) return;
    const { bearing, distance } = bearingAndDistance(g.lat, g.lon, latlng.lat, latlng.lng);
    this.inputs.headingDeg.value = String(round(bearing, 1) % 360);
    this.inputs.rangeM.value = String(Math.min(2000, Math.max(1, round(distance, 1))));
    this.redraw('heading');
  }

  dragFieldOfView(latlng) {
    const g = this.geometry();
    if (!g) return;
    const { bearing } = bearingAndDistance(g.lat, g.lon, latlng.lat, latlng.lng);
    const off = Math.abs((((bearing - g.heading) % 360) + 540) % 360 - 180);
    this.inputs.fieldOfViewDeg.value = String(Math.min(360, Math.max(1, round(2 * off, 1))));
    this.redraw('fov');
  }
}
