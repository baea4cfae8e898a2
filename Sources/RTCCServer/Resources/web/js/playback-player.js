// Plays one camera's recordings on a wall-clock timeline: media time t is wall-clock time origin + t, so
// several players with the same origin show the same moment. Chunks are fetched ahead of the play head.
import { ApiError } from './api.js';

const CHUNK_SECONDS = 20;

export class PlaybackPlayer {
  constructor(video, cameraId, sessionId, originMs, { onInfo = () => {} } = {}) {
    this.video = video;
    this.cameraId = cameraId;
    this.sessionId = sessionId;
    this.origin = originMs;
    this.onInfo = onInfo;
    this.frameDuration = 1 / 15;
    this.generation = 0;
    this.video.muted = true;
    this.video.playsInline = true;
    this.presentedWall = null;
    this.timer = setInterval(() => this.maintain(), 400);
    this.watchFrames();
  }

  wallAt(seconds) { return this.origin + seconds * 1000; }
  mediaAt(wallMs) { return (wallMs - this.origin) / 1000; }
  get wallClock() { return this.wallAt(this.video.currentTime); }

  watchFrames() {
    if (!('requestVideoFrameCallback' in HTMLVideoElement.prototype)) return;
    const callback = (now, metadata) => {
      if (this.closed) return;
      this.presentedWall = this.wallAt(metadata.mediaTime);
      this.video.requestVideoFrameCallback(callback);
    };
    this.video.requestVideoFrameCallback(callback);
  }

  async open(mime) {
    if (this.sourceBuffer && this.mime === mime) return;
    if (!MediaSource.isTypeSupported(mime)) throw new Error(`this browser cannot decode ${mime}`);
    this.mime = mime;
    const source = new MediaSource();
    this.mediaSource = source;
    if (this.objectURL) URL.revokeObjectURL(this.objectURL);
    this.objectURL = URL.createObjectURL(source);
    this.video.src = this.objectURL;
    await new Promise((resolve) => source.addEventListener('sourceopen', resolve, { once: true }));
    this.sourceBuffer = source.addSourceBuffer(mime);
    this.sourceBuffer.mode = 'segments';
  }

  whenIdle() {
    const buffer = this.sourceBuffer;
    if (!buffer || !buffer.updating) return Promise.resolve();
    return new Promise((resolve) => buffer.addEventListener('updateend', resolve, { once: true }));
  }

  async append(bytes) {
    await this.whenIdle();
    this.sourceBuffer.appendBuffer(bytes);
    await this.whenIdle();
  }

  bufferedRange(t) {
    const ranges = this.video.buffered;
    for (let i = 0; i < ranges.length; i += 1) if (t >= ranges.start(i) - 0.001 && t < ranges.end(i)) return [ranges.start(i), ranges.end(i)];
    return null;
  }

  /// Moves the play head to a wall-clock time; resolves once a picture of that time is shown (or there is none).
  async seek(wallMs) {
    const generation = ++this.generation;
    const t = this.mediaAt(wallMs);
    this.ended = false;
    if (this.bufferedRange(t)) {
      this.video.currentTime = t;
      await this.seeked();
      return true;
    }
    this.controller?.abort();
    if (this.sourceBuffer && this.mediaSource.readyState === 'open') {
      await this.whenIdle();
      if (this.video.buffered.length) { this.sourceBuffer.remove(0, Infinity); await this.whenIdle(); }
    }
    this.next = wallMs;
    const chunk = await this.fetchChunk(generation);
    if (!chunk || generation !== this.generation) return false;
    const target = Math.max(t, this.mediaAt(chunk.firstFrame));
    if (chunk.firstFrame > wallMs + 1000) this.onInfo(`No recording at that time; showing the next recording from ${new Date(chunk.firstFrame).toLocaleString()}`);
    else this.onInfo('');
    this.video.currentTime = target;
    await this.seeked();
    return true;
  }

  seeked() {
    if (!this.video.seeking) return Promise.resolve();
    return new Promise((resolve) => this.video.addEventListener('seeked', resolve, { once: true }));
  }

