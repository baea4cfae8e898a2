// Steering a PTZ camera from its wall tile: an on-screen pad, presets, the control lock, keys and a drag on the picture.
// Keys while the tile is selected: arrows move while held (one command on press, repeated each second, since the
// server moves for 3 s at most; a stop on release), + and − zoom while held, 1-9 go to the Nth preset, Escape leaves.
// Commands go out one at a time in order; a newer speed replaces one not yet sent. Each is logged with its timings in
// `window.rtccPTZLog` ({key, action, pressedAt, sentAt, answeredAt, status, queued}, performance.now() milliseconds;
// `queued` when it waited for the command before it).
import { api, el, svgIcon } from './api.js';

const KEY_SPEED = 0.5;
const REPEAT_MS = 1000;
const POLL_MS = 2000;
const MOVE_TIMEOUT_S = 3;
const KEYS = {
  ArrowUp: { tilt: 1 }, ArrowDown: { tilt: -1 }, ArrowLeft: { pan: -1 }, ArrowRight: { pan: 1 },
  '+': { zoom: 1 }, '=': { zoom: 1 }, '-': { zoom: -1 }, '_': { zoom: -1 },
};
const PAD = [
  [null, ['up', 'ArrowUp', 'Tilt up'], null],
  [['left', 'ArrowLeft', 'Pan left'], ['home', null, 'Home position'], ['right', 'ArrowRight', 'Pan right']],
  [['zoom-out', '-', 'Zoom out'], ['down', 'ArrowDown', 'Tilt down'], ['zoom-in', '+', 'Zoom in']],
];
/// Pad glyphs as SVG paths (a fresh Debian lacks the symbol fonts).
const GLYPHS = {
  up: 'M6 15l6-6 6 6', down: 'M6 9l6 6 6-6', left: 'M15 6l-6 6 6 6', right: 'M9 6l6 6-6 6',
  home: 'M4 11l8-7 8 7M6 10v9h12v-9', 'zoom-in': 'M5 12h14M12 5v14', 'zoom-out': 'M5 12h14', stop: 'M7 7h10v10H7z',
};

const LINK_CHECK_MS = 60_000;
const linkChecks = new Map();

/// Whether the camera is linked to an ONVIF device that can be steered (asked again after a minute: a camera may be
/// linked or unlinked meanwhile).
export function canSteer(cameraId) {
  const known = linkChecks.get(cameraId);
  if (known && performance.now() - known.at < LINK_CHECK_MS) return known.answer;
  const answer = api(`/api/v1/cameras/${cameraId}/onvif`).then((view) => Boolean(view.link?.ptz), () => false);
  linkChecks.set(cameraId, { answer, at: performance.now() });
  return answer;
}

function glyph(name) {
  return svgIcon(GLYPHS[name], name === 'stop');
}

const clamp = (value) => Math.max(-1, Math.min(1, value));
const round2 = (value) => Math.round(value * 100) / 100;
const isLockConflict = (failure) => failure.status === 409 && failure.problem?.errors?.[0]?.field === 'lock';
const clock = (text) => new Date(text).toLocaleTimeString([], { hour12: false });

function log(entry) {
  window.rtccPTZLog = window.rtccPTZLog || [];
  window.rtccPTZLog.push(entry);
  if (window.rtccPTZLog.length > 500) window.rtccPTZLog.splice(0, window.rtccPTZLog.length - 500);
  return entry;
}

export class PTZControl {
  /// `tile` is the tile's element; `onClose` is called once the control has left.
  constructor(tile, cameraId, { onClose = () => {} } = {}) {
    this.tile = tile;
    this.cameraId = cameraId;
    this.onClose = onClose;
    this.base = `/api/v1/cameras/${cameraId}/ptz`;
    this.held = new Map();
    this.queue = [];
    this.sent = { pan: 0, tilt: 0, zoom: 0 };
    this.presets = [];
    this.lock = undefined;
    this.takeOverFrom = null;
    this.closed = false;
  }

