// Alerts: the analysts' triage queue. New alerts arrive over a WebSocket (with a tone and a flash), most severe first;
// an alert's card shows the correlated cameras live, the bookmarked clips around the event, and its history, with the
// triage actions: acknowledge, assign, escalate, dismiss with a reason, close, notes, link to a case.
import { api, el, toast, formatWallClock } from './api.js';
import { LivePlayer } from './live-player.js';
import { openAnalytics } from './analytics.js';

let view = null;

export async function enter(container, { me, params, navigate }) {
  view = new Alerts(container, me, params, navigate);
  await view.start();
}

export function leave() {
  view?.destroy();
  view = null;
}

const SEVERITY_RANK = { critical: 3, high: 2, medium: 1, low: 0 };
const ACTIVE = ['open', 'acknowledged', 'assigned', 'escalated'];
const may = (me, permission) => me.permissions.includes(permission);
const local = (date) => (date ? formatWallClock(Date.parse(date)) : '');
const LIVE_TILES = 4;

class Alerts {
  constructor(container, me, params, navigate) {
    this.container = container;
    this.me = me;
    this.params = params;
    this.navigate = navigate;
    this.alerts = new Map();
    this.players = [];
    this.stopped = false;
    this.retry = 500;
    this.sound = localStorage.getItem('rtcc.alerts.sound') !== 'off';
    window.rtccAlerts = this;
  }

  async start() {
    if (!may(this.me, 'alerts:read')) {
      this.container.append(el('div', { class: 'placeholder' }, el('h2', {}, 'Alerts'), el('p', { class: 'muted' }, 'Your role does not give access to alerts.')));
      return;
    }
    this.filter = el('select', { id: 'alert-filter', 'aria-label': 'Show', onchange: () => this.load() },
      [['active', 'open queue'], ['', 'all'], ['dismissed', 'dismissed'], ['closed', 'closed']].map(([v, t]) => el('option', { value: v }, t)));
    this.kind = el('select', { id: 'alert-kind', 'aria-label': 'Kind', onchange: () => this.load() },
      ['', 'gunshot', 'plate_hit', 'cad_call', 'tip', 'motion', 'detection', 'camera_offline', 'camera_clock', 'recording_failed', 'server_down'].map((k) => el('option', { value: k }, k ? k.replace('_', ' ') : 'any kind')));
    this.search = el('input', { type: 'search', class: 'search', id: 'alert-search', placeholder: 'Search alerts…', oninput: () => this.load() });
    this.soundButton = el('button', { id: 'alert-sound', class: 'ghost', title: 'Sound for new alerts', onclick: () => this.toggleSound() });
    this.connection = el('span', { id: 'alert-connection', class: 'small muted' }, 'connecting…');
    this.list = el('div', { class: 'cam-list', id: 'alert-list' });
    this.detail = el('section', { class: 'content detail', id: 'alert-detail' }, el('div', { class: 'placeholder muted' }, 'Choose an alert.'));
    // Supervisors set up the analytics that raise motion and detection alerts.
    const analytics = may(this.me, 'cameras:write')
      ? el('button', { id: 'analytics-open', class: 'ghost', title: 'Motion zones and detection rules per camera', onclick: () => openAnalytics(this.detail) }, 'Camera analytics…')
      : null;
    const sidebar = el('aside', { class: 'sidebar alert-side' }, this.search,
      el('div', { class: 'toolbar' }, this.filter, this.kind, this.soundButton, this.connection, analytics), this.list);
    this.container.append(sidebar, this.detail);
    this.renderSound();
    await this.load();
    this.connect();
    const wanted = this.params.get('alert');
    if (wanted) await this.open(wanted);
  }

  destroy() {
    this.stopped = true;
    this.socket?.close();
    this.stopPlayers();
    clearTimeout(this.reconnectTimer);
    if (window.rtccAlerts === this) delete window.rtccAlerts;
  }

  toggleSound() {
    this.sound = !this.sound;
    localStorage.setItem('rtcc.alerts.sound', this.sound ? 'on' : 'off');
    this.renderSound();
    if (this.sound) this.beep('low');
  }

  renderSound() { this.soundButton.textContent = this.sound ? 'sound on' : 'sound off'; }

