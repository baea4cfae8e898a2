// The video wall: 1/4/9/16 tiles of live cameras, added by search, click or drag; per-tile health; layouts saved per user.
// Keys: 1 / 2 / 3 / 4 choose 1, 4, 9 or 16 tiles; F full-screens the selected tile; Delete empties it; arrows move the selection.
// A camera linked to a steerable ONVIF device gets a PTZ button (for users with ptz:control): while its tile steers,
// the selected tile's keys go to the PTZ control (wall-ptz.js).
import { api, el, toast, allCameras, svgIcon } from './api.js';
import { LivePlayer } from './live-player.js';
import { PTZControl, canSteer } from './wall-ptz.js';

/// Tile button icons drawn as SVG, so they show with any fonts (a fresh Debian lacks the symbol glyphs).
const ICONS = {
  fullscreen: { d: 'M3 9V3h6M21 9V3h-6M3 15v6h6M21 15v6h-6', fill: false },
  rewind: { d: 'M11 6l-8 6 8 6zM21 6l-8 6 8 6z', fill: true },
  remove: { d: 'M6 6l12 12M18 6L6 18', fill: false },
  ptz: { d: 'M12 3v4M12 17v4M3 12h4M17 12h4M12 9a3 3 0 1 0 0 6 3 3 0 1 0 0-6z', fill: false },
};

function icon(name) {
  return svgIcon(ICONS[name].d, ICONS[name].fill);
}
const GRIDS = [1, 4, 9, 16];
let view = null;

export async function enter(container, { me, navigate }) {
  view = new Wall(container, me, navigate);
  await view.load();
}

export function leave() {
  view?.destroy();
  view = null;
}

class Wall {
  constructor(container, me, navigate) {
    this.container = container;
    this.me = me;
    this.navigate = navigate;
    this.grid = 4;
    this.tiles = [];
    this.players = new Map();
    this.selected = 0;
    this.cameras = [];
    this.layouts = { layouts: [], current: null };
    // Cameras of tiles hidden by a smaller grid, by tile index: a larger grid brings them back.
    this.parked = [];
    this.onKey = (event) => this.key(event);
    this.onKeyUp = (event) => { for (const tile of this.tiles) tile.ptz?.keyUp(event); };
    document.addEventListener('keydown', this.onKey);
    document.addEventListener('keyup', this.onKeyUp);
    this.build();
  }

  build() {
    this.search = el('input', { class: 'search', type: 'search', placeholder: 'Search cameras…', 'aria-label': 'Search cameras', oninput: () => this.renderList() });
    this.list = el('div', { class: 'cam-list', id: 'camera-list' });
    this.layoutSelect = el('select', { id: 'layout-select', 'aria-label': 'Saved layouts', onchange: () => this.applyLayout(this.layoutSelect.value) });
    this.gridButtons = GRIDS.map((n, i) => el('button', { dataset: { grid: n }, title: `${n} tiles (key ${i + 1})`, onclick: () => this.setGrid(n) }, `${n}`));
    this.gridElement = el('div', { class: 'grid', id: 'wall-grid' });
    this.container.append(
      el('aside', { class: 'sidebar' }, this.search, this.list),
      el('section', { class: 'content' },
        el('div', { class: 'toolbar' },
          el('span', { class: 'muted' }, 'Tiles'), ...this.gridButtons,
          el('span', { class: 'muted' }, ' Layout'), this.layoutSelect,
          el('button', { onclick: () => this.saveNamed(), id: 'layout-save-named', title: 'Overwrite the selected layout with the wall as it is' }, 'Save'),
          el('button', { onclick: () => this.saveAs(), id: 'layout-save' }, 'Save as…'),
          el('button', { onclick: () => this.clearAll() }, 'Clear'),
          el('span', { class: 'spacer' }),
          el('button', { onclick: () => this.openPlayback(), title: 'Play back the cameras on the wall' }, 'Play back these cameras')),
        this.gridElement));
  }