  open() {
    this.build();
    this.tile.append(this.element);
    this.tile.classList.add('steering');
    this.onBlur = () => this.releaseAll();
    window.addEventListener('blur', this.onBlur);
    this.take(false);
    this.poll = setInterval(() => this.refresh(), POLL_MS);
  }

  /// Leaves PTZ mode: stops the camera if it moves, then gives the lock back.
  close() {
    if (this.closed) return;
    this.closed = true;
    const moving = this.held.size > 0 || this.sent.pan || this.sent.tilt || this.sent.zoom;
    this.held.clear();
    clearInterval(this.repeat);
    clearInterval(this.poll);
    window.removeEventListener('blur', this.onBlur);
    if (moving) this.command('leave', { mode: 'stop' }, { replaceable: true });
    this.whenSent().then(() => api(`${this.base}/lock`, { method: 'DELETE' }).catch(() => {}));
    this.element.remove();
    this.tile.classList.remove('steering');
    this.onClose();
  }

  // MARK: Building

  build() {
    this.lockText = el('span', { class: 'ptz-lock' }, 'Asking for control…');
    this.takeButton = el('button', { type: 'button', class: 'ptz-take', hidden: true, onclick: (e) => { e.stopPropagation(); this.take(Boolean(this.takeOverFrom)); } });
    this.message = el('div', { class: 'ptz-message', role: 'status' });
    this.position = el('div', { class: 'ptz-position' });
    this.presetList = el('ol', { class: 'ptz-presets' });
    this.presetName = el('input', { class: 'ptz-preset-name', placeholder: 'Preset name', maxlength: '64', 'aria-label': 'Name of the new preset' });
    this.trail = el('div', { class: 'ptz-trail', hidden: true });
    const pad = el('div', { class: 'ptz-pad' }, PAD.flat().map((cell) => cell ? this.padButton(...cell) : el('span')));
    const stop = el('button', { type: 'button', class: 'ptz-stop', title: 'Stop', 'aria-label': 'Stop', onclick: () => this.stopAll('stop button') }, glyph('stop'), ' Stop');
    this.dragArea = el('div', { class: 'ptz-drag', title: 'Drag to steer: the farther, the faster' }, this.trail);
    this.dragArea.addEventListener('pointerdown', (event) => this.dragStart(event));
    this.dragArea.addEventListener('dblclick', (event) => event.stopPropagation());
    this.element = el('div', { class: 'ptz-overlay', dataset: { camera: this.cameraId } },
      this.dragArea,
      el('div', { class: 'ptz-bar' }, this.lockText, this.takeButton, el('span', { class: 'spacer' }),
        el('button', { type: 'button', class: 'ptz-close', title: 'Leave PTZ mode (Escape)', onclick: (e) => { e.stopPropagation(); this.close(); } }, 'Done')),
      el('div', { class: 'ptz-panel', ondblclick: (e) => e.stopPropagation() },
        pad, stop, this.position,
        el('div', { class: 'ptz-presets-head' }, 'Presets'), this.presetList,
        el('form', { class: 'ptz-preset-form', onsubmit: (e) => { e.preventDefault(); this.savePreset(); } },
          this.presetName, el('button', { type: 'submit', class: 'ptz-preset-save', title: 'Store where the camera points now' }, 'Save current'))),
      this.message,
      el('div', { class: 'ptz-help small' }, 'Arrows or drag: move · +/−: zoom · 1-9: preset · Esc: done'));
  }

  padButton(name, key, title) {
    if (name === 'home') {
      return el('button', { type: 'button', class: 'ptz-home', title, 'aria-label': title, onclick: () => this.command('home button', { mode: 'home' }) }, glyph('home'));
    }
    const button = el('button', { type: 'button', class: `ptz-${name}`, title, 'aria-label': title, dataset: { key } }, glyph(name));
    const source = `pad:${name}`;
    button.addEventListener('pointerdown', (event) => { event.preventDefault(); button.setPointerCapture?.(event.pointerId); this.press(source, KEYS[key], source); });
    for (const type of ['pointerup', 'pointercancel', 'lostpointercapture']) button.addEventListener(type, () => this.release(source, source));
    return button;
  }