  query() {
    const parts = ['limit=200'];
    if (this.filter.value) parts.push(`status=${this.filter.value}`);
    if (this.kind.value) parts.push(`kind=${this.kind.value}`);
    const q = this.search.value.trim();
    if (q) parts.push(`q=${encodeURIComponent(q)}`);
    return parts.join('&');
  }

  async load() {
    try {
      const page = await api(`/api/v1/alerts?${this.query()}`);
      this.alerts = new Map(page.items.map((a) => [a.id, a]));
      this.renderList();
    } catch (error) {
      toast(`Alerts could not be loaded: ${error.message}`);
    }
  }

  matches(alert) {
    const status = this.filter.value;
    if (status === 'active' && !ACTIVE.includes(alert.status)) return false;
    if (status && status !== 'active' && alert.status !== status) return false;
    if (this.kind.value && alert.kind !== this.kind.value) return false;
    const q = this.search.value.trim().toLowerCase();
    return !q || `${alert.title} ${alert.detail}`.toLowerCase().includes(q);
  }

  renderList() {
    const items = [...this.alerts.values()].filter((a) => this.matches(a))
      .sort((a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] || Date.parse(b.raisedAt) - Date.parse(a.raisedAt));
    this.list.replaceChildren(...items.map((a) => el('div', {
      class: `cam-item alert-item sev-${a.severity}${a.id === this.current?.id ? ' selected' : ''}${a.fresh ? ' fresh' : ''}`,
      dataset: { alert: a.id, status: a.status, kind: a.kind }, onclick: () => this.open(a.id),
    }, el('div', { class: 'meta' },
      el('span', { class: 'name' }, a.title),
      el('span', { class: 'small muted' }, `${a.severity} · ${a.status} · ${local(a.raisedAt)}`)))));
    if (items.length === 0) this.list.append(el('div', { class: 'placeholder muted' }, 'No alerts.'));
  }

  connect() {
    if (this.stopped) return;
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const socket = new WebSocket(`${scheme}//${location.host}/api/v1/alerts/live`);
    this.socket = socket;
    socket.onopen = () => { this.retry = 500; this.connection.textContent = 'live'; this.connection.dataset.state = 'live'; };
    socket.onmessage = (event) => this.receive(event.data);
    socket.onclose = () => {
      if (this.stopped || this.socket !== socket) return;
      this.connection.textContent = 'reconnecting…';
      this.connection.dataset.state = 'reconnecting';
      this.reconnectTimer = setTimeout(() => { this.connect(); this.load(); }, this.retry);
      this.retry = Math.min(this.retry * 2, 8000);
    };
  }

  /// One socket message: an alert change, or a batch of them (a burst the server sent together).
  receive(text) {
    let message;
    try { message = JSON.parse(text); } catch { return; }
    const changes = message.type === 'batch' ? message.messages : [message];
    let raised = null;
    let reopen = false;
    for (const change of changes) {
      if (change?.type !== 'alert') continue;
      const alert = change.alert;
      const known = this.alerts.get(alert.id);
      this.alerts.set(alert.id, { ...known, ...alert, fresh: change.change === 'raised' });
      if (change.change === 'raised' && this.matches(alert)) {
        this.received = (this.received || 0) + 1;
        if (!raised || SEVERITY_RANK[alert.severity] > SEVERITY_RANK[raised.severity]) raised = alert;
      }
      if (this.current?.id === alert.id) reopen = true;
    }
    this.renderList();
    if (raised) {
      // One tone per burst, for its most severe alert.
      this.beep(raised.severity);
      document.title = `(${this.received}) OpenRTCC`;
    }
    if (reopen) this.open(this.current.id, { keepPlayers: true });
  }

  /// A short tone: higher and repeated for more severe alerts.
  beep(severity) {
    if (!this.sound) return;
    try {
      this.audio = this.audio || new AudioContext();
      const beeps = severity === 'critical' ? 3 : severity === 'high' ? 2 : 1;
      const frequency = { critical: 1320, high: 990, medium: 880, low: 660 }[severity] || 880;
      for (let i = 0; i < beeps; i++) {
        const oscillator = this.audio.createOscillator();
        const gain = this.audio.createGain();
        const at = this.audio.currentTime + i * 0.22;
        oscillator.frequency.value = frequency;
        gain.gain.setValueAtTime(0.15, at);
        gain.gain.exponentialRampToValueAtTime(0.001, at + 0.18);
        oscillator.connect(gain).connect(this.audio.destination);
        oscillator.start(at);
        oscillator.stop(at + 0.2);
      }
      this.beeps = (this.beeps || 0) + 1;
    } catch { /* no audio device */ }
  }