  async load() {
    try {
      this.cameras = await allCameras();
    } catch (error) {
      toast(`Cameras could not be loaded: ${error.message}`);
    }
    this.byId = new Map(this.cameras.map((c) => [c.id, c]));
    try {
      this.layouts = await api('/api/v1/me/layouts');
    } catch (error) {
      toast(`Saved layouts could not be loaded: ${error.message}`);
    }
    // The wall as it was left ("Current", saved as it changes) comes back; named layouts change only when saved.
    const current = this.layouts.layouts.find((l) => l.name === 'Current')
      || this.layouts.layouts.find((l) => l.name === this.layouts.current) || this.layouts.layouts[0];
    this.renderLayouts();
    if (current) this.use(current, false);
    else this.use({ name: 'Current', grid: 4, tiles: [] }, false);
    this.renderList();
    this.refreshHealth();
    this.healthTimer = setInterval(() => this.refreshHealth(), 5000);
  }

  async refreshHealth() {
    if (!this.me.permissions.includes('cameras:read')) return;
    try {
      const all = await api('/api/v1/cameras/health');
      this.health = new Map(all.map((h) => [h.cameraID, h.state]));
      for (const item of this.list.querySelectorAll('.cam-item')) {
        const state = this.health.get(item.dataset.camera) || 'not_recorded';
        item.querySelector('.dot').className = `dot ${state === 'streaming' ? 'live' : state}`;
      }
    } catch { /* shown elsewhere */ }
  }

  renderList() {
    const query = this.search.value.trim().toLowerCase();
    const matches = this.cameras.filter((c) => !query || c.name.toLowerCase().includes(query) || (c.tags || []).some((t) => t.toLowerCase().includes(query)));
    this.list.replaceChildren(...matches.slice(0, 400).map((camera) => {
      const state = this.health?.get(camera.id);
      const image = el('img', { alt: '', loading: 'lazy', src: camera.sharing === 'live' ? `/api/v1/cameras/${camera.id}/snapshot.jpg` : undefined });
      image.addEventListener('error', () => { image.style.visibility = 'hidden'; });
      return el('div', {
        class: 'cam-item', draggable: 'true', dataset: { camera: camera.id }, title: 'Click to add to the selected tile, or drag onto a tile',
        ondragstart: (event) => event.dataTransfer.setData('text/x-rtcc-camera', camera.id),
        onclick: () => this.assign(this.firstEmptyOrSelected(), camera.id),
      }, image, el('div', { class: 'meta' },
        el('span', { class: 'name' }, el('span', { class: `dot ${state === 'streaming' ? 'live' : state || ''}` }), ' ', camera.name),
        el('span', { class: 'muted small' }, `${camera.kind} · ${camera.sharing}`)));
    }));
  }

  renderLayouts() {
    const names = this.layouts.layouts.map((l) => l.name);
    if (!names.includes('Current')) names.unshift('Current');
    this.layoutSelect.replaceChildren(...names.map((name) => el('option', { value: name }, name)));
    this.layoutSelect.value = this.layouts.current || 'Current';
  }

  use(layout, save = true) {
    this.layoutName = layout.name;
    this.setGrid(GRIDS.includes(layout.grid) ? layout.grid : 4, false);
    layout.tiles.slice(0, this.grid).forEach((id, index) => { if (id && this.byId.has(id)) this.assign(index, id, false); });
    if (save) this.save();
  }

  applyLayout(name) {
    const layout = this.layouts.layouts.find((l) => l.name === name);
    this.parked = [];
    this.clearAll(false);
    this.use(layout || { name, grid: this.grid, tiles: [] }, false);
    this.layouts.current = name;
    this.save();
  }

  setGrid(n, save = true) {
    for (let i = n; i < this.tiles.length; i += 1) {
      if (this.tiles[i].cameraId) this.parked[i] = this.tiles[i].cameraId;
      this.unassign(i, false);
    }
    const before = this.tiles.length;
    this.grid = n;
    this.gridElement.className = `grid g${n}`;
    this.tiles = Array.from({ length: n }, (_, i) => this.tiles[i] || this.makeTile(i));
    this.gridElement.replaceChildren(...this.tiles.map((t) => t.element));
    for (let i = before; i < n; i += 1) {
      const id = this.parked[i];
      if (id && this.byId.has(id) && !this.tiles[i].cameraId) this.assign(i, id, false);
      this.parked[i] = undefined;
    }
    for (const button of this.gridButtons) button.classList.toggle('active', Number(button.dataset.grid) === n);
    this.selected = Math.min(this.selected, n - 1);
    this.select(this.selected);
    if (save) this.save();
  }

