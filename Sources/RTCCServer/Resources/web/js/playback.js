// Recorded playback: up to 9 cameras in step on one wall-clock timeline, with recorded ranges, gaps and holds,
// click or drag to seek, 0.5–16× speed, frame steps and jump to a typed time. Opening playback asks for a
// purpose and case number once per case (written to the audit log by the server).
import { api, el, toast, allCameras, formatWallClock } from './api.js';
import { PlaybackPlayer } from './playback-player.js';

const RATES = [0.5, 1, 2, 4, 8, 16];
const SPANS = { '15 min': 15 * 60e3, '1 h': 3600e3, '6 h': 6 * 3600e3, '24 h': 24 * 3600e3 };
/// How often the players are kept together, milliseconds.
const SYNC_EVERY_MS = 200;
let view = null;

export async function enter(container, { params, navigate }) {
  view = new Playback(container, params, navigate);
  await view.start();
}

export function leave() {
  view?.destroy();
  view = null;
}

class Playback {
  constructor(container, params, navigate) {
    this.container = container;
    this.params = params;
    this.navigate = navigate;
    this.players = [];
    this.span = SPANS['1 h'];
    window.rtccPlayback = this;
  }

  async start() {
    this.cameras = await allCameras().catch((error) => { toast(error.message); return []; });
    this.byId = new Map(this.cameras.map((c) => [c.id, c]));
    const wanted = (this.params.get('cameras') || '').split(',').filter(Boolean);
    const unknown = wanted.filter((id) => !this.byId.has(id));
    if (unknown.length) toast(`Unknown camera${unknown.length > 1 ? 's' : ''} (or not yours to see): ${unknown.join(', ')}`);
    const ids = wanted.filter((id) => this.byId.has(id)).slice(0, 9);
    if (ids.length === 0) { this.picker(); return; }
    this.ids = ids;
    const at = this.params.get('at') ? Date.parse(this.params.get('at')) : Date.now() - 60e3;
    if (Number.isNaN(at)) { toast('The time in the address is not a valid time.'); return; }
    const session = await this.openSession(ids);
    if (!session) { this.picker(); return; }
    this.session = session;
    this.build();
    this.windowEnd = this.windowEndAround(at);
    await this.loadTimeline();
    await this.seek(at);
    this.syncTimer = setInterval(() => this.sync(), SYNC_EVERY_MS);
    this.clockTimer = setInterval(() => this.showTime(), 100);
  }

  picker() {
    const recorded = this.cameras.filter((c) => c.sharing === 'live' || c.sharing === 'alarm_only');
    const boxes = recorded.map((camera) => {
      const words = [camera.name, camera.kind, camera.sharing, ...(camera.tags || [])].join(' ').toLowerCase();
      return el('label', { class: 'cam-item', dataset: { camera: camera.id, words } }, el('input', { type: 'checkbox', value: camera.id }),
        el('span', {}, camera.name), el('span', { class: 'muted small' }, ` ${camera.kind} · ${camera.sharing.replace('_', ' ')}`));
    });
    const count = el('span', { class: 'muted small', id: 'picker-count' });
    const search = el('input', {
      id: 'picker-search', type: 'search', placeholder: 'Search by name, street, kind or tier', 'aria-label': 'Search cameras',
      oninput: () => {
        const terms = search.value.toLowerCase().split(/\s+/).filter(Boolean);
        let shown = 0;
        for (const box of boxes) {
          const match = terms.every((term) => box.dataset.words.includes(term));
          box.hidden = !match && !box.querySelector('input').checked;
          if (!box.hidden) shown += 1;
        }
        count.textContent = `${shown} of ${boxes.length} cameras`;
      },
    });
    search.dispatchEvent(new Event('input'));
    const form = el('form', { class: 'placeholder', onsubmit: (event) => {
      event.preventDefault();
      const chosen = boxes.map((b) => b.querySelector('input')).filter((i) => i.checked).map((i) => i.value).slice(0, 9);
      if (chosen.length) this.navigate(`/playback?cameras=${chosen.join(',')}`);
    } }, el('h2', {}, 'Play back recordings'), el('p', { class: 'muted' }, 'Choose up to 9 cameras to play in step; checked cameras stay listed.'),
    el('div', { class: 'map-row' }, search, count),
    el('div', { class: 'cam-list', id: 'picker-list' }, boxes), el('button', { type: 'submit', id: 'picker-go' }, 'Play back'));
    this.container.replaceChildren(form);
    search.focus();
  }

