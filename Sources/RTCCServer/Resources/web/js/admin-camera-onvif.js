// ONVIF in Admin > Cameras. "Find cameras": a WS-Discovery search (this network's multicast group and any addresses
// typed), then a device chosen and inspected with its user name and password (model, firmware, profiles, stream URLs,
// PTZ, events, clock) before "Add" opens the new-camera form filled from what the device suggests. The form's ONVIF
// section: for a new camera what it will be linked to; for a saved one its link (model, firmware, clock drift), or why
// linking failed, with a retry.
import { api, el, when } from './api.js';

/// The addresses typed in the search box (host or host:port, separated by spaces, commas or semicolons).
function addressList(text) {
  return text.split(/[\s,;]+/).map((a) => a.trim()).filter(Boolean);
}

/// The host and port of a device service URL, for people ("10.0.0.5:8080").
function hostOf(url) {
  try { return new URL(url).host; } catch { return url; }
}

function profileText(profile) {
  const size = profile.width ? `${profile.width}×${profile.height}` : 'size unknown';
  return [profile.name || profile.token, profile.encoding, size, profile.framesPerSecond ? `${profile.framesPerSecond} fps` : null,
    profile.bitrateKbps ? `${profile.bitrateKbps} kbit/s` : null].filter(Boolean).join(' · ');
}

function yesNo(value) { return value ? 'yes' : 'no'; }

function clockText(seconds) {
  if (seconds === null || seconds === undefined) return 'not measured';
  return `${Math.round(seconds * 10) / 10} s`;
}

/// The device's clock against this server's, for people.
function offsetText(seconds) {
  if (seconds === null || seconds === undefined) return 'not measured';
  if (Math.abs(seconds) < 0.5) return 'in step with this server';
  return `${clockText(Math.abs(seconds))} ${seconds > 0 ? 'ahead of' : 'behind'} this server`;
}

/// The facts of an inspected device, as a definition list.
export function deviceFacts(device, suggested, prefix) {
  const info = device.information;
  const rows = [
    ['Device', [info.manufacturer, info.model].filter(Boolean).join(' ') || 'unnamed', 'model'],
    ['Firmware', info.firmwareVersion || 'not given', 'firmware'],
    ['Serial number', info.serialNumber || 'not given', 'serial'],
    ['Address', device.address, 'address-shown'],
    ['Profiles', el('ul', { class: 'onvif-profiles' }, device.streams.map((stream) => el('li', {
      class: stream.profile.token === suggested?.profileToken ? 'main' : stream.profile.token === suggested?.subProfileToken ? 'sub' : '',
    }, profileText(stream.profile),
    stream.profile.token === suggested?.profileToken ? ' (recorded)' : stream.profile.token === suggested?.subProfileToken ? ' (sub stream)' : ''))),
    'profiles'],
    ['PTZ', yesNo(device.ptz), 'ptz'],
    ['Events', device.events ? 'yes: motion and tampering raise alerts' : 'no', 'events'],
    ['Clock', offsetText(device.clockOffsetSeconds), 'clock'],
  ];
  return el('dl', { class: 'facts onvif-facts' }, rows.flatMap(([k, v, id]) => [el('dt', {}, k), el('dd', { id: `${prefix}-${id}` }, v)]));
}

// MARK: Find cameras

export class CameraFinder {
  /// `onAdd(onvif)` opens the new-camera form for an inspected device; `onOpenCamera(id)` opens a camera already added.
  constructor(slot, { onAdd, onOpenCamera, cameraName }) {
    this.slot = slot;
    this.callbacks = { onAdd, onOpenCamera, cameraName };
    this.devices = [];
  }

  get isOpen() { return Boolean(this.element); }

