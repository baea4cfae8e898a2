// Two-factor sign-in (TOTP, RFC 6238) enrolment for the signed-in user: the QR code and the secret for manual entry,
// a code to confirm it, then the one-time recovery codes, shown once.
import { api, copyButton, el, showFieldErrors, toast } from './api.js';

/// The QR code the server drew, as an image: an SVG in an <img> is rendered as a picture (no scripts, no links), and
/// its text never reaches the page's own markup.
export function qrImage(svgText) {
  const bytes = new TextEncoder().encode(svgText);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return el('img', { class: 'qr', id: 'mfa-qr', alt: 'QR code for your authenticator app', src: `data:image/svg+xml;base64,${btoa(binary)}` });
}

/// The secret in groups of four, as authenticator apps show it.
function grouped(secret) { return secret.replace(/(.{4})/g, '$1 ').trim(); }

/// Renders the enrolment into `container`. `required`: the user may do nothing else until it is done. `done` runs
/// when the person has seen the recovery codes and continues.
export async function enrolmentPage(container, { required = false, done, cancel } = {}) {
  const page = el('div', { class: 'enrol', id: 'mfa-enrol' });
  container.append(page);
  let enrolment;
  try {
    enrolment = await api('/api/v1/me/mfa/enrolment', { method: 'POST' });
  } catch (failure) {
    page.append(el('h2', {}, 'Two-factor sign-in'), el('p', { class: 'error', role: 'alert' }, `Enrolment could not start: ${failure.message}`));
    return;
  }
  const codeInput = el('input', { id: 'mfa-code', name: 'code', inputmode: 'numeric', autocomplete: 'one-time-code', maxlength: '6',
    pattern: '[0-9]{6}', placeholder: '123456', required: true, spellcheck: 'false' });
  const general = el('p', { class: 'error', role: 'alert', hidden: true });
  const form = el('form', { class: 'enrol-form', id: 'mfa-confirm' },
    el('label', {}, 'Code from the app', codeInput, el('span', { class: 'field-error', 'data-field': 'code', hidden: true })),
    general,
    el('div', { class: 'row-actions' },
      el('button', { type: 'submit', id: 'mfa-confirm-submit' }, 'Turn on two-factor sign-in'),
      cancel ? el('button', { type: 'button', class: 'ghost', onclick: cancel }, 'Cancel') : null));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const button = form.querySelector('button[type=submit]');
    button.disabled = true;
    try {
      const { recoveryCodes } = await api('/api/v1/me/mfa/enrolment/confirm', { method: 'POST', body: { code: codeInput.value.trim() } });
      showRecoveryCodes(page, recoveryCodes, done);
    } catch (failure) {
      showFieldErrors(form, failure, general);
    } finally {
      button.disabled = false;
    }
  });
  page.append(
    el('h2', {}, 'Set up two-factor sign-in'),
    required ? el('p', { class: 'notice', id: 'mfa-required' },
      'Your role must sign in with a second factor. Set it up now: the RTCC opens once it is done.') : null,
    el('ol', { class: 'steps' },
      el('li', {}, 'Open an authenticator app on your phone (any app for "TOTP" codes) and scan this code:'),
      el('li', { class: 'qr-step' }, qrImage(enrolment.qrSVG),
        el('div', { class: 'secret-box' },
          el('span', { class: 'muted' }, 'Cannot scan it? Enter this key by hand (time-based, 6 digits, 30 s):'),
          el('code', { id: 'mfa-secret', class: 'secret', 'data-secret': enrolment.secret }, grouped(enrolment.secret)),
          copyButton(() => enrolment.secret, 'Copy key', { id: 'mfa-secret-copy' }))),
      el('li', {}, 'Enter the 6-digit code the app shows now:', form)));
  codeInput.focus();
}

function showRecoveryCodes(page, codes, done) {
  const text = () => codes.join('\n');
  page.replaceChildren(
    el('h2', {}, 'Two-factor sign-in is on'),
    el('p', {}, 'These recovery codes let you sign in if you lose your phone. Each works once. ',
      el('strong', {}, 'They are shown only now: '), 'copy them or write them down and keep them somewhere safe.'),
    el('ol', { class: 'recovery-codes', id: 'mfa-recovery-codes' }, codes.map((code) => el('li', {}, el('code', {}, code)))),
    el('div', { class: 'row-actions' },
      copyButton(text, 'Copy the codes', { id: 'mfa-recovery-copy' }),
      el('button', { type: 'button', class: 'primary', id: 'mfa-done', onclick: () => done?.() }, 'I have saved them — continue')));
  toast('Two-factor sign-in is on.', 'ok');
}