  /// A playback session for these cameras. The purpose is asked once per case: again when the address names another
  /// case, or when cameras outside the last answer's are opened (the dialog then offers the last answer to confirm).
  async openSession(ids) {
    const remembered = JSON.parse(sessionStorage.getItem('rtcc.playback.purpose') || 'null');
    const askedCase = this.params.get('case');
    const sameCase = remembered && (askedCase === null || askedCase === remembered.caseNumber);
    const sameCameras = remembered && Array.isArray(remembered.cameras) && ids.every((id) => remembered.cameras.includes(id));
    let answer = sameCase && sameCameras ? remembered : null;
    if (!answer) {
      const offered = askedCase !== null && !sameCase ? { caseNumber: askedCase, purpose: '' } : remembered;
      answer = await this.askPurpose(offered);
    }
    if (!answer) return null;
    try {
      const session = await api('/api/v1/playback', { method: 'POST', body: { cameraIDs: ids, purpose: answer.purpose, caseNumber: answer.caseNumber || null } });
      const cameras = sameCase && Array.isArray(remembered?.cameras) && answer.caseNumber === remembered.caseNumber ? [...new Set([...remembered.cameras, ...ids])] : ids;
      sessionStorage.setItem('rtcc.playback.purpose', JSON.stringify({ caseNumber: answer.caseNumber, purpose: answer.purpose, cameras }));
      return session;
    } catch (error) {
      toast(`Playback was refused: ${error.message}`);
      sessionStorage.removeItem('rtcc.playback.purpose');
      return null;
    }
  }

  askPurpose(offered = null) {
    return new Promise((resolve) => {
      const caseInput = el('input', { id: 'purpose-case', placeholder: 'e.g. 26-014523', maxlength: 64, value: offered?.caseNumber || '' });
      const purposeInput = el('input', {
        id: 'purpose-text', required: true, minlength: 3, maxlength: 300, placeholder: 'Why you are viewing this footage', value: offered?.purpose || '' });
      const dialog = el('dialog', { id: 'purpose-dialog' }, el('form', { method: 'dialog' },
        el('h3', {}, 'Purpose of viewing'),
        el('p', { class: 'muted small' }, offered?.purpose
          ? 'These cameras were not opened under this case yet: confirm the case and purpose, or change them. Recorded in the audit log.'
          : 'Recorded in the audit log. Asked once per case.'),
        el('label', {}, 'Case or report number', caseInput), el('label', {}, 'Purpose', purposeInput),
        el('div', { class: 'controls' }, el('button', { value: 'cancel', formnovalidate: true }, 'Cancel'), el('button', { value: 'ok', class: 'primary', id: 'purpose-ok' }, 'Start playback'))));
      dialog.addEventListener('close', () => {
        const ok = dialog.returnValue === 'ok' && purposeInput.value.trim().length >= 3;
        dialog.remove();
        resolve(ok ? { caseNumber: caseInput.value.trim(), purpose: purposeInput.value.trim() } : null);
      });
      document.body.append(dialog);
      dialog.showModal();
    });
  }

  build() {
    const n = this.ids.length;
    const grid = n === 1 ? 1 : n <= 4 ? 4 : 9;
    this.walltime = el('span', { class: 'walltime', id: 'playback-time' });
    this.playButton = el('button', { id: 'playback-play', onclick: () => this.togglePlay(), title: 'Play / pause (space)' }, '▶');
    this.rateSelect = el('select', { id: 'playback-rate', 'aria-label': 'Speed', onchange: () => this.setRate(Number(this.rateSelect.value)) },
      RATES.map((r) => el('option', { value: r, selected: r === 1 }, `${r}×`)));
    this.jumpInput = el('input', { id: 'playback-jump', type: 'datetime-local', step: '1', 'aria-label': 'Jump to time' });
    this.info = el('span', { class: 'muted', id: 'playback-info' });
    this.spanButtons = Object.keys(SPANS).map((label) => el('button', { onclick: () => this.setSpan(SPANS[label]), class: SPANS[label] === this.span ? 'active' : '' }, label));
    this.grid = el('div', { class: `grid g${grid}`, id: 'playback-grid' });
    this.timeline = el('div', { class: 'timeline', id: 'timeline' });
    this.timeline.style.height = `${Math.max(40, n * 14 + 20)}px`;
    this.container.append(el('section', { class: 'content' },
      el('div', { class: 'toolbar' },
        el('button', { onclick: () => this.navigate('/wall') }, '← Wall'), this.walltime,
        el('button', { onclick: () => this.jumpBy(-10e3), title: 'Back 10 s' }, '−10 s'),
        el('button', { onclick: () => this.step(-1), title: 'Previous frame (,)' }, '◀|'), this.playButton,
        el('button', { onclick: () => this.step(1), title: 'Next frame (.)' }, '|▶'),
        el('button', { onclick: () => this.jumpBy(10e3), title: 'Forward 10 s' }, '+10 s'), this.rateSelect,
        this.jumpInput, el('button', { id: 'playback-go', onclick: () => this.jumpToInput() }, 'Go'),
        el('span', { class: 'muted' }, ' Span'), ...this.spanButtons,
        el('button', { id: 'playback-export', onclick: () => this.exportClip(), title: 'Export these cameras around this time as evidence' }, 'Export clip…'), this.info),
      el('div', { class: 'toolbar muted small', id: 'playback-case' },
        el('span', {}, this.session.caseNumber ? `Case ${this.session.caseNumber}` : 'No case number'),
        el('span', {}, ` · Purpose: ${this.session.purpose}`),
        el('button', { id: 'purpose-change', onclick: () => this.changePurpose() }, 'Change case or purpose…')),
      this.grid, this.timeline));
    this.origin = null;
    this.makePlayers(Date.now());
    this.timeline.addEventListener('pointerdown', (event) => this.scrubStart(event));
    this.onKey = (event) => {
      if (event.target.closest('input, select, textarea, dialog')) return;
      if (event.key === ' ') { event.preventDefault(); this.togglePlay(); } else if (event.key === ',') this.step(-1); else if (event.key === '.') this.step(1);
    };
    document.addEventListener('keydown', this.onKey);
  }