  open() {
    this.addresses = el('input', { id: 'onvif-addresses', type: 'text', autocomplete: 'off', spellcheck: 'false',
      placeholder: 'optional: 10.0.0.5, 10.0.0.6:8080', 'aria-label': 'Camera addresses' });
    this.searchButton = el('button', { type: 'submit', id: 'onvif-search' }, 'Search');
    this.status = el('p', { class: 'small muted', id: 'onvif-search-status', role: 'status' },
      'Searches this network (WS-Discovery multicast) and asks each address given directly.');
    this.list = el('div', { id: 'onvif-device-list' });
    this.connectBox = el('div', { id: 'onvif-connect-slot' });
    this.element = el('section', { class: 'onvif-find admin-form', id: 'onvif-find' },
      el('div', { class: 'panel-head' }, el('h3', {}, 'Find cameras (ONVIF)'),
        el('button', { type: 'button', class: 'ghost close', id: 'onvif-find-close', title: 'Close', onclick: () => this.close() }, '×')),
      el('form', { class: 'onvif-search-form', onsubmit: (event) => { event.preventDefault(); this.search(); } },
        el('label', { class: 'field' }, 'Addresses (host or host:port; several separated by spaces or commas)', this.addresses),
        this.searchButton,
        el('button', { type: 'button', class: 'ghost', id: 'onvif-by-address', onclick: () => this.choose(null),
          title: 'For a camera that does not answer discovery: give its address, user name and password' }, 'Connect by address…')),
      this.status, this.list, this.connectBox);
    this.slot.replaceChildren(this.element);
    this.addresses.focus();
  }

  close() {
    this.element?.remove();
    this.element = null;
  }

  async search() {
    const addresses = addressList(this.addresses.value);
    this.searchButton.disabled = true;
    this.status.className = 'small muted';
    this.status.textContent = 'Searching for 2 s…';
    this.list.replaceChildren();
    this.connectBox.replaceChildren();
    try {
      const result = await api('/api/v1/onvif/discover', { method: 'POST', body: { seconds: 2, addresses, multicast: true } });
      this.devices = result.devices;
      this.status.textContent = result.devices.length
        ? `${result.devices.length} device${result.devices.length === 1 ? '' : 's'} answered in ${result.seconds} s. Choose one to connect to it.`
        : 'No device answered. Check the address, or that the camera has ONVIF and discovery switched on; "Connect by address…" reaches one that does not answer discovery.';
      this.renderDevices(result.problems || []);
    } catch (failure) {
      this.status.className = 'error';
      const errors = (failure.problem?.errors || []).map((e) => {
        const index = /^addresses\[(\d+)\]$/.exec(e.field);
        return index ? `${addresses[Number(index[1])]}: ${e.reason}` : `${e.field}: ${e.reason}`;
      });
      this.status.textContent = `The search failed: ${errors.length ? errors.join('; ') : failure.message}`;
    } finally {
      this.searchButton.disabled = false;
    }
  }

  renderDevices(problems) {
    const rows = this.devices.map((device, index) => {
      const linked = device.linkedCameraID;
      return el('tr', { dataset: { endpoint: device.endpoint, index: String(index) }, class: linked ? 'inactive' : '' },
        el('td', { class: 'onvif-name' }, device.name || el('span', { class: 'muted' }, 'unnamed')),
        el('td', { class: 'onvif-hardware' }, device.hardware || el('span', { class: 'muted' }, 'unknown')),
        el('td', { class: 'onvif-address', title: device.addresses.join('\n') },
          device.addresses.length ? hostOf(device.addresses[0]) : device.answeredFrom,
          device.addresses.length > 1 ? el('span', { class: 'muted' }, ` +${device.addresses.length - 1}`) : null),
        el('td', {}, device.location || ''),
        el('td', { class: 'nowrap' }, linked
          ? el('a', { href: '#', class: 'onvif-linked', onclick: (event) => { event.preventDefault(); this.callbacks.onOpenCamera(linked); } },
            `already added${this.callbacks.cameraName(linked) ? `: ${this.callbacks.cameraName(linked)}` : ''}`)
          : el('button', { type: 'button', class: 'onvif-choose', onclick: () => this.choose(device) }, 'Choose…')));
    });
    this.list.replaceChildren(
      rows.length ? el('table', { class: 'data compact onvif-devices', id: 'onvif-devices' },
        el('thead', {}, el('tr', {}, ['Name', 'Model', 'Address', 'Location', ''].map((t) => el('th', {}, t)))),
        el('tbody', {}, rows)) : '',
      problems.length ? el('ul', { class: 'small muted onvif-problems', id: 'onvif-problems' }, problems.map((p) => el('li', {}, p))) : '');
  }