  // MARK: Keys

  /// Handles a key press while this tile is selected; true when the key was PTZ's.
  keyDown(event) {
    if (this.closed || event.ctrlKey || event.metaKey || event.altKey) return false;
    const pressedAt = performance.now();
    if (event.key === 'Escape') { this.close(); return true; }
    if (event.key in KEYS) {
      // A held key repeats: the first press moves and the repeat timer keeps it moving.
      if (!event.repeat && !this.held.has(event.key)) this.press(event.key, KEYS[event.key], event.key, pressedAt);
      return true;
    }
    if (/^[1-9]$/.test(event.key)) {
      if (!event.repeat) {
        const preset = this.presets[Number(event.key) - 1];
        if (preset) this.gotoPreset(preset, event.key, pressedAt);
        else this.say(`No preset ${event.key}.`);
      }
      return true;
    }
    return false;
  }

  keyUp(event) {
    if (!this.closed && this.held.has(event.key)) this.release(event.key, event.key, performance.now());
  }

  // MARK: Moving

  /// Starts (or changes) a continuous move for as long as `source` is held.
  press(source, direction, key, pressedAt = performance.now()) {
    this.held.set(source, direction);
    this.sendVelocity(key, pressedAt);
    clearInterval(this.repeat);
    this.repeat = setInterval(() => this.sendVelocity('repeat', null), REPEAT_MS);
  }

  release(source, key, pressedAt = performance.now()) {
    if (!this.held.delete(source)) return;
    if (this.held.size) { this.sendVelocity(key, pressedAt); return; }
    clearInterval(this.repeat);
    this.command(key, { mode: 'stop' }, { replaceable: true, pressedAt });
  }

  releaseAll() {
    if (!this.held.size) return;
    this.held.clear();
    clearInterval(this.repeat);
    this.command('release', { mode: 'stop' }, { replaceable: true });
  }

  stopAll(key) {
    this.held.clear();
    clearInterval(this.repeat);
    this.command(key, { mode: 'stop' }, { replaceable: true });
  }

  /// The sum of what is held, at key speed for keys and pad buttons and as dragged for a drag.
  velocity() {
    const sum = { pan: 0, tilt: 0, zoom: 0 };
    for (const [source, direction] of this.held) {
      const speed = source === 'drag' ? 1 : KEY_SPEED;
      for (const axis of Object.keys(sum)) sum[axis] += (direction[axis] || 0) * speed;
    }
    return { pan: round2(clamp(sum.pan)), tilt: round2(clamp(sum.tilt)), zoom: round2(clamp(sum.zoom)) };
  }

  sendVelocity(key, pressedAt) {
    const v = this.velocity();
    if (!v.pan && !v.tilt && !v.zoom) { this.command(key, { mode: 'stop' }, { replaceable: true, pressedAt }); return; }
    this.command(key, { mode: 'continuous', ...v, timeoutSeconds: MOVE_TIMEOUT_S }, { replaceable: true, pressedAt });
  }

  // MARK: Drag on the picture

  dragStart(event) {
    if (event.button !== 0 || this.closed) return;
    event.preventDefault();
    event.stopPropagation();
    const area = this.dragArea, box = area.getBoundingClientRect();
    area.setPointerCapture?.(event.pointerId);
    const start = { x: event.clientX, y: event.clientY };
    const move = (e) => {
      const dx = e.clientX - start.x, dy = e.clientY - start.y;
      this.drawTrail(start.x - box.left, start.y - box.top, dx, dy);
      const direction = { pan: round2(clamp(dx / (box.width / 2))), tilt: round2(clamp(-dy / (box.height / 2))) };
      const before = this.held.get('drag');
      // Small changes are not worth a command: the camera's speed changes in steps of 0.05.
      if (before && Math.abs(before.pan - direction.pan) < 0.05 && Math.abs(before.tilt - direction.tilt) < 0.05) return;
      if (!before && Math.hypot(dx, dy) < 4) return;
      this.press('drag', direction, 'drag');
    };
    const end = () => {
      area.removeEventListener('pointermove', move);
      area.removeEventListener('pointerup', end);
      area.removeEventListener('pointercancel', end);
      this.trail.hidden = true;
      this.release('drag', 'drag');
    };
    area.addEventListener('pointermove', move);
    area.addEventListener('pointerup', end);
    area.addEventListener('pointercancel', end);
  }