  /// Asks for a new case or purpose and reopens these cameras under it (a new session, a new audit entry).
  async changePurpose() {
    const answer = await this.askPurpose({ caseNumber: this.session.caseNumber || '', purpose: this.session.purpose });
    if (!answer) return;
    sessionStorage.setItem('rtcc.playback.purpose', JSON.stringify({ ...answer, cameras: this.ids }));
    const params = new URLSearchParams(location.search);
    if (answer.caseNumber) params.set('case', answer.caseNumber); else params.delete('case');
    params.set('at', new Date(this.wallClock()).toISOString());
    location.assign(`${location.pathname}?${params}`);
  }

  makePlayers(aroundMs) {
    for (const player of this.players) player.close();
    this.origin = aroundMs - 12 * 3600e3;
    this.grid.replaceChildren();
    this.players = this.ids.map((id) => {
      const video = el('video', { muted: true, playsinline: true });
      const message = el('div', { class: 'message' });
      const tile = el('div', { class: 'tile', dataset: { camera: id } }, video, message, el('div', { class: 'label' }, el('span', { class: 'name' }, this.byId.get(id)?.name || id)));
      this.grid.append(tile);
      const player = new PlaybackPlayer(video, id, this.session.id, this.origin, { onInfo: (text) => { message.textContent = text; } });
      player.tile = tile;
      return player;
    });
  }

  get master() { return this.players.find((p) => p.video.buffered.length && p.bufferedRange(p.video.currentTime)) || this.players[0]; }

  /// The wall-clock time shown, milliseconds.
  wallClock() { return this.master?.wallClock; }

  async seek(wallMs) {
    if (wallMs < this.origin + 60e3 || wallMs > this.origin + 36 * 3600e3) this.makePlayers(wallMs);
    const playing = this.playing;
    this.heldSince = undefined;
    for (const player of this.players) player.video.pause();
    await Promise.all(this.players.map((p) => p.seek(wallMs)));
    this.target = wallMs;
    if (wallMs > this.windowEnd || wallMs < this.windowEnd - this.span) { this.windowEnd = this.windowEndAround(wallMs); await this.loadTimeline(); }
    this.container.dataset.seekedTo = String(wallMs);
    if (playing !== false) this.play(); else this.drawCursor();
  }

  play() {
    this.playing = true;
    this.playButton.textContent = '❚❚';
    for (const player of this.players) player.video.play().catch(() => {});
  }

  pause() {
    this.playing = false;
    this.heldSince = undefined;
    this.playButton.textContent = '▶';
    for (const player of this.players) player.video.pause();
    const master = this.master;
    for (const player of this.players) if (player !== master && player.bufferedRange(master.video.currentTime)) player.video.currentTime = master.video.currentTime;
  }

  togglePlay() { if (this.playing) this.pause(); else this.play(); }

  setRate(rate) {
    this.rate = rate;
    for (const player of this.players) player.video.playbackRate = rate;
  }

  step(frames) {
    this.pause();
    const master = this.master;
    master.step(frames);
    for (const player of this.players) if (player !== master) player.video.currentTime = master.video.currentTime;
  }

