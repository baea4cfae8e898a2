// Plays one camera live: fMP4 fragments over a WebSocket into Media Source Extensions, kept at the live edge.
// Reconnects by itself and reports the camera's state: connecting, live, degraded, reconnecting, down, unsupported.

const HEADER = 32;

export class LivePlayer {
  constructor(video, cameraId, { onState = () => {}, onLatency = () => {}, onWallClock = () => {} } = {}) {
    this.video = video;
    this.cameraId = cameraId;
    this.onState = onState;
    this.onLatency = onLatency;
    this.onWallClock = onWallClock;
    this.queue = [];
    this.stamps = [];
    this.stopped = false;
    this.retry = 500;
    this.lastFrameAt = 0;
    this.health = null;
    this.state = '';
    this.framesReceived = 0;
    this.video.muted = true;
    this.video.playsInline = true;
    this.watchdog = setInterval(() => this.check(), 500);
    this.watchFrames();
    this.connect();
  }

  setState(state, message = '') {
    if (state === this.state && message === this.message) return;
    this.state = state;
    this.message = message;
    this.onState(state, message, this.health);
  }

  connect() {
    if (this.stopped) return;
    if (!this.state) this.setState('connecting');
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const query = this.transcode ? '?codec=h264' : '';
    const socket = new WebSocket(`${scheme}//${location.host}/api/v1/cameras/${this.cameraId}/live${query}`);
    socket.binaryType = 'arraybuffer';
    this.socket = socket;
    socket.onopen = () => { this.retry = 500; };
    socket.onmessage = (event) => this.receive(event.data);
    socket.onclose = (event) => {
      if (this.stopped || this.socket !== socket) return;
      if (event.code === 1006 && this.framesReceived === 0 && !this.everOpened) {
        // The upgrade was refused: ask the API why, for a clear message.
        fetch(`/api/v1/cameras/${this.cameraId}/health`, { credentials: 'same-origin' })
          .then(async (r) => { const body = await r.json().catch(() => ({})); this.setState(r.ok ? 'down' : 'error', body.detail || body.reason || `live video unavailable (HTTP ${r.status})`); })
          .catch(() => this.setState('reconnecting'));
      } else {
        this.setState('reconnecting', 'connection lost, reconnecting');
      }
      setTimeout(() => this.connect(), this.retry);
      this.retry = Math.min(this.retry * 2, 8000);
    };
    socket.addEventListener('open', () => { this.everOpened = true; });
  }

  receive(data) {
    if (typeof data === 'string') {
      let message;
      try { message = JSON.parse(data); } catch { return; }
      if (message.type === 'init') this.pendingMime = message.mime;
      else if (message.type === 'health') { this.health = message; this.check(); }
      else if (message.type === 'error') console.warn('live:', message.message);
      return;
    }
    const view = new DataView(data);
    const kind = view.getUint8(0);
    const payload = new Uint8Array(data, HEADER);
    if (kind === 1) {
      this.openSource(this.pendingMime);
      this.enqueue(payload);
    } else if (kind === 2) {
      if (!this.sourceBuffer) return;
      const receivedAt = view.getFloat64(8, true);
      const wallClock = view.getFloat64(16, true);
      const presentation = view.getFloat64(24, true);
      this.stamps.push([presentation, receivedAt, wallClock]);
      if (this.stamps.length > 600) this.stamps.splice(0, this.stamps.length - 600);
      this.lastFrameAt = performance.now();
      this.framesReceived += 1;
      this.enqueue(payload);
    }
  }

  openSource(mime) {
    if (!mime || !('MediaSource' in window) || !MediaSource.isTypeSupported(mime)) {
      if (!this.transcode && /hvc1|hev1/.test(mime || '') && MediaSource.isTypeSupported('video/mp4; codecs="avc1.42E01E"')) {
        // This browser has no H.265 decoder: ask the server for its H.264 re-encoding of this camera.
        this.transcode = true;
        this.retry = 100;
        this.socket?.close();
        return;
      }
      this.setState('unsupported', `this browser cannot decode ${mime || 'the stream'}`);
      this.stopped = true;
      this.socket?.close();
      return;
    }
    if (this.sourceBuffer && this.mime === mime) return;
    this.mime = mime;
    this.queue = [];
    const source = new MediaSource();
    this.mediaSource = source;
    if (this.objectURL) URL.revokeObjectURL(this.objectURL);
    this.objectURL = URL.createObjectURL(source);
    this.video.src = this.objectURL;
    this.sourceBuffer = null;
    source.addEventListener('sourceopen', () => {
      if (this.mediaSource !== source) return;
      const buffer = source.addSourceBuffer(mime);
      buffer.mode = 'segments';
      buffer.addEventListener('updateend', () => this.afterAppend());
      buffer.addEventListener('error', () => this.resetSource('decoder error'));
      this.sourceBuffer = buffer;
      this.flush();
    }, { once: true });
  }

