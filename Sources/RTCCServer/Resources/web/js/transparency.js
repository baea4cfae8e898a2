// The public transparency report: renders /api/v1/transparency.
import { api, el } from './api.js';

function table(rows, headings) {
  return el('table', { class: 'data' }, el('thead', {}, el('tr', {}, headings.map((h) => el('th', {}, h)))),
    el('tbody', {}, rows.map((row) => el('tr', {}, row.map((cell) => el('td', {}, String(cell)))))));
}

function pairs(object) { return Object.entries(object || {}).sort(([a], [b]) => a.localeCompare(b)); }

function section(title, ...content) { return el('section', { class: 'report-section' }, el('h2', {}, title), ...content); }

async function start() {
  const container = document.getElementById('report');
  try {
    const r = await api('/api/v1/transparency');
    document.getElementById('generated').textContent = `Computed ${new Date(r.generatedAt).toLocaleString()}.`;
    container.replaceChildren(
      section('Cameras', el('p', { id: 'cameras-total' }, `${r.cameras.total} cameras; ${r.cameras.sharingPausedOrRevoked} paused or withdrawn by their owners; ${r.cameras.masked} with privacy masks.`),
        table(pairs(r.cameras.byKind), ['Kind', 'Cameras']), table(pairs(r.cameras.bySharingTier), ['Sharing tier', 'Cameras']),
        table(r.cameras.byDistrict.map((d) => [d.district, d.city, d.partner, d.temporary]), ['Area', 'City', 'Community', 'Temporary'])),
      section('Community program', el('p', {}, `${r.program.activePartners} active partners (${r.program.businesses} businesses, ${r.program.homeowners} homeowners).`),
        table(pairs(r.program.signUps), ['Sign-ups', 'Number'])),
      section('Footage requests', el('p', { id: 'requests-made' }, `${r.footageRequests.made} requests made.`), table(pairs(r.footageRequests.byStatus), ['Status', 'Requests'])),
      section('Evidence releases', table([['Evidence packages', r.evidenceReleases.evidencePackages], ['Share links issued', r.evidenceReleases.shareLinks],
        ['Downloads through share links', r.evidenceReleases.shareDownloads]], ['What', 'Number'])),
      section('Audit', table([['Audit log entries', r.audits.entries], ['Live views', r.audits.liveViews], ['Playback sessions', r.audits.playbackSessions],
        ['Exports', r.audits.exports], ['Views without privacy mask', r.audits.unmaskedViews]], ['What', 'Number'])),
      section('Retention', el('p', {}, r.retention.rule), el('p', {}, `Default ${r.retention.defaultDays} days; ${r.retention.partnersWithShorterRetention} partners agreed shorter retention; ${r.retention.deletedSegmentsLast30Days} recordings (${r.retention.deletedBytesLast30Days} bytes) deleted in the last 30 days.`)),
      section(`Sharing terms (version ${r.policy.termsVersion})`, el('ul', {}, r.policy.terms.map((t) => el('li', {}, t)))));
  } catch (failure) {
    container.textContent = `The report could not be loaded: ${failure.message}`;
  }
}

start();
