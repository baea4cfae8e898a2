// Screens whose features arrive with their own modules: a short description so the navigation is complete.
import { el } from './api.js';

const descriptions = {
  map: ['Map', 'Cameras with their fields of view, "who could have seen it", coverage gaps and placement planning.'],
  alerts: ['Alerts', 'Gunshot detection, licence-plate hits, 911/CAD calls and camera-offline alerts, tied to the cameras that can see them.'],
  evidence: ['Evidence', 'Cases, exact clips in signed packages, chain of custody and release to police.'],
  partners: ['Partners', 'The community camera program: sign-ups, consent, footage requests and revocation.'],
  dashboard: ['Dashboard', 'Cameras online, coverage, leads, evidence released and crime trends.'],
  admin: ['Admin', 'Users, roles, API tokens and the audit log.'],
};

export function enter(container, { name }) {
  const [title, text] = descriptions[name] || [name, ''];
  container.append(el('div', { class: 'placeholder' }, el('h2', {}, title), el('p', { class: 'muted' }, text),
    el('p', {}, 'This screen is not available in this version; the API already serves its data where noted in /api/v1/openapi.yaml.')));
}
