// Outlining areas on a camera's picture (privacy masks, analytics zones): the camera's snapshot with an SVG overlay
// in picture coordinates (0…1 across and down); a click gives the point under it.
import { el } from './api.js';

const SVG = 'http://www.w3.org/2000/svg';

/**
 * The camera's picture to draw on. `onPoint({x, y})` receives each click; `show(closed, open)` draws the finished
 * polygons and the one being outlined (lists of points).
 */
export function outlineStage(camera, { stageClass, overlayClass, onPoint }) {
  const picture = el('img', { class: 'mask-picture', alt: `Snapshot of ${camera.name}`, src: `/api/v1/cameras/${camera.id}/snapshot.jpg?t=${Date.now()}` });
  picture.addEventListener('error', () => picture.classList.add('missing'));
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '0 0 1 1');
  svg.setAttribute('preserveAspectRatio', 'none');
  svg.classList.add('mask-overlay', ...(overlayClass ? [overlayClass] : []));
  const stage = el('div', { class: `mask-stage ${stageClass ?? ''}`.trim(), onclick: (event) => {
    const box = stage.getBoundingClientRect();
    onPoint({ x: Math.min(1, Math.max(0, (event.clientX - box.left) / box.width)), y: Math.min(1, Math.max(0, (event.clientY - box.top) / box.height)) });
  } }, picture, svg);
  const show = (closed, open) => {
    svg.replaceChildren(...[...closed, open].filter((points) => points.length).map((points, index) => {
      const shape = document.createElementNS(SVG, index < closed.length ? 'polygon' : 'polyline');
      shape.setAttribute('points', points.map((p) => `${p.x},${p.y}`).join(' '));
      return shape;
    }));
  };
  return { stage, show };
}