  async fetchChunk(generation = this.generation) {
    if (this.fetching || this.ended || this.next === undefined) return null;
    this.fetching = true;
    this.controller = new AbortController();
    const from = new Date(this.next).toISOString();
    const until = new Date(this.next + CHUNK_SECONDS * 1000).toISOString();
    const url = `/api/v1/cameras/${this.cameraId}/media?session=${this.sessionId}&from=${from}&until=${until}&origin=${new Date(this.origin).toISOString()}`;
    try {
      const response = await fetch(url, { credentials: 'same-origin', signal: this.controller.signal });
      if (!response.ok) {
        const problem = await response.json().catch(() => null);
        if (response.status === 404) {
          this.ended = true;
          this.endedAt = performance.now();
          if (!this.video.buffered.length) this.onInfo(problem?.detail || 'no recording at or after this time');
          return null;
        }
        throw new ApiError(response.status, problem);
      }
      const bytes = await response.arrayBuffer();
      if (generation !== this.generation) return null;
      const codec = response.headers.get('X-RTCC-Codec');
      await this.open(`video/mp4; codecs="${codec}"`);
      await this.append(bytes);
      const firstFrame = Date.parse(response.headers.get('X-RTCC-First-Frame'));
      const end = Date.parse(response.headers.get('X-RTCC-End'));
      const next = response.headers.get('X-RTCC-Next');
      this.frameDuration = Number(response.headers.get('X-RTCC-Frame-Duration')) || this.frameDuration;
      const advanced = next ? Date.parse(next) : end;
      if (!(advanced > this.next)) { this.ended = true; this.endedAt = performance.now(); }
      this.next = advanced;
      return { firstFrame, end };
    } catch (error) {
      if (error.name !== 'AbortError') this.onInfo(error.message);
      return null;
    } finally {
      this.fetching = false;
    }
  }

  /// Keeps enough ahead of the play head, skips recording gaps and trims what lies far behind.
  maintain() {
    if (!this.sourceBuffer || this.closed) return;
    const t = this.video.currentTime;
    const range = this.bufferedRange(t);
    const ahead = range ? range[1] - t : 0;
    const rate = Math.max(1, this.video.playbackRate);
    // Near the present the recording is still growing: look again every 2 s after reaching its end.
    if (this.ended && this.next > Date.now() - 120e3 && performance.now() - (this.endedAt || 0) > 2000) this.ended = false;
    if (!this.fetching && !this.ended && this.lastBufferedEnd() - t < 12 * rate) this.fetchChunk();
    if (!this.video.paused && (!range || ahead < 0.1)) {
      const ranges = this.video.buffered;
      for (let i = 0; i < ranges.length; i += 1) {
        if (ranges.start(i) > t + 0.05) { this.video.currentTime = ranges.start(i); break; }
      }
    }
    if (!this.sourceBuffer.updating && this.video.buffered.length && t - this.video.buffered.start(0) > 60) {
      this.sourceBuffer.remove(0, t - 30);
    }
  }

  /// Whether the play head is about to run out of pictures while more of this camera's recording is still to come (a
  /// chunk on its way, or the present still being recorded), as opposed to a gap in the recording, which `maintain`
  /// plays over. A camera let go after a long wait (`releasedAt`) counts again only once new pictures arrived.
  /// "About to" is what it plays in the group's check interval (`checkEveryMs`) at its rate, with 0.1 s to spare: a
  /// camera that ran dry between two checks would stand still while the others played on. Holding nothing at all
  /// (sent to a moment of the present whose pictures are not served yet) is having run out.
  starving(checkEveryMs) {
    if (!this.sourceBuffer || this.video.seeking) return false;
    const end = this.lastBufferedEnd();
    const margin = 0.1 + (checkEveryMs / 1000) * 1.5 * Math.max(1, this.video.playbackRate);
    if (this.video.buffered.length && end - this.video.currentTime > margin) return false;
    if (this.releasedAt !== undefined && end <= this.releasedAt) return false;
    return !this.ended || this.next > Date.now() - 120e3;
  }

  /// Whether the play head lies on the pictures held (inside them or at their end), not at a time left over from
  /// before a seek that found no pictures yet: only such a play head says where the group is.
  onItsPictures() {
    const ranges = this.video.buffered, t = this.video.currentTime;
    return ranges.length > 0 && t >= ranges.start(0) - 0.001 && t <= ranges.end(ranges.length - 1) + 0.05;
  }

  lastBufferedEnd() {
    const ranges = this.video.buffered;
    return ranges.length ? ranges.end(ranges.length - 1) : 0;
  }

  step(frames) {
    this.video.pause();
    this.video.currentTime = Math.max(0, this.video.currentTime + frames * this.frameDuration);
  }

  close() {
    this.closed = true;
    this.generation += 1;
    clearInterval(this.timer);
    this.controller?.abort();
    if (this.objectURL) URL.revokeObjectURL(this.objectURL);
    this.video.removeAttribute('src');
    this.video.load();
  }
}