  makeTile(index) {
    const video = el('video', { muted: true, playsinline: true, autoplay: true });
    const badge = el('span', { class: 'badge' });
    const name = el('span', { class: 'name' });
    const message = el('div', { class: 'message' });
    const empty = el('div', { class: 'empty' }, 'Drop a camera here');
    const ptzButton = el('button', {
      class: 'ptz-toggle', title: 'Steer this camera (PTZ)', 'aria-label': 'Steer this camera', hidden: true,
      onclick: (e) => { e.stopPropagation(); this.togglePTZ(index); },
    }, icon('ptz'), ' PTZ');
    const actions = el('div', { class: 'actions' }, ptzButton,
      el('button', { title: 'Full screen (F)', 'aria-label': 'Full screen', onclick: (e) => { e.stopPropagation(); this.fullscreen(index); } }, icon('fullscreen')),
      el('button', { title: 'Play back', 'aria-label': 'Play back', onclick: (e) => { e.stopPropagation(); this.openPlayback([this.tiles[index].cameraId]); } }, icon('rewind')),
      el('button', { title: 'Remove (Delete)', 'aria-label': 'Remove', onclick: (e) => { e.stopPropagation(); this.unassign(index); } }, icon('remove')));
    const element = el('div', {
      class: 'tile', dataset: { index, state: 'empty' },
      onclick: () => this.select(index),
      ondblclick: () => this.fullscreen(index),
      ondragover: (event) => { event.preventDefault(); element.classList.add('dragover'); },
      ondragleave: () => element.classList.remove('dragover'),
      ondrop: (event) => {
        event.preventDefault();
        element.classList.remove('dragover');
        const id = event.dataTransfer.getData('text/x-rtcc-camera');
        if (id) this.assign(index, id);
      },
    }, video, empty, badge, message, actions, el('div', { class: 'label' }, name));
    badge.hidden = true;
    return { element, video, badge, name, message, empty, ptzButton, ptz: null, cameraId: null };
  }

  firstEmptyOrSelected() {
    const empty = this.tiles.findIndex((t) => !t.cameraId);
    return empty >= 0 ? empty : this.selected;
  }

  assign(index, cameraId, save = true) {
    const tile = this.tiles[index];
    const camera = this.byId.get(cameraId);
    if (!tile || !camera) return;
    this.unassign(index, false);
    tile.cameraId = cameraId;
    tile.element.dataset.camera = cameraId;
    tile.empty.hidden = true;
    tile.badge.hidden = false;
    tile.name.textContent = camera.name;
    const player = new LivePlayer(tile.video, cameraId, {
      onState: (state, message) => {
        tile.element.dataset.state = state;
        tile.badge.className = `badge ${state}`;
        tile.badge.textContent = state;
        tile.message.textContent = message || '';
        tile.message.classList.toggle('note', state === 'live');
      },
      onLatency: (ms) => this.reportLatency(ms),
    });
    this.players.set(index, player);
    if (this.me.permissions.includes('ptz:control')) {
      canSteer(cameraId).then((steerable) => { if (tile.cameraId === cameraId) tile.ptzButton.hidden = !steerable; });
    }
    if (save) this.save();
  }

  unassign(index, save = true) {
    const tile = this.tiles[index];
    if (!tile) return;
    tile.ptz?.close();
    tile.ptzButton.hidden = true;
    this.players.get(index)?.stop();
    this.players.delete(index);
    tile.cameraId = null;
    delete tile.element.dataset.camera;
    tile.element.dataset.state = 'empty';
    tile.empty.hidden = false;
    tile.badge.hidden = true;
    tile.name.textContent = '';
    tile.message.textContent = '';
    if (save) this.save();
  }

  clearAll(save = true) {
    this.tiles.forEach((_, i) => this.unassign(i, false));
    if (save) this.save();
  }

  /// Enters or leaves PTZ mode on a tile (entering selects it, so that its keys steer).
  togglePTZ(index) {
    const tile = this.tiles[index];
    if (!tile?.cameraId) return;
    if (tile.ptz) { tile.ptz.close(); return; }
    this.select(index);
    tile.ptzButton.classList.add('active');
    tile.ptz = new PTZControl(tile.element, tile.cameraId, {
      onClose: () => { tile.ptz = null; tile.ptzButton.classList.remove('active'); },
    });
    tile.ptz.open();
  }