  /// Asks for the device's credentials (and its address, when it was not found by the search).
  choose(device) {
    for (const row of this.list.querySelectorAll('tr[data-endpoint]')) row.classList.toggle('selected', row.dataset.endpoint === device?.endpoint);
    const address = el('input', { id: 'onvif-address', autocomplete: 'off', spellcheck: 'false', value: device?.addresses[0] || '',
      placeholder: 'http://10.0.0.5/onvif/device_service or 10.0.0.5:8080' });
    const username = el('input', { id: 'onvif-username', autocomplete: 'off', spellcheck: 'false' });
    const password = el('input', { id: 'onvif-password', type: 'password', autocomplete: 'new-password' });
    const submit = el('button', { type: 'submit', id: 'onvif-connect' }, 'Connect');
    this.result = el('div', { id: 'onvif-result', role: 'status' });
    const title = device ? `Connect to ${device.name || device.hardware || hostOf(device.addresses[0])}` : 'Connect to a camera by its address';
    const form = el('form', { class: 'onvif-connect', id: 'onvif-connect-form', onsubmit: (event) => {
      event.preventDefault();
      this.inspect({ address: address.value.trim(), username: username.value, password: password.value }, submit);
    } },
    el('h4', {}, title),
    el('div', { class: 'form-grid' },
      el('label', { class: 'field' }, 'Device address', address),
      el('label', { class: 'field' }, 'User name', username),
      el('label', { class: 'field' }, 'Password', password)),
    el('div', { class: 'row-actions' }, submit,
      el('span', { class: 'small muted' }, 'Nothing is stored until the camera is added; the password is sealed then and never shown again.')),
    this.result);
    this.connectBox.replaceChildren(form);
    (device ? username : address).focus();
  }

  async inspect(request, button) {
    if (!request.address) {
      this.result.replaceChildren(el('p', { class: 'error', id: 'onvif-error' }, 'Give the device address.'));
      return;
    }
    const body = { address: request.address };
    if (request.username || request.password) Object.assign(body, { username: request.username, password: request.password });
    button.disabled = true;
    this.result.className = '';
    this.result.replaceChildren(el('p', { class: 'muted' }, 'Connecting to the device…'));
    try {
      const { device, suggested } = await api('/api/v1/onvif/inspect', { method: 'POST', body });
      this.result.className = 'onvif-inspected';
      const onvif = { ...request, address: device.address, device, suggested, profileToken: suggested.profileToken, subProfileToken: suggested.subProfileToken };
      const already = this.devices.find((d) => d.linkedCameraID && d.addresses.includes(device.address));
      this.result.replaceChildren(deviceFacts(device, suggested, 'onvif'),
        already ? el('p', { class: 'warn' }, `This device is already linked to ${this.callbacks.cameraName(already.linkedCameraID) || 'a camera'}.`) : null,
        el('div', { class: 'row-actions' },
          el('button', { type: 'button', class: 'primary', id: 'onvif-add', onclick: () => {
            this.connectBox.querySelector('#onvif-password').value = '';
            this.callbacks.onAdd(onvif);
          } }, 'Add this camera…'),
          el('span', { class: 'small muted' }, 'Opens the new-camera form filled in from the device; place it on the map and save.')));
    } catch (failure) {
      this.result.className = 'failed';
      const detail = failure.problem?.detail || failure.message;
      const wrongPassword = (failure.problem?.errors || []).some((e) => e.field === 'password');
      this.result.replaceChildren(el('p', { class: 'error', id: 'onvif-error' }, `The device could not be inspected: ${detail}`),
        el('p', { class: 'small muted' }, wrongPassword
          ? 'The user must be one of the camera\'s ONVIF users, which is often not its web login. Nothing was saved.'
          : 'Nothing was saved.'));
    } finally {
      button.disabled = false;
    }
  }
}

// MARK: The camera form's ONVIF section

export class ONVIFSection {
  /// `camera` is null for a new camera; `onvif` is the inspected device (for a new camera) or a failed link attempt to
  /// retry ({address, username, password, profileToken, subProfileToken, failure}).
  constructor({ camera, onvif }) {
    this.camera = camera;
    this.onvif = onvif;
    this.body = el('div', { class: 'onvif-section-body', id: 'camera-onvif' });
    this.element = el('fieldset', { class: 'onvif' }, el('legend', {}, 'ONVIF device'), this.body);
  }

  /// The device a new camera comes from (null for a camera entered by hand).
  get device() { return this.camera ? null : this.onvif; }

