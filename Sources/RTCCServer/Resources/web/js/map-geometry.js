// Geometry for the map: a camera's view sector as a ring of [lat, lon] points.
const EARTH_RADIUS = 6371008.8;

/// The point `distance` metres from (lat, lon) along compass `bearing` degrees, on a sphere.
export function destination(lat, lon, bearing, distance) {
  const rad = Math.PI / 180, d = distance / EARTH_RADIUS, b = bearing * rad, p1 = lat * rad;
  const p2 = Math.asin(Math.sin(p1) * Math.cos(d) + Math.cos(p1) * Math.sin(d) * Math.cos(b));
  const l2 = lon * rad + Math.atan2(Math.sin(b) * Math.sin(d) * Math.cos(p1), Math.cos(d) - Math.sin(p1) * Math.sin(p2));
  return [p2 / rad, l2 / rad];
}

/// The sector seen from (lat, lon): heading and field of view in degrees, range in metres; a full circle at 360°.
export function sectorRing(lat, lon, heading, fov, range) {
  const width = Math.min(fov, 360), steps = Math.max(2, Math.ceil(width / 5));
  const ring = width >= 360 ? [] : [[lat, lon]];
  for (let k = 0; k <= steps; k++) ring.push(destination(lat, lon, heading - width / 2 + (width * k) / steps, range));
  return ring;
}