  select(index) {
    this.selected = index;
    this.tiles.forEach((t, i) => t.element.classList.toggle('selected', i === index));
  }

  fullscreen(index) {
    const element = this.tiles[index]?.element;
    if (!element) return;
    if (document.fullscreenElement) document.exitFullscreen(); else element.requestFullscreen?.().catch(() => {});
  }

  key(event) {
    if (event.target.closest('input, select, textarea, dialog')) return;
    if (this.tiles[this.selected]?.ptz?.keyDown(event)) { event.preventDefault(); return; }
    const number = ['1', '2', '3', '4'].indexOf(event.key);
    if (number >= 0) { this.setGrid(GRIDS[number]); event.preventDefault(); return; }
    const side = Math.sqrt(this.grid);
    const moves = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: side, ArrowUp: -side };
    if (event.key in moves) { this.select((this.selected + moves[event.key] + this.grid) % this.grid); event.preventDefault(); }
    else if (event.key === 'f' || event.key === 'F') this.fullscreen(this.selected);
    else if (event.key === 'Delete' || event.key === 'Backspace') this.unassign(this.selected);
  }

  currentLayout(name = this.layouts.current || 'Current') {
    return { name, grid: this.grid, tiles: this.tiles.map((t) => t.cameraId) };
  }

  save() {
    clearTimeout(this.saveTimer);
    this.saveTimer = setTimeout(() => this.persist(), 400);
  }

  /// Saves the wall as "Current" (what comes back next time); `named` also stores it under a layout's name. Saves run
  /// one after another, each built from what the previous one stored: a debounced save of "Current" that fires while
  /// "Save as…" is being stored must not write back the list without the new layout.
  persist(named) {
    clearTimeout(this.saveTimer);
    const run = () => this.persistNow(named);
    this.persisting = (this.persisting || Promise.resolve()).then(run, run);
    return this.persisting;
  }

  async persistNow(named) {
    const others = this.layouts.layouts.filter((l) => l.name !== 'Current' && l.name !== named?.name);
    const layouts = [...others, this.currentLayout('Current'), ...(named ? [named] : [])];
    const body = { layouts, current: named?.name || this.layouts.current || 'Current' };
    try {
      this.layouts = await api('/api/v1/me/layouts', { method: 'PUT', body });
      this.renderLayouts();
      this.container.dataset.saved = String(Date.now());
    } catch (error) {
      toast(`The layout could not be saved: ${error.message}`);
    }
  }

  async saveAs() {
    const name = prompt('Name of this layout', '');
    if (!name || !name.trim() || name.trim() === 'Current') return;
    await this.persist(this.currentLayout(name.trim()));
    toast(`Layout "${name.trim()}" saved.`, 'success');
  }

  /// Overwrites the selected named layout with the wall as it is ("Current" has no name yet: asks for one).
  async saveNamed() {
    const name = this.layoutSelect.value;
    if (!name || name === 'Current') { await this.saveAs(); return; }
    await this.persist(this.currentLayout(name));
    toast(`Layout "${name}" saved.`, 'success');
  }

  openPlayback(ids = this.tiles.map((t) => t.cameraId).filter(Boolean)) {
    if (ids.length === 0) { toast('Put cameras on the wall first.', 'info'); return; }
    this.navigate(`/playback?cameras=${ids.slice(0, 9).join(',')}`);
  }

  reportLatency(ms) {
    this.latencies = this.latencies || [];
    this.latencies.push(Math.round(ms * 10) / 10);
    if (this.latencies.length >= 60) {
      const latencies = this.latencies;
      this.latencies = [];
      api('/api/v1/telemetry/live', { method: 'POST', body: { latencies } }).catch(() => {});
    }
  }

  destroy() {
    document.removeEventListener('keydown', this.onKey);
    document.removeEventListener('keyup', this.onKeyUp);
    for (const tile of this.tiles) tile.ptz?.close();
    clearInterval(this.healthTimer);
    clearTimeout(this.saveTimer);
    for (const player of this.players.values()) player.stop();
    this.players.clear();
  }
}