  stopPlayers() {
    for (const player of this.players) player.stop();
    this.players = [];
  }

  async open(id, { keepPlayers = false } = {}) {
    let alert;
    try { alert = await api(`/api/v1/alerts/${id}`); } catch (error) { toast(error.message); return; }
    const same = this.current?.id === id;
    this.current = alert;
    const known = this.alerts.get(id);
    if (known) { known.fresh = false; Object.assign(known, alert); }
    this.renderList();
    const tiles = keepPlayers && same ? this.tiles : this.liveTiles(alert);
    this.tiles = tiles;
    const card = el('div', { class: 'alert-card', id: 'alert-card', dataset: { alert: alert.id, status: alert.status } },
      el('div', { class: 'toolbar' },
        el('span', { class: `sev sev-${alert.severity}` }, alert.severity),
        el('strong', { id: 'alert-title' }, alert.title),
        el('span', { class: 'spacer' }),
        el('span', { id: 'alert-status', class: 'muted' }, alert.status)),
      el('div', { class: 'panes' },
        el('div', { class: 'pane' },
          el('h4', {}, 'What happened'),
          el('p', { id: 'alert-detail-text' }, alert.detail || '—'),
          el('table', { class: 'data' },
            this.row('Raised', local(alert.raisedAt)),
            this.row('Acknowledged', alert.acknowledgedAt ? `${local(alert.acknowledgedAt)} (after ${alert.secondsToAcknowledge} s)` : 'not yet'),
            this.row('Assigned to', alert.assignedTo || '—'),
            alert.dismissReason ? this.row('Dismissed because', alert.dismissReason) : null,
            alert.location ? this.row('Location', this.place(alert.location)) : null,
            alert.caseID ? this.row('Case', el('a', { href: `/evidence?case=${alert.caseID}`, onclick: (e) => { e.preventDefault(); this.navigate(`/evidence?case=${alert.caseID}`); } }, 'open case')) : null),
          may(this.me, 'alerts:write') ? this.actions(alert) : null,
          el('h4', {}, 'Bookmarked clips'),
          this.clips(alert),
          el('h4', {}, 'History'),
          el('ol', { id: 'alert-history', class: 'history' }, (alert.history || []).map((h) =>
            el('li', {}, el('span', { class: 'muted' }, `${local(h.at)} ${h.actor}: `), `${h.action}${h.detail ? ` — ${h.detail}` : ''}`)))),
        el('div', { class: 'pane' }, el('h4', {}, 'Cameras that could see it, live'), tiles)));
    this.detail.replaceChildren(card);
  }

  row(label, value) { return el('tr', {}, el('th', {}, label), el('td', {}, value)); }

  /// The alert's point, with the nearest address (when the city's addresses are loaded) filled in when it arrives.
  place(point) {
    const address = el('span', { id: 'alert-address' });
    api(`/api/v1/addresses/reverse?lat=${point.latitude.toFixed(6)}&lon=${point.longitude.toFixed(6)}&maxDistanceM=200`)
      .then((nearest) => { address.textContent = `Near ${nearest.label} (${Math.round(nearest.distanceM)} m) · `; })
      .catch((error) => { if (error.status !== 404) address.textContent = `Nearest address unavailable: ${error.message} · `; });
    return el('span', {}, address, `${point.latitude.toFixed(5)}, ${point.longitude.toFixed(5)}`);
  }