  /// Shows what the new camera will be linked to, or the saved camera's link.
  async load() {
    if (!this.camera) {
      if (!this.onvif) { this.element.hidden = true; return; }
      this.body.replaceChildren(deviceFacts(this.onvif.device, this.onvif.suggested, 'camera-onvif'),
        el('p', { class: 'small muted' }, 'Linked to this device when the camera is added (for PTZ, events and clock checks). ',
          'The stream credentials below are the device user\'s.'));
      return;
    }
    this.body.replaceChildren(el('p', { class: 'muted small' }, 'Reading the ONVIF link…'));
    try {
      this.show(await api(`/api/v1/cameras/${this.camera.id}/onvif`));
    } catch (failure) {
      if (failure.status === 404) this.showUnlinked();
      else this.body.replaceChildren(el('p', { class: 'muted small' }, `The ONVIF link could not be read: ${failure.message}`));
    }
  }

  showUnlinked() {
    if (this.onvif?.failure) {
      const retry = el('button', { type: 'button', id: 'camera-onvif-retry', onclick: () => this.retry(retry) }, 'Retry linking');
      this.body.replaceChildren(
        el('p', { class: 'error', id: 'camera-onvif-error' }, `The camera was saved but not linked to its ONVIF device: ${this.onvif.failure}`),
        el('div', { class: 'row-actions' }, retry, el('span', { class: 'small muted' }, `Device at ${hostOf(this.onvif.address)}`)));
      return;
    }
    this.element.classList.add('unlinked');
    this.body.replaceChildren(el('p', { class: 'muted small', id: 'camera-onvif-none' },
      'Not linked to an ONVIF device. Use "Find cameras" to add a camera with its device.'));
  }

  show(view) {
    const link = view.link;
    this.element.classList.remove('unlinked');
    const drift = view.clockDriftSeconds;
    const summary = `ONVIF: ${[link.manufacturer, link.model].filter(Boolean).join(' ')}, firmware ${link.firmware || 'unknown'}, clock drift ${clockText(drift)}`;
    this.body.replaceChildren(
      el('p', { id: 'camera-onvif-summary', class: view.clockDriftAlarm ? 'onvif-summary alarm' : 'onvif-summary' }, summary,
        view.clockDriftAlarm ? el('strong', { id: 'camera-onvif-drift-alarm' }, ` — over the ${view.clockDriftThresholdSeconds} s allowed: set the camera's clock (NTP)`) : null),
      el('dl', { class: 'facts onvif-facts' },
        el('dt', {}, 'Address'), el('dd', {}, link.address),
        el('dt', {}, 'Profiles'), el('dd', {}, [link.profileToken, link.subProfileToken].filter(Boolean).join(' + ')),
        el('dt', {}, 'PTZ'), el('dd', { id: 'camera-onvif-ptz' }, link.ptz ? 'yes: steer it from the wall' : 'no'),
        el('dt', {}, 'Events'), el('dd', {}, yesNo(link.events)),
        el('dt', {}, 'Serial number'), el('dd', {}, link.serialNumber || '—'),
        el('dt', {}, 'Credentials'), el('dd', {}, view.hasCredentials ? 'stored (sealed)' : 'none'),
        el('dt', {}, 'Last check'), el('dd', {}, link.checkedAt ? when(link.checkedAt) : 'not yet',
          link.lastError ? el('span', { class: 'error' }, ` — ${link.lastError}`) : null)));
  }

  /// Links `cameraID` to the device of a new camera; returns null, or why it failed (the camera stays saved).
  async link(cameraID) {
    const o = this.onvif;
    const body = { address: o.address, profileToken: o.profileToken };
    if (o.subProfileToken) body.subProfileToken = o.subProfileToken;
    if (o.username || o.password) Object.assign(body, { username: o.username, password: o.password });
    try {
      return { view: await api(`/api/v1/cameras/${cameraID}/onvif`, { method: 'PUT', body }), failure: null };
    } catch (failure) {
      return { view: null, failure: failure.problem?.detail || failure.message };
    }
  }

  async retry(button) {
    button.disabled = true;
    const { view, failure } = await this.link(this.camera.id);
    if (view) {
      this.onvif = null;
      this.show(view);
    } else {
      this.onvif.failure = failure;
      this.showUnlinked();
    }
  }
}
