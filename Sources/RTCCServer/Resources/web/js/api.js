// Talks to the OpenRTCC API: JSON in and out, problems (RFC 9457) turned into errors with a readable message.

export class ApiError extends Error {
  constructor(status, problem) {
    const fields = (problem?.errors || []).map((e) => `${e.field}: ${e.reason}`).join('; ');
    super(problem?.detail ? problem.detail + (fields && !problem.detail.includes(fields) ? ` (${fields})` : '') : `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

export async function api(path, { method = 'GET', body, headers = {}, raw = false, signal } = {}) {
  const init = { method, headers: { ...headers }, credentials: 'same-origin', signal };
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    init.headers['Content-Type'] = init.headers['Content-Type'] || 'application/json';
  }
  const response = await fetch(path, init);
  if (!response.ok) {
    let problem = null;
    try { problem = await response.json(); } catch { /* not JSON */ }
    if (response.status === 401 && !path.endsWith('/auth/login')) window.dispatchEvent(new CustomEvent('rtcc:signed-out', { detail: problem }));
    throw new ApiError(response.status, problem);
  }
  if (raw) return response;
  if (response.status === 204) return null;
  const type = response.headers.get('Content-Type') || '';
  return type.includes('json') ? response.json() : response.text();
}

export function toast(message, kind = 'error') {
  const element = document.getElementById('toast');
  if (!element) return;
  element.textContent = message;
  element.className = `toast ${kind}`;
  element.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { element.hidden = true; }, kind === 'error' ? 8000 : 4000);
}

export function el(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on')) element.addEventListener(key.slice(2), value);
    else if (key === 'class') element.className = value;
    else if (key === 'dataset') Object.assign(element.dataset, value);
    else element.setAttribute(key, value === true ? '' : value);
  }
  for (const child of children.flat()) if (child !== null && child !== undefined) element.append(child);
  return element;
}

/// An icon drawn as one SVG path in a 24-unit box (a fresh Debian lacks the symbol glyphs), 14 px unless CSS sizes it.
export function svgIcon(d, fill = false) {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  for (const [name, value] of [['viewBox', '0 0 24 24'], ['width', '14'], ['height', '14'], ['aria-hidden', 'true']]) svg.setAttribute(name, value);
  svg.classList.add('icon');
  const path = document.createElementNS(ns, 'path');
  for (const [name, value] of [['d', d], ['fill', fill ? 'currentColor' : 'none'], ['stroke', 'currentColor'], ['stroke-width', '2.2'],
    ['stroke-linecap', 'round'], ['stroke-linejoin', 'round']]) path.setAttribute(name, value);
  svg.append(path);
  return svg;
}

/// Every camera the user may see (paged through the API).
export async function allCameras() {
  const cameras = [];
  for (let offset = 0; ; offset += 1000) {
    const page = await api(`/api/v1/cameras?limit=1000&offset=${offset}`);
    cameras.push(...page.items);
    if (cameras.length >= page.total || page.items.length === 0) return cameras;
  }
}

/// `ms` as a `datetime-local` input's value (local time, minutes).
export function isoLocal(ms) {
  const date = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return date.toISOString().slice(0, 16);
}

export function formatWallClock(ms, { utc = false } = {}) {
  const date = new Date(ms);
  const pad = (n, w = 2) => String(n).padStart(w, '0');
  const get = utc
    ? [date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate(), date.getUTCHours(), date.getUTCMinutes(), date.getUTCSeconds(), date.getUTCMilliseconds()]
    : [date.getFullYear(), date.getMonth() + 1, date.getDate(), date.getHours(), date.getMinutes(), date.getSeconds(), date.getMilliseconds()];
  return `${get[0]}-${pad(get[1])}-${pad(get[2])} ${pad(get[3])}:${pad(get[4])}:${pad(get[5])}.${pad(get[6], 3)}${utc ? 'Z' : ''}`;
}

/// A date and time from the API for a person ('' when absent).
export function when(text) { return text ? new Date(text).toLocaleString() : ''; }

/// Asks before something destructive, in a modal dialog: resolves true when the person confirms.
export function confirmAction(message, actionLabel = 'Confirm') {
  return new Promise((resolve) => {
    const dialog = el('dialog', { class: 'confirm', id: 'confirm-dialog' });
    const finish = (answer) => { dialog.close(); dialog.remove(); resolve(answer); };
    dialog.append(el('form', { method: 'dialog', onsubmit: (event) => { event.preventDefault(); finish(true); } },
      el('p', {}, message),
      el('div', { class: 'row-actions' },
        el('button', { type: 'button', class: 'ghost', id: 'confirm-cancel', onclick: () => finish(false) }, 'Cancel'),
        el('button', { type: 'submit', class: 'danger', id: 'confirm-ok' }, actionLabel))));
    dialog.addEventListener('cancel', () => finish(false));
    document.body.append(dialog);
    dialog.showModal();
  });
}

/// A button that copies `text()` to the clipboard and says so.
export function copyButton(text, label = 'Copy', attributes = {}) {
  return el('button', {
    type: 'button', class: 'copy', ...attributes,
    onclick: async () => {
      try {
        await navigator.clipboard.writeText(text());
        toast('Copied to the clipboard.', 'ok');
      } catch {
        toast('The browser would not copy; select the text and copy it by hand.');
      }
    },
  }, label);
}

/// Shows a validation problem's `errors[]` beside the form's fields (elements `.field-error[data-field=NAME]`);
/// errors for fields the form has no place for go to `general`. Returns how many errors were shown.
export function showFieldErrors(form, failure, general) {
  for (const slot of form.querySelectorAll('.field-error')) { slot.textContent = ''; slot.hidden = true; }
  for (const input of form.querySelectorAll('[aria-invalid]')) input.removeAttribute('aria-invalid');
  if (general) { general.textContent = ''; general.hidden = true; }
  if (!failure) return 0;
  const errors = failure.problem?.errors || [];
  const unplaced = [];
  for (const error of errors) {
    const slot = form.querySelector(`.field-error[data-field="${CSS.escape(error.field)}"]`);
    if (!slot) { unplaced.push(`${error.field}: ${error.reason}`); continue; }
    slot.textContent = slot.textContent ? `${slot.textContent}; ${error.reason}` : error.reason;
    slot.hidden = false;
    slot.previousElementSibling?.setAttribute?.('aria-invalid', 'true');
  }
  if (general && (unplaced.length || !errors.length)) {
    general.textContent = errors.length ? unplaced.join('; ') : failure.message;
    general.hidden = false;
  }
  return errors.length;
}