  liveTiles(alert) {
    this.stopPlayers();
    const cameras = (alert.bookmarks || []).slice(0, LIVE_TILES);
    if (cameras.length === 0 && alert.cameraID) cameras.push({ cameraID: alert.cameraID, cameraName: 'camera', distanceM: 0 });
    const grid = el('div', { class: `grid alert-tiles ${cameras.length > 1 ? 'g4' : 'g1'}`, id: 'alert-tiles' });
    if (cameras.length === 0) return el('p', { class: 'muted', id: 'alert-tiles' }, 'No camera covers this place.');
    for (const camera of cameras) {
      const video = el('video', { autoplay: true, muted: true, playsinline: true });
      const badge = el('span', { class: 'badge connecting' }, 'connecting');
      const message = el('div', { class: 'message' });
      const tile = el('div', { class: 'tile', dataset: { camera: camera.cameraID } }, video, badge, message,
        el('div', { class: 'label' }, el('span', { class: 'name' }, `${camera.cameraName} · ${Math.round(camera.distanceM)} m`)));
      grid.append(tile);
      this.players.push(new LivePlayer(video, camera.cameraID, {
        onState: (state, text) => {
          tile.dataset.state = state;
          badge.className = `badge ${state}`;
          badge.textContent = state;
          message.textContent = state === 'live' ? '' : text || '';
        },
      }));
    }
    return grid;
  }

  clips(alert) {
    const bookmarks = alert.bookmarks || [];
    if (bookmarks.length === 0) return el('p', { class: 'muted' }, 'No recordings bookmarked.');
    const ids = bookmarks.map((b) => b.cameraID).join(',');
    const all = `/playback?cameras=${ids}&at=${encodeURIComponent(bookmarks[0].from)}`;
    return el('div', { id: 'alert-clips' },
      el('ul', {}, bookmarks.map((b) => el('li', { dataset: { camera: b.cameraID } },
        el('a', { href: `/playback?cameras=${b.cameraID}&at=${encodeURIComponent(b.from)}`, onclick: (e) => { e.preventDefault(); this.navigate(e.currentTarget.getAttribute('href')); } },
          `${b.cameraName}`), ` · ${Math.round(b.distanceM)} m · ${local(b.from)} → ${local(b.until).slice(11)}`))),
      el('a', { class: 'button', href: all, onclick: (e) => { e.preventDefault(); this.navigate(all); } }, 'Play all in step'));
  }

  actions(alert) {
    const active = ACTIVE.includes(alert.status);
    const reason = el('input', { id: 'alert-reason', placeholder: 'Reason (escalate, dismiss)' });
    const assignee = el('input', { id: 'alert-assignee', placeholder: 'User name' });
    const note = el('textarea', { id: 'alert-note', rows: 2, placeholder: 'Note' });
    const caseSelect = el('select', { id: 'alert-case', 'aria-label': 'Case' }, el('option', { value: '' }, 'link to case…'));
    if (may(this.me, 'cases:read')) {
      api('/api/v1/cases?limit=100').then((page) => caseSelect.append(...page.items.map((c) => el('option', { value: c.id }, `${c.number} · ${c.type}`)))).catch(() => {});
    }
    const act = async (body) => {
      try {
        await api(`/api/v1/alerts/${alert.id}/actions`, { method: 'POST', body });
        await this.open(alert.id, { keepPlayers: true });
      } catch (error) { toast(error.message); }
    };
    return el('div', { class: 'alert-actions', id: 'alert-actions' },
      el('div', { class: 'toolbar' },
        el('button', { id: 'alert-ack', class: 'primary', disabled: !active || alert.acknowledgedAt ? true : undefined, onclick: () => act({ action: 'acknowledge' }) }, 'Acknowledge'),
        el('button', { id: 'alert-escalate', disabled: !active || undefined, onclick: () => act({ action: 'escalate', reason: reason.value }) }, 'Escalate'),
        el('button', { id: 'alert-dismiss', disabled: !active || undefined, onclick: () => act({ action: 'dismiss', reason: reason.value }) }, 'Dismiss'),
        el('button', { id: 'alert-close', disabled: !active || undefined, onclick: () => act({ action: 'close' }) }, 'Close')),
      el('div', { class: 'toolbar' }, reason),
      el('div', { class: 'toolbar' }, assignee, el('button', { id: 'alert-assign', disabled: !active || undefined, onclick: () => act({ action: 'assign', assignee: assignee.value.trim() }) }, 'Assign')),
      el('div', { class: 'toolbar' }, note, el('button', { id: 'alert-add-note', onclick: () => act({ action: 'note', text: note.value }) }, 'Add note')),
      el('div', { class: 'toolbar' }, caseSelect, el('button', { id: 'alert-link', onclick: () => caseSelect.value && act({ action: 'link', caseID: caseSelect.value }) }, 'Link')));
  }
}