  drawTrail(x, y, dx, dy) {
    const length = Math.hypot(dx, dy);
    Object.assign(this.trail.style, { left: `${x}px`, top: `${y}px`, width: `${length}px`, transform: `rotate(${Math.atan2(dy, dx)}rad)` });
    this.trail.hidden = length < 4;
  }

  // MARK: Commands

  /// Queues a move (`body` of /ptz/move); `replaceable` commands not yet sent give way to a newer one.
  command(key, body, { replaceable = false, pressedAt = null } = {}) {
    const entry = log({ key, action: body.mode, ...body, pressedAt, sentAt: null, answeredAt: null, status: null, queued: false });
    return this.enqueue({ path: `${this.base}/move`, body, entry, replaceable, after: () => { this.sent = body.mode === 'continuous' ? body : { pan: 0, tilt: 0, zoom: 0 }; } });
  }

  gotoPreset(preset, key, pressedAt = performance.now()) {
    this.held.clear();
    clearInterval(this.repeat);
    const entry = log({ key, action: 'goto', preset: preset.token, pressedAt, sentAt: null, answeredAt: null, status: null, queued: false });
    this.say(`Going to ${preset.name}…`, 'info');
    const after = () => { this.sent = { pan: 0, tilt: 0, zoom: 0 }; this.say(`Sent to preset ${preset.name}.`, 'info'); };
    return this.enqueue({ path: `${this.base}/goto`, body: { preset: preset.token }, entry, after });
  }

  enqueue(item) {
    if (item.replaceable) {
      for (const dropped of this.queue.filter((queued) => queued.replaceable)) dropped.entry.status = 'replaced';
      this.queue = this.queue.filter((queued) => !queued.replaceable);
    }
    item.entry.queued = Boolean(this.sending);
    this.queue.push(item);
    return this.pump();
  }

  async pump() {
    if (this.sending) return this.sending;
    this.sending = (async () => {
      while (this.queue.length) {
        const item = this.queue.shift();
        item.entry.sentAt = performance.now();
        try {
          await api(item.path, { method: 'POST', body: item.body });
          item.entry.status = 204;
          item.after?.();
          // A command takes a free or lapsed lock: the overlay shows it at once rather than at the next poll.
          if (!this.lock?.yours) this.refresh();
        } catch (failure) {
          item.entry.status = failure.status || 0;
          this.failed(failure);
        }
        item.entry.answeredAt = performance.now();
      }
      this.sending = null;
    })();
    return this.sending;
  }

  whenSent() { return this.sending || Promise.resolve(); }

  failed(failure) {
    if (isLockConflict(failure)) {
      // Someone else steers: what is held no longer moves anything until it is pressed again.
      this.held.clear();
      clearInterval(this.repeat);
      this.heldBy(failure, 'the camera did not move');
      return;
    }
    this.say(failure.status === 502 ? `The camera did not do it: ${failure.message}` : `Refused: ${failure.message}`);
  }