  jumpBy(ms) { this.seek((this.wallClock() || Date.now()) + ms); }

  jumpToInput() {
    const value = this.jumpInput.value;
    const ms = value ? new Date(value).getTime() : NaN;
    if (Number.isNaN(ms)) { toast('Type a date and time to jump to.'); return; }
    if (ms > Date.now()) { toast('That time is in the future.'); return; }
    this.seek(ms);
  }

  /// Opens the evidence screen with these cameras and 30 s either side of the time shown, for the same case.
  exportClip() {
    const wall = this.wallClock() || Date.now();
    const remembered = JSON.parse(sessionStorage.getItem('rtcc.playback.purpose') || '{}');
    const query = new URLSearchParams({ export: '1', cameras: this.ids.join(','), from: new Date(wall - 30e3).toISOString(),
      until: new Date(wall + 30e3).toISOString(), caseNumber: remembered.caseNumber || '', purpose: remembered.purpose || '' });
    this.navigate(`/evidence?${query}`);
  }

  /// Keeps every player within a fraction of a second of the one in charge. A camera about to run out of pictures
  /// that are still coming holds the whole group on the same moment (as a synchronised recorder does) instead of
  /// falling behind; after 8 s of holding back others that have pictures to play it is let go and they play on.
  sync() {
    if (this.resuming) return;
    if (this.playing && this.holdForStarving()) return;
    const master = this.master;
    if (!master || master.video.seeking) return;
    const t = master.video.currentTime;
    for (const player of this.players) {
      if (player === master || player.video.seeking) continue;
      const video = player.video;
      if (!player.bufferedRange(t)) { player.tile.classList.add('gap'); continue; }
      player.tile.classList.remove('gap');
      const drift = video.currentTime - t;
      // Each player stays within 80 ms of the one in charge, so any two stay within 160 ms of each other: small
      // drifts are closed by playing 5 % faster or slower, larger ones by a seek.
      if (Math.abs(drift) > 0.08) video.currentTime = t;
      else video.playbackRate = (this.rate || 1) * (drift > 0.02 ? 0.95 : drift < -0.02 ? 1.05 : 1);
      if (this.playing && video.paused) video.play().catch(() => {});
    }
  }

  /// Pauses every player while one waits for pictures, each at the time of the earliest waiting one; true while held.
  holdForStarving() {
    const waiting = this.players.filter((p) => p.starving(SYNC_EVERY_MS));
    for (const player of this.players) player.tile.classList.toggle('loading', waiting.includes(player));
    if (waiting.length === 0) {
      if (this.heldSince !== undefined) {
        this.heldSince = undefined;
        delete this.container.dataset.waitingFor;
        this.resumeTogether();
      }
      return false;
    }
    const now = performance.now();
    if (this.heldSince === undefined) {
      this.heldSince = now;
      // At the earliest waiting camera's moment; one that holds no pictures yet is not at any moment, so then where
      // the others are.
      const at = this.earliestMoment(waiting) ?? this.earliestMoment(this.players);
      for (const player of this.players) {
        player.video.pause();
        if (at !== undefined && !waiting.includes(player) && player.bufferedRange(at)) player.video.currentTime = at;
      }
      this.container.dataset.waitingFor = waiting.map((p) => p.cameraId).join(',');
    } else if (!this.players.some((p) => !waiting.includes(p) && p.onItsPictures() && p.lastBufferedEnd() - p.video.currentTime > 0.5)) {
      // No one could play on (at the present every camera waits for its newest pictures): the group waits as one,
      // however long, and the 8 s count from when someone could.
      this.heldSince = now;
    } else if (now - this.heldSince > 8000) {
      for (const player of waiting) player.releasedAt = player.lastBufferedEnd();
      toast(`Playing on without ${waiting.map((p) => this.byId.get(p.cameraId)?.name || p.cameraId).join(', ')}: no pictures arrived for 8 s.`);
      return this.holdForStarving();
    }
    return true;
  }

  /// The cameras that waited stopped at their own moments: all move to the earliest of them, and only when every one
  /// has got there do they start, so that none starts a seek's length ahead of the others.
  async resumeTogether() {
    this.resuming = true;
    try {
      const at = this.earliestMoment(this.players);
      for (const player of this.players) if (at !== undefined && player.video.currentTime !== at && player.bufferedRange(at)) player.video.currentTime = at;
      await Promise.all(this.players.map((p) => p.seeked()));
      if (this.playing) for (const player of this.players) player.video.play().catch(() => {});
    } finally {
      this.resuming = false;
    }
  }