  resetSource(reason) {
    console.warn('live: resetting player:', reason);
    this.sourceBuffer = null;
    this.mime = null;
    this.socket?.close();
  }

  enqueue(bytes) {
    this.queue.push(bytes);
    if (this.queue.length > 300) this.queue.splice(0, this.queue.length - 300);
    this.flush();
  }

  flush() {
    const buffer = this.sourceBuffer;
    if (!buffer || buffer.updating || this.queue.length === 0 || this.mediaSource?.readyState !== 'open') return;
    try {
      buffer.appendBuffer(this.queue.shift());
    } catch (error) {
      if (error.name === 'QuotaExceededError') this.trim(true); else this.resetSource(error.message);
    }
  }

  afterAppend() {
    const video = this.video;
    const ranges = video.buffered;
    if (ranges.length > 0) {
      const end = ranges.end(ranges.length - 1);
      const lag = end - video.currentTime;
      // Keep about one frame buffered: jump when far behind, play slightly fast when a little behind.
      if (lag > 1.0 || video.currentTime < ranges.start(ranges.length - 1)) {
        video.currentTime = Math.max(ranges.start(ranges.length - 1), end - 0.05);
      } else if (lag > 0.25) {
        video.playbackRate = 1.2;
      } else if (lag > 0.12) {
        video.playbackRate = 1.06;
      } else {
        video.playbackRate = 1.0;
      }
      if (video.paused) video.play().catch(() => {});
      if (performance.now() - (this.trimmedAt || 0) > 10000) this.trim(false);
    }
    this.flush();
  }

  trim(urgent) {
    const buffer = this.sourceBuffer;
    if (!buffer || buffer.updating) return;
    const keep = urgent ? 2 : 10;
    const ranges = buffer.buffered;
    if (ranges.length && this.video.currentTime - ranges.start(0) > keep) {
      this.trimmedAt = performance.now();
      buffer.remove(0, this.video.currentTime - keep);
    }
  }

  watchFrames() {
    if (!('requestVideoFrameCallback' in HTMLVideoElement.prototype)) return;
    const callback = (now, metadata) => {
      if (this.stopped) return;
      const stamp = this.findStamp(metadata.mediaTime);
      if (stamp) {
        const presentedAt = performance.timeOrigin + metadata.expectedDisplayTime;
        this.onLatency(presentedAt - stamp[1]);
        this.onWallClock(stamp[2]);
      }
      this.video.requestVideoFrameCallback(callback);
    };
    this.video.requestVideoFrameCallback(callback);
  }

  findStamp(mediaTime) {
    for (let i = this.stamps.length - 1; i >= 0; i -= 1) {
      if (Math.abs(this.stamps[i][0] - mediaTime) < 0.002) return this.stamps[i];
    }
    return null;
  }

  check() {
    if (this.stopped) return;
    const open = this.socket?.readyState === WebSocket.OPEN;
    const sinceFrame = performance.now() - this.lastFrameAt;
    const link = this.health?.state;
    if (!open) return;
    if (link === 'down' || link === 'not_recorded') this.setState('down', this.health?.reason || 'camera is down');
    else if (this.framesReceived === 0) this.setState('connecting', link === 'connecting' ? 'camera connecting' : 'waiting for a keyframe');
    else if (sinceFrame > 3000) this.setState(link === 'connecting' ? 'reconnecting' : 'down', `no picture for ${Math.round(sinceFrame / 1000)} s`);
    else if (link === 'degraded') this.setState('degraded', this.health?.reason || 'packet loss');
    else this.setState('live', this.transcode ? 'H.265 re-encoded to H.264 for this browser' : '');
  }

  stop() {
    this.stopped = true;
    clearInterval(this.watchdog);
    this.socket?.close();
    this.socket = null;
    if (this.objectURL) URL.revokeObjectURL(this.objectURL);
    this.video.removeAttribute('src');
    this.video.load();
  }
}