  /// Shows who holds the lock (from a 409), and whether this user may take it over.
  heldBy(failure, outcome) {
    const allowed = failure.problem.errors[0].reason === 'held; take over allowed';
    const holder = /^(\S+) \(/.exec(failure.problem.detail || '')?.[1] || 'someone else';
    this.takeOverFrom = allowed ? holder : null;
    this.say(`Steered by ${holder}: ${outcome}.${allowed ? ' Your role may take over.' : ''}`);
    this.refresh();
  }

  // MARK: Lock, status and presets

  /// Takes the control lock (taking it over from a lower role when `takeOver`).
  async take(takeOver) {
    try {
      this.lock = await api(`${this.base}/lock`, { method: 'PUT', body: { takeOver } });
      this.takeOverFrom = null;
      this.say(takeOver ? 'You took over this camera.' : '', 'info');
    } catch (failure) {
      if (isLockConflict(failure)) this.heldBy(failure, 'you may watch, not steer');
      else this.say(`Control could not be taken: ${failure.message}`);
    }
    this.renderLock();
    await this.refresh();
  }

  async refresh() {
    if (this.closed || this.refreshing) return;
    this.refreshing = true;
    try {
      const status = await api(this.base);
      if (this.closed) return;
      this.lock = status.lock ?? null;
      this.presets = status.presets || [];
      const p = status.status?.position || {};
      const axis = (name, value) => el('span', {}, name, el('b', {}, value === undefined || value === null ? '—' : value.toFixed(2)));
      this.position.replaceChildren(axis('Pan', p.pan), axis('Tilt', p.tilt), axis('Zoom', p.zoom));
      this.position.title = status.status?.moving ? `Pan/tilt: ${status.status.moving.toLowerCase()}` : '';
      Object.assign(this.position.dataset, { pan: p.pan ?? '', tilt: p.tilt ?? '', zoom: p.zoom ?? '' });
      this.renderLock();
      this.renderPresets();
    } catch (failure) {
      if (!this.closed) this.say(`The camera's position could not be read: ${failure.message}`);
    } finally {
      this.refreshing = false;
    }
  }

  renderLock() {
    const lock = this.lock;
    this.element.classList.toggle('ours', Boolean(lock?.yours));
    this.element.classList.toggle('theirs', Boolean(lock && !lock.yours));
    if (lock === undefined) return;
    if (!lock) {
      this.lockText.textContent = 'Nobody steers this camera';
      this.takeButton.textContent = 'Take control';
      this.takeButton.hidden = false;
      this.takeOverFrom = null;
    } else if (lock.yours) {
      this.lockText.textContent = 'You steer this camera';
      this.takeButton.hidden = true;
    } else {
      this.lockText.textContent = `Steered by ${lock.username} (${lock.role}) until ${clock(lock.expiresAt)}`;
      if (this.takeOverFrom && this.takeOverFrom !== lock.username) this.takeOverFrom = null;
      this.takeButton.textContent = 'Take over';
      this.takeButton.hidden = !this.takeOverFrom;
    }
    this.element.dataset.lock = !lock ? 'free' : lock.yours ? 'yours' : 'held';
  }

  renderPresets() {
    const shown = this.presets.map((p) => `${p.token}:${p.name}`).join('|');
    if (shown === this.shownPresets) return;
    this.shownPresets = shown;
    this.presetList.replaceChildren(...this.presets.map((preset, index) => el('li', { dataset: { token: preset.token, name: preset.name } },
      el('span', { class: 'ptz-key', title: index < 9 ? `Key ${index + 1}` : '' }, index < 9 ? String(index + 1) : ''),
      el('span', { class: 'ptz-preset-label' }, preset.name),
      el('button', { type: 'button', class: 'ptz-goto', onclick: () => this.gotoPreset(preset, null) }, 'Go to'))));
    if (!this.presets.length) this.presetList.append(el('li', { class: 'muted' }, 'No presets yet.'));
  }

  async savePreset() {
    const name = this.presetName.value.trim();
    if (!name) { this.say('Name the preset first.'); this.presetName.focus(); return; }
    await this.whenSent();
    try {
      const stored = await api(`${this.base}/presets`, { method: 'POST', body: { name } });
      this.presetName.value = '';
      this.presetName.blur();
      this.say(`Preset "${stored.name}" saved.`, 'info');
      await this.refresh();
    } catch (failure) {
      if (isLockConflict(failure)) this.heldBy(failure, 'the preset was not saved');
      else this.say(`The preset was not saved: ${failure.message}`);
    }
  }

  say(text, kind = 'error') {
    this.message.textContent = text;
    this.message.className = `ptz-message ${kind}`;
    this.message.hidden = !text;
  }
}