  /// The earliest play head of `players` that lies on its pictures (undefined when none does), media seconds.
  earliestMoment(players) {
    const placed = players.filter((p) => p.onItsPictures());
    return placed.length ? Math.min(...placed.map((p) => p.video.currentTime)) : undefined;
  }

  showTime() {
    const wall = this.wallClock();
    if (!wall) return;
    this.walltime.textContent = `${formatWallClock(wall)}  (${formatWallClock(wall, { utc: true })})`;
    this.drawCursor();
  }

  setSpan(span) {
    this.span = span;
    Object.keys(SPANS).forEach((label, i) => this.spanButtons[i].classList.toggle('active', SPANS[label] === span));
    const wall = this.wallClock() || Date.now();
    this.windowEnd = this.windowEndAround(wall);
    this.loadTimeline();
  }

  /// The end of a timeline window that shows `wallMs`, centred on it but never reaching far into the future.
  windowEndAround(wallMs) { return Math.max(wallMs + this.span * 0.02, Math.min(Date.now() + this.span * 0.02, wallMs + this.span / 2)); }

  async loadTimeline() {
    const until = this.windowEnd, from = until - this.span;
    const query = `from=${new Date(from).toISOString()}&until=${new Date(until).toISOString()}`;
    const results = await Promise.all(this.ids.map(async (id) => {
      try {
        const [coverage, holds] = await Promise.all([
          api(`/api/v1/cameras/${id}/recordings?${query}`, { headers: { 'X-RTCC-Purpose': this.session.purpose } }),
          api(`/api/v1/holds?cameraID=${id}`).catch(() => []),
        ]);
        return { id, coverage, holds };
      } catch (error) { return { id, error }; }
    }));
    this.timelineData = { from, until, results };
    this.drawTimeline();
  }

  x(ms) { const { from, until } = this.timelineData; return ((ms - from) / (until - from)) * 100; }

  drawTimeline() {
    const { from, until, results } = this.timelineData;
    const parts = [];
    results.forEach((result, lane) => {
      const top = 4 + lane * 14;
      const laneElement = el('div', { class: 'lane', style: `top:${top}px`, title: this.byId.get(result.id)?.name || '' });
      for (const range of result.coverage?.recorded || []) {
        const a = Math.max(from, Date.parse(range.from)), b = Math.min(until, Date.parse(range.until));
        if (b > a) laneElement.append(el('div', { class: 'rec', style: `left:${this.x(a)}%;width:${Math.max(0.1, this.x(b) - this.x(a))}%` }));
      }
      for (const hold of result.holds || []) {
        const a = Math.max(from, Date.parse(hold.from)), b = Math.min(until, Date.parse(hold.until));
        if (b > a) laneElement.append(el('div', { class: 'hold', style: `left:${this.x(a)}%;width:${this.x(b) - this.x(a)}%`, title: `Hold: ${hold.reason}` }));
      }
      parts.push(laneElement);
    });
    const step = this.span <= 15 * 60e3 ? 60e3 : this.span <= 3600e3 ? 5 * 60e3 : this.span <= 6 * 3600e3 ? 30 * 60e3 : 2 * 3600e3;
    for (let t = Math.ceil(from / step) * step; t < until; t += step) {
      const d = new Date(t);
      parts.push(el('span', { class: 'tick', style: `left:${this.x(t)}%` }, `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`));
    }
    this.cursor = el('div', { class: 'cursor' });
    parts.push(this.cursor);
    this.timeline.replaceChildren(...parts);
    this.drawCursor();
  }

  drawCursor() {
    const wall = this.wallClock();
    if (!this.cursor || !wall || !this.timelineData) return;
    this.cursor.style.left = `${Math.min(100, Math.max(0, this.x(wall)))}%`;
  }

  scrubStart(event) {
    const rect = this.timeline.getBoundingClientRect();
    const at = (clientX) => this.timelineData.from + ((clientX - rect.left) / rect.width) * (this.timelineData.until - this.timelineData.from);
    const move = (e) => { this.cursor.style.left = `${((e.clientX - rect.left) / rect.width) * 100}%`; };
    const up = (e) => {
      window.removeEventListener('pointermove', move);
      window.removeEventListener('pointerup', up);
      const ms = Math.min(Date.now(), at(e.clientX));
      this.seek(ms);
    };
    window.addEventListener('pointermove', move);
    window.addEventListener('pointerup', up);
  }

  destroy() {
    clearInterval(this.syncTimer);
    clearInterval(this.clockTimer);
    document.removeEventListener('keydown', this.onKey);
    for (const player of this.players) player.close();
    if (window.rtccPlayback === this) delete window.rtccPlayback;
  }
}
