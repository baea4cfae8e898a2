// Used by `rtcc bench live`: signs in with the credentials in the address fragment, plays one camera with the
// web app's live player and reports ingress→presented latency to /api/v1/telemetry/live.
import { api } from '/ui/js/api.js';
import { LivePlayer } from '/ui/js/live-player.js';

const params = new URLSearchParams(location.hash.slice(1));
await api('/api/v1/auth/login', { method: 'POST', body: { username: params.get('user'), password: params.get('password') } });
history.replaceState(null, '', location.pathname);
let batch = [];
new LivePlayer(document.getElementById('video'), params.get('camera'), {
  onLatency: (ms) => {
    batch.push(ms);
    if (batch.length >= 25) { api('/api/v1/telemetry/live', { method: 'POST', body: { latencies: batch } }).catch(() => {}); batch = []; }
  },
});
